"""What a workflow run's jobs used, per rule: ``python -m flexmlff.runstats [results]``.

Reads every job's benchmark file (Snakemake's: wall and CPU seconds, peak resident memory)
and the last line of every job's log (:data:`flexmlff.runlog.PEAKS_LINE`: peak scratch,
peak memory of the job and of its largest program), so that `flexmlff.costs`' memory and
runtime formulas can be checked against what jobs really used.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

#: Reads back :data:`flexmlff.runlog.PEAKS_LINE`.
PEAKS = re.compile(r"peak scratch ([\d.]+) MB, peak memory (\d+) MB \(job\) and (\d+) MB \(its largest program\)")


def job_peaks(logs: str | Path) -> pd.DataFrame:
    """One row per job log under `logs` (``<rule>/<job>.log``) that reports its peaks: rule,
    job, ``scratch_mb``, ``rss_mb`` (the job's process), ``program_mb`` (its largest program)."""
    rows = []
    for log in sorted(Path(logs).glob("*/*.log")):
        found = PEAKS.findall(log.read_text(errors="replace"))
        if found:  # the last attempt's
            scratch, rss, program = found[-1]
            rows.append(
                {
                    "rule": log.parent.name,
                    "job": log.stem,
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
    results = (argv if argv is not None else sys.argv[1:]) or ["results"]
    table = per_rule(results[0])
    print(table.to_string(float_format=lambda v: f"{v:.1f}"))
    scratch = table["peak_scratch_mb"].max()
    print(
        f"\n{int(table['jobs'].sum())} jobs, {table['cpu_s'].sum() / 3600:.2f} core-hours, peak scratch "
        + (f"{scratch:.0f} MB" if pd.notna(scratch) else "not logged (jobs of an older flexmlff)")
        + f", peak memory {table[['max_rss_mb', 'peak_program_mb']].max().max():.0f} MB"
    )


if __name__ == "__main__":
    main()
