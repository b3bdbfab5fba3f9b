"""What a workflow run's jobs used, per rule, and the run as a whole:
``python -m flexmlff.runstats [results] [--cores N]``.

Reads every job's benchmark file (Snakemake's: wall and CPU seconds, peak resident memory),
the last line of every job's log (:data:`flexmlff.runlog.PEAKS_LINE`: peak scratch, peak
memory of the job and of its largest program) and the times its log says it started and
finished, so that `flexmlff.costs`' memory and runtime formulas can be checked against what
jobs really used, and a run can be summed up in one line (:func:`run_report`): its wall time,
core-hours, how busy it kept the cores, what starting its jobs cost and when each figure
appeared.
"""

from __future__ import annotations

import argparse
import os
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

#: Reads back :data:`flexmlff.runlog.PEAKS_LINE`.
PEAKS = re.compile(r"peak scratch ([\d.]+) MB, peak memory (\d+) MB \(job\) and (\d+) MB \(its largest program\)")


def _job_files(folder: Path, suffix: str) -> list[tuple[str, str, Path]]:
    """(rule, job, file) of every job's file: ``<rule>/<job><suffix>``, or ``<rule><suffix>``
    for a rule of one job (whose job is then "all", as its benchmark file's)."""
    nested = [(file.parent.name, file.stem, file) for file in sorted(folder.glob(f"*/*{suffix}"))]
    single = [(file.stem, "all", file) for file in sorted(folder.glob(f"*{suffix}"))]
    return nested + single


def job_peaks(logs: str | Path) -> pd.DataFrame:
    """One row per job log under `logs` (``<rule>/<job>.log``) that reports its peaks: rule,
    job, ``scratch_mb``, ``rss_mb`` (the job's process), ``program_mb`` (its largest program)."""
    rows = []
    for rule, job, log in _job_files(Path(logs), ".log"):
        found = PEAKS.findall(log.read_text(errors="replace"))
        if found:  # the last attempt's
            scratch, rss, program = found[-1]
            rows.append(
                {
                    "rule": rule,
                    "job": job,
                    "scratch_mb": float(scratch),
                    "rss_mb": float(rss),
                    "program_mb": float(program),
                }
            )
    return pd.DataFrame(rows, columns=["rule", "job", "scratch_mb", "rss_mb", "program_mb"])


def job_benchmarks(benchmarks: str | Path) -> pd.DataFrame:
    """One row per job benchmark file under `benchmarks` (``<rule>/<job>.tsv``): rule, job,
    ``wall_s``, ``cpu_s`` and ``max_rss_mb`` of its last attempt."""
    rows = []
    for file in sorted(Path(benchmarks).glob("*/*.tsv")):
        table = pd.read_csv(file, sep="\t")
        if len(table):
            last = table.iloc[-1]
            rows.append(
                {
                    "rule": file.parent.name,
                    "job": file.stem,
                    "wall_s": float(last["s"]),
                    "cpu_s": float(last["cpu_time"]),
                    "max_rss_mb": float(last["max_rss"]),
                }
            )
    return pd.DataFrame(rows, columns=["rule", "job", "wall_s", "cpu_s", "max_rss_mb"])


#: The first and last lines of a job's log (:func:`flexmlff.runlog.logged_step`), with their times.
STARTED = re.compile(r"^(\S+ \S+) INFO \S+: started \(process \d+\)$", re.M)
FINISHED = re.compile(r"^(\S+ \S+) INFO \S+: finished in ([\d.]+) s$", re.M)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S,%f"


def job_times(logs: str | Path) -> pd.DataFrame:
    """One row per job whose log says it finished: rule, job, ``started`` and ``finished``
    (datetimes of its last attempt) and ``step_s``, the seconds its own work took (what the
    job's Python did after its imports)."""
    rows = []
    for rule, job, log in _job_files(Path(logs), ".log"):
        text = log.read_text(errors="replace")
        started, finished = STARTED.findall(text), FINISHED.findall(text)
        if started and finished:
            end, step_s = finished[-1]
            rows.append(
                {
                    "rule": rule,
                    "job": job,
                    "started": datetime.strptime(started[-1], TIME_FORMAT),
                    "finished": datetime.strptime(end, TIME_FORMAT),
                    "step_s": float(step_s),
                }
            )
    return pd.DataFrame(rows, columns=["rule", "job", "started", "finished", "step_s"])


