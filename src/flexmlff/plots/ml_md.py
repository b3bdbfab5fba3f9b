"""ML-driven MD: the transition coordinate of every run against time (Fig. 9), and the runs
as statistics against the reference level's (survival and the coordinate's distribution)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from flexmlff.md_statistics import REFERENCE, coordinate_histogram, intact_frames, survival
from flexmlff.plots.style import COORDINATE_SYMBOLS, apply_style, line_colours, model_label

#: The reference level's runs are drawn thick and light grey, under the models' lines (no
#: family's colour is grey; MACE's is near black).
REFERENCE_STYLE = {"color": "0.65", "lw": 3.0, "zorder": 1}


def _driver(outcome: dict) -> str:
    """The family that drove a run (the sGDML entry's descriptor where it chose one)."""
    return outcome.get("drove", outcome["model"])


def _styles(outcomes: list[dict]) -> dict[str, dict]:
    """Line style per driver: the family's colour, the reference's black dashes."""
    models = [m for m in dict.fromkeys(map(_driver, outcomes)) if m != REFERENCE]
    styles = {model: {"color": colour} for model, colour in zip(models, line_colours(models))}
    return {**styles, REFERENCE: REFERENCE_STYLE}


def ml_md_traces(outcomes: list[dict]):
    """The monitored coordinate (degrees) vs time (fs) of ML-driven MD runs, one panel per
    start and one line per model (and the reference level's run, thick grey), the two minima's
    values marked (paper Fig. 9)."""
    apply_style()
    starts = list(dict.fromkeys(o["start"] for o in outcomes))
    columns = min(3, len(starts))
    rows = -(-len(starts) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.0 * columns, 3.2 * rows), squeeze=False)
    styles = _styles(outcomes)
    for ax, start in zip(axes.flat, starts):
        runs = [o for o in outcomes if o["start"] == start]
        magnitude = runs[0]["magnitude"]  # a dihedral whose minima differ by its magnitude (azobenzene phi)
        for run in runs:
            values = np.abs(run["values_deg"]) if magnitude else run["values_deg"]
            ended = "failed" if run.get("failure") else run["ends_in"]
            ax.plot(
                run["time_fs"],
                values,
                label=f"{model_label(_driver(run))} → {ended}",
                **{"lw": 1, **styles[_driver(run)]},
            )
        right = ax.secondary_yaxis("right")
        ends = {name: abs(v) if magnitude else v for name, v in runs[0]["ends_deg"].items()}
        right.set_yticks(list(ends.values()), list(ends))
        for value in ends.values():
            ax.axhline(value, color="grey", lw=0.6, ls=":")
        symbol = COORDINATE_SYMBOLS.get(runs[0]["coordinate"], runs[0]["coordinate"])
        ax.set_ylabel(f"|{symbol}| (°)" if magnitude else f"{symbol} (°)")
        ax.set_xlabel("time (fs)")
        ax.set_title(f"from {start}", loc="left")
        ax.legend(frameon=False, fontsize=7)
    for ax in axes.flat[len(starts) :]:
        ax.set_visible(False)
    sns.despine(fig, right=False)
    fig.tight_layout()
    return fig


def ml_md_survival(outcomes: list[dict]):
    """Per start (a row): the fraction of runs still intact against time per family and for
    the reference level (left), and the distribution of the transition coordinate over the
    intact frames of all runs (right); the legend above the panels."""
    apply_style()
    starts = list(dict.fromkeys(o["start"] for o in outcomes))
    styles = _styles(outcomes)
    fig, axes = plt.subplots(len(starts), 2, figsize=(8.0, 2.6 * len(starts) + 0.4), squeeze=False)
    for (left, right), start in zip(axes, starts):
        runs = [o for o in outcomes if o["start"] == start]
        signed = runs[0]["outcome_signed"]
        times = np.linspace(0.0, max(o["steps"] * o["timestep_fs"] for o in runs), 200)
        edges = np.arange(-180.0 if signed else 0.0, 181.0, 10.0)
        for driver in dict.fromkeys(map(_driver, runs)):
            group = [o for o in runs if _driver(o) == driver]
            label = f"{model_label(driver)} ({len(group)} runs)"
            style = {"lw": 1.2, **styles[driver]}
            left.step(times, survival(group, times), where="post", label=label, **style)
            values = np.concatenate([intact_frames(o) for o in group])
            if len(values):
                right.stairs(coordinate_histogram(values, signed), edges, **style)
        left.set_ylim(-0.03, 1.03)
        left.set_xlabel("time (fs)")
        left.set_ylabel("runs intact")
        left.set_title(f"from {start}", loc="left")
        name = runs[0]["outcome_coordinate"]
        symbol = COORDINATE_SYMBOLS.get(name, name)
        right.set_xlabel(f"{symbol} (°)" if signed else f"|{symbol}| (°)")
        right.set_ylabel("fraction of frames")
        for end, value in runs[0]["outcome_ends_deg"].items():
            right.axvline(value if signed else abs(value), color="grey", lw=0.6, ls=":")
            right.annotate(end, (value if signed else abs(value), 1.0), xycoords=("data", "axes fraction"), fontsize=7)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=min(4, len(labels)),
        frameon=False,
        fontsize=8,
    )
    sns.despine(fig)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))
    return fig
