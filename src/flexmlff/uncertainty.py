"""Confidence intervals for the errors the workflow reports: a seeded bootstrap over the
held-out frames (percentile intervals), and the paired bootstrap of the difference between two
models predicting the same frames, which decides whether one is better or the two are tied.

Every statistic is computed from per-frame squared errors: an energy error per frame, and for
forces the sum of the squared component errors of a frame (its 3N components), so that frames,
not components, are resampled: the components of one frame are not independent.
"""

from __future__ import annotations

import numpy as np

#: Bootstrap resamples and the interval's coverage.
N_RESAMPLES = 1000
LEVEL = 0.95


def squared_errors(predicted, reference) -> tuple[np.ndarray, int]:
    """Per frame, the sum of squared errors over its components, and the components a frame
    has (1 for energies, 3N for forces of N atoms)."""
    difference = np.asarray(predicted, dtype=float) - np.asarray(reference, dtype=float)
    per_frame = difference.reshape(len(difference), -1)
    return (per_frame**2).sum(axis=1), per_frame.shape[1]


def rmse(predicted, reference) -> float:
    """Root-mean-square error over every component of every frame."""
    squares, components = squared_errors(predicted, reference)
    return float(np.sqrt(squares.mean() / components))


def _resampled_frames(n_frames: int, seed: int, n_resamples: int) -> np.ndarray:
    """(n_resamples, n_frames) frame indices drawn with replacement, seeded."""
    return np.random.default_rng(seed).integers(0, n_frames, size=(n_resamples, n_frames))


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central `level` percentile interval of bootstrap samples."""
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def rmse_interval(
    predicted, reference, seed: int = 0, n_resamples: int = N_RESAMPLES, level: float = LEVEL
) -> tuple[float, float, float]:
    """RMSE of `predicted` against `reference` (energies (M,) or forces (M, N, 3)) and its
    bootstrap percentile interval over the M frames: ``(rmse, low, high)``."""
    squares, components = squared_errors(predicted, reference)
    value = float(np.sqrt(squares.mean() / components))
    if len(squares) < 2:
        return value, np.nan, np.nan
    samples = np.sqrt(squares[_resampled_frames(len(squares), seed, n_resamples)].mean(axis=1) / components)
    return (value, *_percentiles(samples, level))


def _group_sums(squares: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per group (0..G-1), the sum of its rows' squared errors."""
    return np.bincount(groups, weights=squares)


def paired_rmse_difference(
    predicted_a,
    predicted_b,
    reference,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
    level: float = LEVEL,
    groups=None,
) -> tuple[float, float, float]:
    """RMSE of model a minus RMSE of model b on the same rows, with the bootstrap interval of
    that difference, both models resampled with the same rows: ``(difference, low, high)``.

    `groups` (one label per row) makes the resampling unit a group: rows of the same frame
    (a frame held out by several folds, predicted by each fold's model) are drawn together,
    since they are not independent."""
    squares_a, components = squared_errors(predicted_a, reference)
    squares_b, _ = squared_errors(predicted_b, reference)
    difference = float(np.sqrt(squares_a.mean() / components) - np.sqrt(squares_b.mean() / components))
    labels = np.arange(len(squares_a)) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1]
    n_groups = int(labels.max()) + 1 if len(labels) else 0
    if n_groups < 2:
        return difference, np.nan, np.nan
    sums_a, sums_b = _group_sums(squares_a, labels), _group_sums(squares_b, labels)
    counts = np.bincount(labels).astype(float) * components
    drawn = _resampled_frames(n_groups, seed, n_resamples)
    total = counts[drawn].sum(axis=1)
    samples = np.sqrt(sums_a[drawn].sum(axis=1) / total) - np.sqrt(sums_b[drawn].sum(axis=1) / total)
    return (difference, *_percentiles(samples, level))


def verdict(low: float, high: float, a: str = "a", b: str = "b") -> str:
    """What an interval of RMSE(a) − RMSE(b) says: `a` better (all below zero), `b` better
    (all above), or "tied" where it holds zero (or could not be computed)."""
    if high < 0:
        return f"{a} better"
    if low > 0:
        return f"{b} better"
    return "tied"


def ratio_interval(
    squares_a: np.ndarray,
    squares_b: np.ndarray,
    components: int = 1,
    seed: int = 0,
    n_resamples: int = N_RESAMPLES,
    level: float = LEVEL,
) -> tuple[float, float, float]:
    """RMSE of one group of frames over that of another (per-frame squared errors of each,
    :func:`squared_errors`), each group resampled on its own: ``(ratio, low, high)`` (Fig. 7's
    equilibrium/transition ratio)."""
    squares_a, squares_b = np.asarray(squares_a, dtype=float), np.asarray(squares_b, dtype=float)
    ratio = float(np.sqrt(squares_a.mean() / components) / np.sqrt(squares_b.mean() / components))
    if len(squares_a) < 2 or len(squares_b) < 2:
        return ratio, np.nan, np.nan
    samples_a = squares_a[_resampled_frames(len(squares_a), seed, n_resamples)].mean(axis=1)
    samples_b = squares_b[_resampled_frames(len(squares_b), seed + 1, n_resamples)].mean(axis=1)
    return (ratio, *_percentiles(np.sqrt(samples_a / samples_b), level))


