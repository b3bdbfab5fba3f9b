"""Bootstrap intervals of the reported errors (flexmlff.uncertainty)."""

import numpy as np
import pytest

from flexmlff.uncertainty import (
    ordering,
    paired_rmse_difference,
    ratio_interval,
    rmse_interval,
    rmse_intervals,
    verdict,
)


def test_rmse_interval_of_normal_errors_matches_its_analytic_width():
    """For errors drawn from N(0, σ²), the RMSE's standard error is σ/√(2n)."""
    n, sigma = 4000, 2.0
    errors = np.random.default_rng(3).normal(0.0, sigma, n)
    rmse, low, high = rmse_interval(errors, np.zeros(n), seed=1)
    half_width = 1.96 * sigma / np.sqrt(2 * n)
    assert rmse == pytest.approx(np.sqrt(np.mean(errors**2)))
    assert low < rmse < high
    assert (high - low) / 2 == pytest.approx(half_width, rel=0.15)
    assert rmse_interval(errors, np.zeros(n), seed=1) == (rmse, low, high)  # seeded


def test_force_frames_not_components_are_resampled():
    """A frame's components move together: one bad frame of 100 widens the interval as one frame."""
    forces = np.zeros((100, 5, 3))
    forces[7] = 3.0  # every component of one frame off by 3
    rmse, low, high = rmse_interval(forces, np.zeros_like(forces), seed=0)
    assert rmse == pytest.approx(3.0 / 10.0)
    assert low == 0.0  # resamples without frame 7 exist (~37 %), so zero is inside
    bounds = rmse_intervals(np.zeros(100), np.zeros(100), forces, np.zeros_like(forces))
    assert bounds["energy_rmse_low"] == bounds["energy_rmse_high"] == 0.0
    assert bounds["force_rmse_high"] == pytest.approx(high)


def test_identical_predictions_differ_by_exactly_zero_and_are_tied():
    rng = np.random.default_rng(0)
    reference, predicted = rng.normal(size=(50, 4, 3)), rng.normal(size=(50, 4, 3))
    assert paired_rmse_difference(predicted, predicted, reference) == (0.0, 0.0, 0.0)
    assert verdict(0.0, 0.0, "SchNet", "GAP") == "tied"


def test_a_clearly_better_model_is_called_better_and_pairing_narrows_the_interval():
    rng = np.random.default_rng(1)
    reference = rng.normal(size=300)
    shared = rng.normal(0.0, 1.0, 300)  # both models err alike on hard frames
    better, worse = reference + shared, reference + 1.05 * shared
    difference, low, high = paired_rmse_difference(better, worse, reference)
    assert difference == pytest.approx(-0.05 * np.sqrt(np.mean(shared**2)))
    assert high < 0 and verdict(low, high, "a", "b") == "a better"
    assert verdict(0.1, 0.3, "a", "b") == "b better"
    # unpaired intervals of the two overlap, the paired one does not
    _, _, better_high = rmse_interval(better, reference)
    _, worse_low, _ = rmse_interval(worse, reference)
    assert worse_low < better_high


def test_ratio_interval_and_small_groups():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0, 1.0, 400) ** 2, rng.normal(0, 2.0, 400) ** 2
    ratio, low, high = ratio_interval(a, b)
    assert ratio == pytest.approx(np.sqrt(a.mean() / b.mean())) and low < 0.5 < high
    assert np.isnan(ratio_interval(a[:1], b)[1])  # one frame: no interval
    assert np.isnan(rmse_interval([1.0], [0.0])[1])


def test_ordering_joins_tied_models_and_separates_the_better():
    import pandas as pd

    comparisons = pd.DataFrame(
        [
            {
                "model_a": "gap",
                "model_b": "sgdml",
                "energy_rmse_a": 0.9,
                "energy_rmse_b": 0.7,
                "energy_verdict": "sgdml better",
            },
            {
                "model_a": "gap",
                "model_b": "schnet",
                "energy_rmse_a": 0.9,
                "energy_rmse_b": 0.95,
                "energy_verdict": "tied",
            },
            {
                "model_a": "sgdml",
                "model_b": "schnet",
                "energy_rmse_a": 0.7,
                "energy_rmse_b": 0.95,
                "energy_verdict": "sgdml better",
            },
        ]
    )
    assert ordering(comparisons, "energy") == "sgdml (0.70) < gap (0.90) ≈ schnet (0.95)"
    assert ordering(comparisons, "energy", str.upper).startswith("SGDML (0.70)")


def test_rows_of_one_frame_are_drawn_together():
    """A frame held out by two folds is one frame, not two: grouping by frame keeps the
    interval as wide as that of the frames themselves."""
    rng = np.random.default_rng(4)
    reference = rng.normal(size=200)
    a, b = reference + rng.normal(0, 1.0, 200), reference + rng.normal(0, 1.1, 200)
    _, low, high = paired_rmse_difference(a, b, reference, seed=3)
    twice = np.concatenate([reference, reference]), np.concatenate([a, a]), np.concatenate([b, b])
    groups = np.concatenate([np.arange(200), np.arange(200)])
    _, grouped_low, grouped_high = paired_rmse_difference(twice[1], twice[2], twice[0], seed=3, groups=groups)
    _, naive_low, naive_high = paired_rmse_difference(twice[1], twice[2], twice[0], seed=3)
    assert grouped_high - grouped_low == pytest.approx(high - low, rel=0.15)
    assert (naive_high - naive_low) < 0.85 * (grouped_high - grouped_low)  # ~1/sqrt(2) too narrow


def test_models_never_compared_are_marked_unknown_in_the_ordering():
    import pandas as pd

    comparisons = pd.DataFrame(
        [{"model_a": "gap", "model_b": "sgdml", "energy_rmse_a": 0.9, "energy_rmse_b": 0.7, "energy_verdict": "tied"}]
    )
    other = pd.DataFrame(
        [
            {
                "model_a": "mace",
                "model_b": "gap",
                "energy_rmse_a": 0.8,
                "energy_rmse_b": 0.9,
                "energy_verdict": "mace better",
            }
        ]
    )
    # sGDML and MACE were never compared (other frames): neither "<" nor "≈"
    assert ordering(pd.concat([comparisons, other]), "energy") == "sgdml (0.70) ? mace (0.80) < gap (0.90)"
    assert ordering(comparisons.iloc[:0], "energy") == ""
