"""ML-driven MD as statistics (flexmlff.md_statistics) and the checks that end a run."""

import numpy as np
import pytest

from flexmlff import evaluate, md_statistics


def run(model, ends_in="cis", failure="", failure_frame=None, values=(10.0, 20.0, 30.0, 40.0), start="rotation:8"):
    """One run's outcome as the ml_md rule writes it (a frame every 10 fs)."""
    return {
        "start": start,
        "model": model,
        "drove": model,
        "ends_in": ends_in,
        "failure": failure,
        "failure_frame": failure_frame,
        "failure_time_fs": None if failure_frame is None else 10.0 * failure_frame,
        "outcome_ends_deg": {"trans": 180.0, "cis": 5.0},
        "outcome_signed": False,
        "outcome_values_deg": list(values),
    }


def test_wilson_interval_matches_its_closed_form():
    """3 of 10 at 95 %: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    z, n, p = 1.959963984540054, 10, 0.3
    centre, half = (p + z**2 / (2 * n)), z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    expected = ((centre - half) / (1 + z**2 / n), (centre + half) / (1 + z**2 / n))
    assert md_statistics.wilson_interval(3, 10) == pytest.approx(expected, abs=1e-9)
    low, high = md_statistics.wilson_interval(0, 4)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.4899, abs=1e-4)


def test_fractions_count_a_failed_run_as_failed_whatever_its_end():
    runs = [run("gap", "cis"), run("gap", "trans", failure="bond broken", failure_frame=2), run("gap", "trans")]
    table = md_statistics.outcome_fractions(runs).set_index("class")
    # the minimum of the lower |phi| band first
    assert list(table.index) == ["cis", "transition", "trans", "failed"]
    assert table.loc["failed", "count"] == 1 and table.loc["trans", "count"] == 1 and table.loc["cis", "count"] == 1
    assert table["fraction"].sum() == pytest.approx(1.0)


def test_a_model_is_undecided_where_its_interval_overlaps_the_reference_and_differs_where_not():
    ten = 10
    reference = [run("reference", "cis") for _ in range(ten)]
    same = [run("sgdml", "cis") for _ in range(ten)]
    broken = [run("schnet", "cis", failure="atoms too close", failure_frame=1) for _ in range(ten)]
    table = md_statistics.statistics_table(reference + same + broken)
    verdict = table.set_index(["model", "class"])["verdict"]
    assert verdict["sgdml", "cis"] == "undecided" and verdict["schnet", "cis"] == "differs"
    assert verdict["schnet", "failed"] == "differs" and verdict["reference", "cis"] == ""
    # identical runs: their coordinate distributions are the same, distance 0
    distance = table.drop_duplicates("model").set_index("model")["js_distance"]
    assert distance["sgdml"] == pytest.approx(0.0, abs=1e-12)
    # the broken runs' only intact frame (10 deg) is one of the reference's four 10-deg bins:
    # P = (1, 0, 0, 0), Q = (1/4, 1/4, 1/4, 1/4), M = (5/8, 1/8, 1/8, 1/8)
    kl_p = np.log2(1 / 0.625)
    kl_q = 0.25 * np.log2(0.25 / 0.625) + 0.75 * np.log2(0.25 / 0.125)
    expected = np.sqrt(0.5 * (kl_p + kl_q))
    assert distance["schnet"] == pytest.approx(expected, rel=1e-9)
    assert table.set_index(["model", "class"]).loc[("schnet", "failed"), "mean_failure_time_fs"] == 10.0


def test_survival_is_the_fraction_without_a_failure_so_far():
    runs = [
        run("gap"),
        run("gap", failure="bond broken", failure_frame=2),
        run("gap", failure="bond formed", failure_frame=5),
    ]
    assert md_statistics.survival(runs, [0.0, 19.0, 20.0, 49.0, 50.0, 1000.0]).tolist() == pytest.approx(
        [1.0, 1.0, 2 / 3, 2 / 3, 1 / 3, 1 / 3]
    )


def test_the_molecule_check_of_one_frame_is_the_check_of_that_frame_in_a_run():
    """IntactMolecule, asked during a run one frame at a time, agrees with first_failure after it."""
    water = np.zeros((6, 3, 3))
    water[:, 1] = [0.96, 0.0, 0.0]
    water[:, 2] = [-0.24, 0.93, 0.0]
    water[4:, 1] = [1.45, 0.0, 0.0]  # the O-H bond past 1.5x from frame 4 on
    intact = evaluate.IntactMolecule(water[0], [8, 1, 1], [(0, 1), (0, 2)])
    assert [intact.failure(frame) for frame in water] == [""] * 4 + ["bond broken"] * 2
    assert evaluate.first_failure(water, [8, 1, 1], [(0, 1), (0, 2)])["failure_frame"] == 4


def test_a_temperature_runs_away_only_past_the_factor():
    times, temperatures = np.arange(5) * 5.0, [300.0, 350.0, 899.0, 950.0, 2000.0]
    assert evaluate.temperature_runaway(times, temperatures, 300.0, factor=3.0) == 15.0
    assert evaluate.temperature_runaway(times, temperatures[:3], 300.0, factor=3.0) is None


def test_the_summary_names_each_models_usual_end_its_failures_and_where_it_differs():
    reference = [run("reference", "trans") for _ in range(4)]
    broken = [run("schnet", "cis", failure="bond broken", failure_frame=1) for _ in range(4)]
    close = [run("sgdml", "trans") for _ in range(3)] + [run("sgdml", "cis")]
    rows = md_statistics.summary_rows(md_statistics.statistics_table(reference + broken + close)).set_index("model")
    assert list(rows.index) == ["schnet", "sgdml"]
    assert rows.loc["schnet", "ends_in"] == "failed 1.00" and rows.loc["schnet", "reference_ends_in"] == "trans 1.00"
    # four of four against none: the only split four runs a side can call
    assert rows.loc["schnet", "differs_in"] == "trans, failed"
    assert rows.loc["sgdml", "ends_in"] == "trans 0.75" and rows.loc["sgdml", "differs_in"] == "none"
    assert rows.loc["sgdml", "failed"] == "0.00 [0.00, 0.49]"