def run_report(results: str | Path, cores: int) -> dict:
    """The run as a whole, from its jobs' logs and benchmark files and its figures' times:
    ``wall_h`` (first job's start to last job's end), ``core_hours`` (the jobs' CPU time),
    ``utilisation`` (core-hours over wall time × `cores`), ``startup_s`` (per job, the
    benchmark's wall time less the job's own work: interpreter, imports, Snakemake's
    wrapper; the median), ``figures`` ({figure: hours after the start it was written}) and
    ``first_figure_h``; ``line``, all of it in one sentence to paste into an issue."""
    results = Path(results)
    times, benchmarks = job_times(results / "logs"), job_benchmarks(results / "benchmarks")
    if times.empty:
        raise ValueError(f"{results / 'logs'}: no job log says it finished; is this a results folder of a run?")
    start, end = times["started"].min(), times["finished"].max()
    wall_h = (end - start).total_seconds() / 3600
    core_hours = benchmarks["cpu_s"].sum() / 3600
    joined = benchmarks.merge(times, on=["rule", "job"])
    startup = (joined["wall_s"] - joined["step_s"]).clip(lower=0)
    figures = {
        figure.stem: (datetime.fromtimestamp(figure.stat().st_mtime) - start).total_seconds() / 3600
        for figure in sorted((results / "figures").glob("*.png"))
    }
    first = min(figures.values()) if figures else float("nan")
    utilisation = core_hours / (wall_h * cores) if wall_h > 0 else float("nan")
    line = (
        f"flexmlff run: {len(times)} jobs, {wall_h:.2f} h wall, {core_hours:.2f} core-hours on {cores} cores, "
        f"utilisation {utilisation:.2f}, job start-up {startup.median():.1f} s median "
        f"({startup.sum() / 3600:.2f} core-hours in all), first figure after {first:.2f} h "
        f"({100 * first / wall_h if wall_h > 0 else float('nan'):.0f} % of the run)"
    )
    return {
        "wall_h": wall_h,
        "core_hours": core_hours,
        "utilisation": utilisation,
        "startup_s": float(startup.median()) if len(startup) else float("nan"),
        "figures": figures,
        "first_figure_h": first,
        "line": line,
    }


def per_rule(results: str | Path) -> pd.DataFrame:
    """Per rule: jobs, summed wall and CPU seconds, and the largest peak scratch and memory
    of any of its jobs (MB)."""
    results = Path(results)
    times = (
        job_benchmarks(results / "benchmarks")
        .groupby("rule")
        .agg(jobs=("job", "size"), wall_s=("wall_s", "sum"), cpu_s=("cpu_s", "sum"), max_rss_mb=("max_rss_mb", "max"))
    )
    peaks = (
        job_peaks(results / "logs")
        .groupby("rule")
        .agg(
            peak_scratch_mb=("scratch_mb", "max"), peak_job_mb=("rss_mb", "max"), peak_program_mb=("program_mb", "max")
        )
    )
    return times.join(peaks, how="outer").sort_values("cpu_s", ascending=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flexmlff.runstats", description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", default="results", help="the run's results folder")
    parser.add_argument("--cores", type=int, default=os.cpu_count(), help="cores the run had (default: this machine's)")
    args = parser.parse_args(argv)
    table = per_rule(args.results)
    print(table.to_string(float_format=lambda v: f"{v:.1f}"))
    scratch = table["peak_scratch_mb"].max()
    print(
        f"\n{int(table['jobs'].sum())} jobs, {table['cpu_s'].sum() / 3600:.2f} core-hours, peak scratch "
        + (f"{scratch:.0f} MB" if pd.notna(scratch) else "not logged (jobs of an older flexmlff)")
        + f", peak memory {table[['max_rss_mb', 'peak_program_mb']].max().max():.0f} MB"
    )
    report = run_report(args.results, args.cores)
    print("\nfigures, hours after the run began: " + ", ".join(f"{k} {v:.2f}" for k, v in report["figures"].items()))
    print(report["line"])


if __name__ == "__main__":
    main()
