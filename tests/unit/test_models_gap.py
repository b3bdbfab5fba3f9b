import numpy as np
import pytest
from ase import Atoms

from flexmlff.evaluate import error_metrics, mean_baseline
from flexmlff.models import MODEL_FILES, family
from flexmlff.units import ev_to_kcal_mol


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    gap = family("gap")
    train, test = glycine_dataset.subset(range(0, 60)), glycine_dataset.subset(range(100, 200))
    return gap, gap.train(train, None, {"n_sparse": 60}), train, test


def test_gap_beats_the_mean_energy_baseline_by_far(trained):
    gap, model, train, test = trained
    energies, forces = gap.predict(model, test.R, test.z)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(train.E, test.E, test.F)
    assert errors["energy_rmse"] < 0.3 * baseline["energy_rmse"]
    assert errors["force_rmse"] < 0.3 * baseline["force_rmse"]


def test_gap_save_load_round_trip_and_ase_calculator(trained, tmp_path):
    gap, model, _, test = trained
    path = tmp_path / MODEL_FILES["gap"]
    gap.save(model, path)
    again = gap.load(path)
    energies, forces = gap.predict(model, test.R[:3], test.z)
    energies2, forces2 = gap.predict(again, test.R[:3], test.z)
    assert np.allclose(energies, energies2, atol=1e-8) and np.allclose(forces, forces2, atol=1e-8)
    # the calculator answers in eV: the same numbers, converted
    atoms = Atoms(numbers=test.z, positions=test.R[0], cell=np.eye(3) * 50.0, pbc=False)
    atoms.calc = gap.calculator(again)
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(energies[0], abs=1e-6)


def test_gap_command_carries_the_paper_settings():
    command = " ".join(family("gap").gap_command({}, n_train=100, at_file="train.xyz")[1:])
    for setting in ("cutoff=5.0", "n_max=12", "l_max=6", "atom_sigma=0.3", "zeta=2", "delta=0.25",
                    "covariance_type=dot_product", "sparse_method=cur_points", "default_sigma={0.001 0.2 0 0}",
                    "e0_method=average"):
        assert setting in command
