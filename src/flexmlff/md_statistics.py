"""ML-driven MD as statistics: from each start, the fraction of runs that end in each class
(the molecule's minima, 'transition') or fail, with Wilson intervals, against the runs of the
reference level from the same starts and seeds; the fraction still intact against time; and
how far the transition coordinate's distribution over the intact frames is from the reference's.

Each run is one outcome of :func:`flexmlff.evaluate.md_outcome` with the failure fields of
:func:`flexmlff.evaluate.first_failure` (as the ``ml_md`` rule writes them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import binomtest

from flexmlff.uncertainty import LEVEL

#: The class of a run that broke the molecule (or overheated) before it ended.
FAILED = "failed"
#: The name of the reference level's runs (the layout's ``ml_md_reference``).
REFERENCE = "reference"
#: Bins of the transition coordinate's distribution, degrees.
DISTRIBUTION_BIN_DEG = 10.0


def run_class(outcome: dict) -> str:
    """'failed' for a run that failed, else the class of its end (a minimum or 'transition')."""
    return FAILED if outcome.get("failure") else outcome["ends_in"]


def classes(outcome: dict) -> list[str]:
    """The classes a run from this start can end in, in reading order: the minimum of the
    lower band, 'transition', the other, 'failed'."""
    measure = float if outcome["outcome_signed"] else abs
    first, second = sorted(outcome["outcome_ends_deg"], key=lambda end: measure(outcome["outcome_ends_deg"][end]))
    return [first, "transition", second, FAILED]


def wilson_interval(count: int, runs: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a fraction `count`/`runs` (NaN for no runs)."""
    if runs == 0:
        return np.nan, np.nan
    interval = binomtest(count, runs).proportion_ci(confidence_level=level, method="wilson")
    return float(interval.low), float(interval.high)


def outcome_fractions(outcomes: list[dict]) -> pd.DataFrame:
    """Per start, model (the family that drove, or 'reference') and class: runs, count,
    fraction and its Wilson interval (``low``, ``high``)."""
    rows = []
    for (start, model), runs in _by_start_and_model(outcomes).items():
        counted = [run_class(o) for o in runs]
        for name in classes(runs[0]):
            count = counted.count(name)
            low, high = wilson_interval(count, len(runs))
            rows.append(
                {
                    "start": start,
                    "model": model,
                    "class": name,
                    "runs": len(runs),
                    "count": count,
                    "fraction": count / len(runs),
                    "low": low,
                    "high": high,
                }
            )
    return pd.DataFrame(rows)


def against_reference(fractions: pd.DataFrame) -> pd.DataFrame:
    """`fractions` with the reference's fraction and interval of the same start and class
    beside each model's, and a verdict: 'differs' where the two intervals are disjoint,
    'undecided' where they overlap (too few runs to tell), '' for the reference itself or
    where it has no runs."""
    reference = fractions[fractions["model"] == REFERENCE].set_index(["start", "class"])[["fraction", "low", "high"]]
    merged = fractions.join(reference.add_prefix("reference_"), on=["start", "class"])
    disjoint = (merged["high"] < merged["reference_low"]) | (merged["low"] > merged["reference_high"])
    has_reference = merged["reference_fraction"].notna() & (merged["model"] != REFERENCE)
    merged["verdict"] = np.where(has_reference, np.where(disjoint, "differs", "undecided"), "")
    return merged


def intact_frames(outcome: dict) -> np.ndarray:
    """The run's transition coordinate (degrees; its magnitude unless the outcome is signed)
    over its frames before the first failure."""
    values = np.asarray(outcome["outcome_values_deg"], dtype=float)
    if outcome.get("failure"):
        values = values[: outcome["failure_frame"]]
    return values if outcome["outcome_signed"] else np.abs(values)


def coordinate_histogram(values_deg, signed: bool) -> np.ndarray:
    """Probabilities of the transition coordinate in bins of :data:`DISTRIBUTION_BIN_DEG`
    over [0, 180]° (its magnitude) or [-180, 180]° (signed)."""
    edges = np.arange(-180.0 if signed else 0.0, 180.0 + DISTRIBUTION_BIN_DEG / 2, DISTRIBUTION_BIN_DEG)
    counts, _ = np.histogram(values_deg, bins=edges)
    return counts / counts.sum() if counts.sum() else counts.astype(float)