#: The interval columns of every error row: the 95 % bootstrap bounds of both RMSEs.
INTERVAL_COLUMNS = ["energy_rmse_low", "energy_rmse_high", "force_rmse_low", "force_rmse_high"]


def rmse_intervals(E_predicted, E_reference, F_predicted, F_reference, seed: int = 0) -> dict[str, float]:
    """The bootstrap bounds of the energy and force RMSE of one model on the same frames
    (:data:`INTERVAL_COLUMNS`)."""
    _, energy_low, energy_high = rmse_interval(E_predicted, E_reference, seed)
    _, force_low, force_high = rmse_interval(F_predicted, F_reference, seed)
    return dict(zip(INTERVAL_COLUMNS, (energy_low, energy_high, force_low, force_high)))


#: Columns of a table of :func:`paired_comparisons`.
COMPARISON_COLUMNS = [
    "model_a",
    "model_b",
    "n_frames",
    *(
        f"{quantity}_{column}"
        for quantity in ("energy", "force")
        for column in ("rmse_a", "rmse_b", "difference", "difference_low", "difference_high", "verdict")
    ),
]


def frame_groups(positions) -> np.ndarray:
    """A label per row of pooled predictions: rows of the same geometry share one."""
    flat = np.ascontiguousarray(np.asarray(positions, dtype=float).reshape(len(positions), -1))
    return np.unique(flat, axis=0, return_inverse=True)[1].ravel()


def paired_comparisons(pooled: dict, seed: int = 0):
    """Every pair of models on the same held-out frames: `pooled` maps a model to its
    predictions at one size, every fold's held-out frames pooled
    (:class:`flexmlff.exports.Predictions`). Per pair and quantity (energy, forces): both
    pooled RMSEs, RMSE(a) − RMSE(b) with its paired bootstrap interval (frames drawn, each
    with every fold's prediction of it), and the :func:`verdict`. A pair whose frames differ
    is left out (it cannot be paired). Columns: :data:`COMPARISON_COLUMNS`."""
    import pandas as pd

    rows = []
    models = list(pooled)
    for i, a in enumerate(models):
        for b in models[i + 1 :]:
            first, second = pooled[a], pooled[b]
            if first.positions.shape != second.positions.shape or not np.allclose(first.positions, second.positions):
                continue
            groups = frame_groups(first.positions)
            row = {"model_a": a, "model_b": b, "n_frames": int(groups.max()) + 1}
            for quantity, predicted_a, predicted_b, reference in (
                ("energy", first.predicted_energies, second.predicted_energies, first.energies),
                ("force", first.predicted_forces, second.predicted_forces, first.forces),
            ):
                difference, low, high = paired_rmse_difference(predicted_a, predicted_b, reference, seed, groups=groups)
                row.update(
                    {
                        f"{quantity}_rmse_a": rmse(predicted_a, reference),
                        f"{quantity}_rmse_b": rmse(predicted_b, reference),
                        f"{quantity}_difference": difference,
                        f"{quantity}_difference_low": low,
                        f"{quantity}_difference_high": high,
                        f"{quantity}_verdict": verdict(low, high, a, b),
                    }
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def ordering(comparisons, quantity: str = "energy", label=str) -> str:
    """The models of one size's :func:`paired_comparisons`, best first by their pooled RMSE of
    `quantity` (``energy`` or ``force``), joined by "<" where the paired interval says the
    left one is better, "≈" where the two are tied and "?" where they were not compared (other
    frames), e.g. ``sGDML (0.72) < GAP (0.88)``."""
    rmse_of = {}
    for row in comparisons.itertuples():
        rmse_of[row.model_a] = getattr(row, f"{quantity}_rmse_a")
        rmse_of[row.model_b] = getattr(row, f"{quantity}_rmse_b")
    ranked = sorted(rmse_of, key=rmse_of.get)
    verdicts = {(row.model_a, row.model_b): getattr(row, f"{quantity}_verdict") for row in comparisons.itertuples()}
    text = ""
    for left, right in zip(ranked, ranked[1:] + [None]):
        text += f"{label(left)} ({rmse_of[left]:.2f})"
        if right is not None:
            said = verdicts.get((left, right)) or verdicts.get((right, left))
            text += " ≈ " if said == "tied" else " ? " if said is None else " < "
    return text
