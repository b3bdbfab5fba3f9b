"""Energy profiles along the reference paths: the MEPs and driven paths, the isomerisation
mechanisms (Table I's paths)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from flexmlff.plots.style import ENERGY_LABEL, apply_style


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