def distribution_distance(runs: list[dict], reference_runs: list[dict]) -> float:
    """Jensen–Shannon distance (base 2: 0 the same, 1 disjoint) between the transition
    coordinate's distribution over the intact frames of `runs` and of `reference_runs`;
    NaN where either has no intact frame."""
    signed = runs[0]["outcome_signed"]
    ours, theirs = (
        coordinate_histogram(np.concatenate([intact_frames(o) for o in group]), signed)
        for group in (runs, reference_runs)
    )
    if not ours.sum() or not theirs.sum():
        return np.nan
    return float(jensenshannon(ours, theirs, base=2))


def survival(runs: list[dict], times_fs) -> np.ndarray:
    """The fraction of `runs` still intact (no failure at or before) at each of `times_fs`."""
    failed_at = np.array([o["failure_time_fs"] if o.get("failure") else np.inf for o in runs], dtype=float)
    return (failed_at[None, :] > np.asarray(times_fs, dtype=float)[:, None]).mean(axis=1)


def statistics_table(outcomes: list[dict]) -> pd.DataFrame:
    """Per start, model and class, :func:`against_reference`'s fractions, with the model's
    runs' Jensen–Shannon distance from the reference's (:func:`distribution_distance`) and
    mean time to failure of the failed runs (fs)."""
    table = against_reference(outcome_fractions(outcomes))
    grouped = _by_start_and_model(outcomes)
    distance, failure_time = {}, {}
    for (start, model), runs in grouped.items():
        reference = grouped.get((start, REFERENCE))
        distance[start, model] = distribution_distance(runs, reference) if reference else np.nan
        times = [o["failure_time_fs"] for o in runs if o.get("failure")]
        failure_time[start, model] = float(np.mean(times)) if times else np.nan
    keys = list(zip(table["start"], table["model"]))
    table["js_distance"] = [distance[k] for k in keys]
    table["mean_failure_time_fs"] = [failure_time[k] for k in keys]
    return table


def statistics_markdown(table: pd.DataFrame) -> str:
    """One row per start and model: each class's fraction with its interval (and, for a
    model, * where it differs from the reference's), the runs and the JS distance."""

    def cell(row) -> str:
        mark = " *" if row["verdict"] == "differs" else ""
        return f"{row['fraction']:.2f} [{row['low']:.2f}, {row['high']:.2f}]{mark}"

    lines = []
    for start, rows in table.groupby("start", sort=False):
        names = list(dict.fromkeys(rows["class"]))
        lines += [
            f"From {start}:",
            "",
            "| model | runs | " + " | ".join(names) + " | JS distance from reference |",
            "|---|---:|" + "---|" * len(names) + "---:|",
        ]
        for model, runs in rows.groupby("model", sort=False):
            by_class = runs.set_index("class")
            distance = runs["js_distance"].iloc[0]
            shown = "" if model == REFERENCE or np.isnan(distance) else f"{distance:.2f}"
            cells = " | ".join(cell(by_class.loc[name]) for name in names)
            lines.append(f"| {model} | {runs['runs'].iloc[0]} | {cells} | {shown} |")
        lines.append("")
    return "\n".join(lines)


def _by_start_and_model(outcomes: list[dict]) -> dict[tuple[str, str], list[dict]]:
    """The runs of each (start, driving model), in the order first met."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for outcome in outcomes:
        grouped.setdefault((outcome["start"], outcome.get("drove", outcome["model"])), []).append(outcome)
    return grouped


def summary_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Per start and model (the reference left out), from a :func:`statistics_table`: the runs,
    the model's most frequent class and the reference's with their fractions, the failed
    fraction with its interval, the classes whose intervals are disjoint from the
    reference's ("none" for none) and the JS distance."""
    rows = []
    for (start, model), runs in table[table["model"] != REFERENCE].groupby(["start", "model"], sort=False):
        by_class = runs.set_index("class")
        top = by_class["fraction"].idxmax()
        reference_top = by_class["reference_fraction"].idxmax() if by_class["reference_fraction"].notna().any() else ""
        failed = by_class.loc[FAILED]
        differs = by_class.index[by_class["verdict"] == "differs"].tolist()
        rows.append(
            {
                "start": start,
                "model": model,
                "runs": int(runs["runs"].iloc[0]),
                "ends_in": f"{top} {by_class.loc[top, 'fraction']:.2f}",
                "reference_ends_in": f"{reference_top} {by_class.loc[reference_top, 'reference_fraction']:.2f}"
                if reference_top
                else "",
                "failed": f"{failed['fraction']:.2f} [{failed['low']:.2f}, {failed['high']:.2f}]",
                "differs_in": ", ".join(differs) or "none",
                "js_distance": float(runs["js_distance"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)
