"""ML-driven MD (Fig. 9): the transition coordinate of every run against time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from flexmlff.plots.style import COORDINATE_SYMBOLS, apply_style, line_colours, model_label


def ml_md_traces(outcomes: list[dict]):
    """The monitored coordinate (degrees) vs time (fs) of ML-driven MD runs, one panel per
    start and one line per model, the two minima's values marked (paper Fig. 9)."""
    apply_style()
    starts = list(dict.fromkeys(o["start"] for o in outcomes))
    fig, axes = plt.subplots(1, len(starts), figsize=(4.0 * len(starts), 3.4), squeeze=False)
    # the family that drove each run (the sGDML entry's descriptor where it chose one)
    models = list(dict.fromkeys(o.get("drove", o["model"]) for o in outcomes))
    colours = dict(zip(models, line_colours(models)))
    for ax, start in zip(axes[0], starts):
        runs = [o for o in outcomes if o["start"] == start]
        magnitude = runs[0]["magnitude"]  # a dihedral whose minima differ by its magnitude (azobenzene phi)
        for run in runs:
            values = np.abs(run["values_deg"]) if magnitude else run["values_deg"]
            ax.plot(
                run["time_fs"],
                values,
                color=colours.get(run.get("drove", run["model"])),
                lw=1,
                label=f"{model_label(run.get('drove', run['model']))} → {run['ends_in']}",
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
    sns.despine(fig, right=False)
    fig.tight_layout()
    return fig
