"""The datasets' figures: energy distributions per campaign and dataset (Fig. 2), distance
distributions (Fig. 3)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

from flexmlff.plots.style import apply_style


def energy_distributions(by_campaign: Mapping[str, np.ndarray], by_dataset: Mapping[str, np.ndarray], reference: str):
    """Relative-energy histograms (kcal/mol above `reference`, frame counts on shared
    bins) per MD campaign (a) and per assembled dataset (b) (paper Fig. 2)."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.8), sharex=True)
    every = np.concatenate([*by_campaign.values(), *by_dataset.values()])
    bins = np.linspace(every.min(), every.max(), 61)
    for ax, groups, title in ((axes[0], by_campaign, "(a) MD campaigns"), (axes[1], by_dataset, "(b) datasets")):
        for colour, (name, energies) in zip(sns.color_palette("colorblind", len(groups)), groups.items()):
            sns.histplot(
                energies,
                ax=ax,
                stat="count",
                element="step",
                fill=False,
                bins=bins,
                color=colour,
                label=f"{name} ({len(energies)})",
            )
        ax.set_xlabel(rf"$E - E_\mathrm{{{reference}}}$ (kcal mol$^{{-1}}$)")
        ax.set_ylabel("frames")
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def distance_distributions(distances: Mapping[str, np.ndarray]):
    """Distributions of all interatomic distances (Å) per dataset (paper Fig. 3)."""
    apply_style()
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for colour, (name, values) in zip(sns.color_palette("colorblind", len(distances)), distances.items()):
        sns.histplot(values, ax=ax, stat="density", element="step", fill=False, bins=150, color=colour, label=name)
    ax.set_xlabel("interatomic distance (Å)")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    sns.despine(fig)
    return fig
