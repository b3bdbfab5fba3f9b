"""Training subsets and cross-validation folds that preserve the energy distribution.

Paper Sec. IV: for n training points, draw a subset of ``n_folds · n`` frames
with sGDML's energy-stratified sampler, split it into ``n_folds`` folds that
each preserve that distribution, train on one fold and test on the others.
A separate validation set (for hyper-parameters such as the sGDML kernel
width) is drawn the same way from the frames outside the subset, so test
frames are never seen before testing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flexmlff.scratch import atomic_output


def stratified_sample(energies: np.ndarray, n: int, seed: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """`n` frame indices whose energies follow the histogram of `energies`.

    This is sGDML's own sampler (Freedman–Diaconis bins, at least one frame
    per populated bin), seeded here for reproducibility; frames in `exclude`
    are never drawn. Returned sorted.
    """
    from flexmlff.sgdml_package import import_sgdml

    import_sgdml()  # not sgdml's own logger class: it would put every later logger at DEBUG
    from sgdml.train import GDMLTrain

    energies = np.asarray(energies, dtype=float).ravel()
    exclude = np.asarray([] if exclude is None else exclude, dtype=int)
    available = len(energies) - len(np.unique(exclude))
    if n > available:
        raise ValueError(f"cannot draw {n} frames: only {available} are available")
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        # draw_strat_sample uses no state of its instance; calling it through the
        # class avoids GDMLTrain's one-instance-per-process rule.
        indices = GDMLTrain.draw_strat_sample(None, energies, n, excl_idxs=exclude)
    finally:
        np.random.set_state(state)
    return np.sort(np.asarray(indices, dtype=int))


def stratified_folds(energies: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold label (0…n_folds−1) for each frame, every fold spanning all energies.

    Frames are ranked by energy and each consecutive block of `n_folds` frames
    is dealt, in random order, one to every fold; fold sizes differ by at most one.
    """
    energies = np.asarray(energies, dtype=float).ravel()
    rng = np.random.default_rng(seed)
    order = np.argsort(energies, kind="stable")
    labels = np.empty(len(energies), dtype=int)
    for start in range(0, len(order), n_folds):
        block = order[start : start + n_folds]
        labels[block] = rng.permutation(n_folds)[: len(block)]
    return labels


@dataclass
class Split:
    """A training size's subset, its folds and the validation frames (dataset indices)."""

    n_train: int
    subset: np.ndarray  # (n_folds·n_train,)
    folds: np.ndarray  # fold label of each subset frame
    validation: np.ndarray

    @property
    def n_folds(self) -> int:
        return int(self.folds.max()) + 1

    def train_indices(self, fold: int) -> np.ndarray:
        """Frames of fold `fold`: the training set."""
        return self.subset[self.folds == fold]

    def test_indices(self, fold: int) -> np.ndarray:
        """Frames of every other fold: the test set."""
        return self.subset[self.folds != fold]

    def save(self, path: str | Path) -> None:
        with atomic_output(path) as partial, open(partial, "wb") as handle:
            np.savez(handle, n_train=self.n_train, subset=self.subset, folds=self.folds, validation=self.validation)

    @classmethod
    def load(cls, path: str | Path) -> "Split":
        with np.load(path) as npz:
            return cls(int(npz["n_train"]), npz["subset"], npz["folds"], npz["validation"])


def make_split(energies: np.ndarray, n_train: int, n_folds: int, n_valid: int, seed: int) -> Split:
    """Subset of ``n_folds · n_train`` frames, its folds, and ``n_valid`` validation frames."""
    energies = np.asarray(energies, dtype=float).ravel()
    needed = n_folds * n_train + n_valid
    if needed > len(energies):
        raise ValueError(
            f"training size {n_train} needs {n_folds} x {n_train} + {n_valid} validation "
            f"= {needed} frames, the dataset has {len(energies)}"
        )
    subset = stratified_sample(energies, n_folds * n_train, seed)
    folds = stratified_folds(energies[subset], n_folds, seed + 1)
    validation = stratified_sample(energies, n_valid, seed + 2, exclude=subset)
    return Split(n_train, subset, folds, validation)
