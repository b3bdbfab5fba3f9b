import numpy as np
import pytest

from flexmlff.splits import Split, make_split, stratified_folds, stratified_sample


@pytest.fixture
def bimodal_energies():
    """Two conformer populations, 3:1, 5 kcal/mol apart, like a two-minimum MD set."""
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(0.0, 1.0, 3000), rng.normal(5.0, 1.0, 1000)])


def test_split_sizes_and_no_overlap(bimodal_energies):
    split = make_split(bimodal_energies, n_train=100, n_folds=5, n_valid=200, seed=1)
    assert len(split.subset) == 500 and len(np.unique(split.subset)) == 500
    assert np.bincount(split.folds).tolist() == [100] * 5
    assert len(np.intersect1d(split.subset, split.validation)) == 0
    for fold in range(5):
        train, test = split.train_indices(fold), split.test_indices(fold)
        assert len(train) == 100 and len(test) == 400
        assert len(np.intersect1d(train, test)) == 0
        assert np.array_equal(np.sort(np.concatenate([train, test])), np.sort(split.subset))


def test_every_fold_preserves_the_energy_distribution(bimodal_energies):
    split = make_split(bimodal_energies, n_train=100, n_folds=5, n_valid=200, seed=1)
    high_fraction = (bimodal_energies > 2.5).mean()
    quartiles = np.percentile(bimodal_energies, [25, 50, 75])
    for fold in range(5):
        energies = bimodal_energies[split.train_indices(fold)]
        assert abs((energies > 2.5).mean() - high_fraction) < 0.05
        assert np.allclose(np.percentile(energies, [25, 50, 75]), quartiles, atol=0.5)


def test_folds_are_dealt_by_energy_rank():
    labels = stratified_folds(np.arange(20.0), n_folds=5, seed=0)
    for block in range(4):
        assert sorted(labels[5 * block : 5 * block + 5]) == [0, 1, 2, 3, 4]


def test_splits_are_reproducible_and_seed_dependent(bimodal_energies, tmp_path):
    a = make_split(bimodal_energies, 50, 5, 100, seed=4)
    b = make_split(bimodal_energies, 50, 5, 100, seed=4)
    c = make_split(bimodal_energies, 50, 5, 100, seed=5)
    assert np.array_equal(a.subset, b.subset) and np.array_equal(a.folds, b.folds)
    assert not np.array_equal(a.subset, c.subset)
    a.save(tmp_path / "n50.npz")
    loaded = Split.load(tmp_path / "n50.npz")
    assert loaded.n_train == 50 and np.array_equal(loaded.validation, a.validation)


def test_stratified_sample_respects_exclusions_and_does_not_touch_global_rng(bimodal_energies):
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    excluded = np.arange(0, 4000, 2)
    drawn = stratified_sample(bimodal_energies, 300, seed=9, exclude=excluded)
    assert len(np.intersect1d(drawn, excluded)) == 0 and len(np.unique(drawn)) == 300
    assert np.array_equal(np.random.get_state()[1], before)


def test_too_small_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="needs 5 x 100 \\+ 50 validation = 550 frames"):
        make_split(np.arange(400.0), n_train=100, n_folds=5, n_valid=50, seed=0)


def test_drawing_frames_leaves_loggers_created_later_alone():
    """sgdml's import makes its DEBUG-level logger class the default; the sampler must not
    leave it so (a later torch training then logged every autograd node). In a fresh
    process: this one may have imported sgdml already."""
    import subprocess
    import sys

    code = (
        "import logging, numpy as np\n"
        "from flexmlff.splits import stratified_sample\n"
        "stratified_sample(np.arange(50.0), 10, seed=1)\n"
        "later = logging.getLogger('created.after.sgdml')\n"
        "assert type(later) is logging.Logger and later.level == logging.NOTSET, (type(later), later.level)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
