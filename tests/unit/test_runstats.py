"""The run report (flexmlff.runstats.run_report) on a run's files written by hand."""

import os
from datetime import datetime

import pytest

from flexmlff.runstats import job_times, run_report

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def job(results, rule, name, started, finished, step_s, wall_s, cpu_s):
    """One job's log (as flexmlff.runlog writes it) and benchmark file; `name` "" is a rule of one job."""
    log = results / "logs" / (f"{rule}/{name}.log" if name else f"{rule}.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(
        f"{started},000 INFO flexmlff.{rule}: started (process 1)\n"
        f"{started},500 INFO flexmlff.{rule}: something in between\n"
        f"{finished},000 INFO flexmlff.{rule}: finished in {step_s} s\n"
    )
    bench = results / "benchmarks" / rule / f"{name or 'all'}.tsv"
    bench.parent.mkdir(parents=True, exist_ok=True)
    bench.write_text(HEADER + f"{wall_s}\t0:00:00\t100\t1\t1\t1\t0\t0\t0\t{cpu_s}\n")


def test_the_report_sums_a_run_from_its_jobs_and_figures(tmp_path):
    results = tmp_path / "results"
    # two hours on 2 cores: a training of 1.5 h beside one of 2 h, then a plot
    job(
        results, "train_gap", "glycine_n100_fold0", "2026-12-07 10:00:00", "2026-12-07 11:30:00", 5390.0, 5400.0, 5400.0
    )
    job(
        results,
        "train_sgdml",
        "glycine_n100_fold0",
        "2026-12-07 10:00:00",
        "2026-12-07 12:00:00",
        7196.0,
        7200.0,
        7200.0,
    )
    job(results, "summary_table", "", "2026-12-07 11:59:00", "2026-12-07 12:00:00", 55.0, 60.0, 60.0)
    figure = results / "figures" / "fig4_learning_curves.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"png")
    half_past_ten = datetime(2026, 12, 7, 10, 30).timestamp()
    os.utime(figure, (half_past_ten, half_past_ten))
    times = job_times(results / "logs")
    assert sorted(times["job"]) == ["all", "glycine_n100_fold0", "glycine_n100_fold0"]
    report = run_report(results, cores=2)
    assert report["wall_h"] == pytest.approx(2.0)
    assert report["core_hours"] == pytest.approx((5400 + 7200 + 60) / 3600)
    assert report["utilisation"] == pytest.approx((5400 + 7200 + 60) / 3600 / 4)
    assert report["startup_s"] == pytest.approx(5.0)  # median of 10, 4 and 5 s
    assert report["figures"] == {"fig4_learning_curves": pytest.approx(0.5)}
    assert "2.00 h wall, 3.52 core-hours on 2 cores, utilisation 0.88" in report["line"]
    assert "first figure after 0.50 h (25 % of the run)" in report["line"]


def test_a_folder_without_finished_jobs_is_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no job log says it finished"):
        run_report(tmp_path, cores=2)
