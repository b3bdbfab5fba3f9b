"""Energy profiles along the reference paths: the MEPs and driven paths, the isomerisation
mechanisms (Table I's paths)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from flexmlff.plots.style import ENERGY_LABEL, apply_style, line_colours, model_label


def mep_profiles(profiles: Mapping[str, pd.DataFrame], title: str):
    """Energy along each path (kcal/mol relative to the first minimum) vs the
    normalised path coordinate, one line per method."""
    apply_style()
    fig, ax = plt.subplots(figsize=(5.0, 3.6))
    styles = [dict(marker="o", ls="-", ms=6), dict(marker="s", ls="--", ms=4, mfc="none")]
    for (method, profile), style in zip(profiles.items(), styles * len(profiles)):
        s = profile["path_coordinate_A"] / profile["path_coordinate_A"].iloc[-1]
        top = profile["energy_kcal_mol"].max()
        ax.plot(s, profile["energy_kcal_mol"], **style, label=f"{method} (max {top:.2f} kcal/mol)")
    ax.set_xlabel("normalised path coordinate")
    ax.set_ylabel(ENERGY_LABEL)
    ax.set_title(title)
    ax.legend(frameon=False)
    sns.despine(fig)
    return fig


PATH_LABELS = {
    "rotation": "rotation",
    "inversion": "inversion",
    "rotation_inversion": "rotation + inversion",
    "optimised_rotation": "optimised rotation",
    "optimised_rotation_all": "optimised rotation (all relaxed)",
    "optimised_rotation_paper": "optimised rotation (paper's coordinates)",
}


def isomerisation_profiles(profiles: Mapping[str, pd.DataFrame], title: str):
    """Energy relative to cis (kcal/mol) along every path, by frame (paper Fig. S1)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    markers = ["o", "s", "^", "D"]
    for (name, profile), marker in zip(profiles.items(), markers * len(profiles)):
        top = profile["energy_kcal_mol"].max()
        ax.plot(
            profile["image"],
            profile["energy_kcal_mol"],
            marker=marker,
            ms=4,
            label=f"{PATH_LABELS.get(name, name)} (max {top:.1f})",
        )
    ax.set_xlabel("frame (0 = cis, last = trans)")
    ax.set_ylabel(ENERGY_LABEL)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    sns.despine(fig)
    return fig


def path_error_profiles(frames: pd.DataFrame, max_columns: int = 4):
    """The reference paths with models on them (:data:`flexmlff.path_errors.FRAME_COLUMNS`):
    a panel per dataset and path, the reference energy along the path (black) and each model's
    on the same frames, both relative to the path's first frame; the legend below the panels."""
    apply_style()
    panels = list(frames.groupby(["dataset", "path"], sort=False))
    columns = min(max_columns, len(panels))
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.7 * rows), squeeze=False)
    models = list(dict.fromkeys(frames["model"]))
    colours = dict(zip(models, line_colours(models)))
    for ax, ((dataset, path), panel) in zip(axes.flat, panels):
        reference = panel[panel["model"] == panel["model"].iloc[0]].sort_values("frame")
        ax.plot(reference["frame"], reference["reference_energy_kcal_mol"], "k-o", ms=3, lw=1.5, label="reference")
        for model, rows_of_model in panel.groupby("model", sort=False):
            rows_of_model = rows_of_model.sort_values("frame")
            ax.plot(
                rows_of_model["frame"],
                rows_of_model["predicted_energy_kcal_mol"],
                "-",
                lw=1.0,
                color=colours[model],
                label=model_label(model),
            )
        ax.set_title(f"{dataset}: {PATH_LABELS.get(path, path)}", fontsize=9, loc="left")
        ax.set_xlabel("frame")
        ax.set_ylabel(ENERGY_LABEL)
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    handles = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    labels = list(handles)
    fig.legend(
        [handles[label] for label in labels], labels, loc="lower center", ncol=min(len(labels), 5), frameon=False
    )
    sns.despine(fig)
    fig.tight_layout(rect=(0, 0.06 + 0.02 * math.ceil(len(labels) / 5), 1, 1))
    return fig
