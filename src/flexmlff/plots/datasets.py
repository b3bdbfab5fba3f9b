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


def audit_panels(
    table, E_dataset, E_audit, dataset_level: str, audit_level: str, coordinate: str | None, signed: bool = False
):
    """A dataset's level against an audit level (:func:`flexmlff.audit.audit_errors`): (a) the
    audited frames' energies, both relative to the audit level's lowest frame, the dataset's
    after removing its mean offset; (b) the energy and (c) the force RMSE per cluster of the
    transition coordinate, the dashed line over all audited frames."""
    apply_style()
    fig, axes = plt.subplots(1, 3, figsize=(12.0, 3.6))
    E_dataset, E_audit = np.asarray(E_dataset, dtype=float), np.asarray(E_audit, dtype=float)
    zero = E_audit.min()
    shifted = E_dataset - np.mean(E_dataset - E_audit)
    ax = axes[0]
    ax.scatter(E_audit - zero, shifted - zero, s=14, color="k")
    ends = [min(0.0, (shifted - zero).min()), max((E_audit - zero).max(), (shifted - zero).max())]
    ax.plot(ends, ends, color="0.6", lw=0.8)
    ax.set_xlabel(f"{audit_level} (kcal mol$^{{-1}}$)")
    ax.set_ylabel(f"{dataset_level}, offset removed (kcal mol$^{{-1}}$)")
    ax.set_title("(a) energies", loc="left")
    clusters, overall = table[table["cluster"] != "all"], table[table["cluster"] == "all"].iloc[0]
    for ax, metric, unit, title in (
        (axes[1], "energy_rmse", "kcal mol$^{-1}$", "(b) energy"),
        (axes[2], "force_rmse", r"kcal mol$^{-1}$ Å$^{-1}$", "(c) forces"),
    ):
        if len(clusters):
            ax.bar(
                clusters["from_deg"], clusters[metric], width=clusters["to_deg"] - clusters["from_deg"], align="edge"
            )
            shown = coordinate if signed else f"|{coordinate}|"
            ax.set_xlabel(f"{shown} cluster (°)")
        else:
            ax.bar([0.0], [overall[metric]])
            ax.set_xticks([0.0], ["all frames"])
        ax.axhline(overall[metric], ls="--", color="0.3", lw=1.0, label=f"all {int(overall['n_frames'])} frames")
        ax.set_ylabel(f"RMSE ({unit})")
        ax.set_title(title, loc="left")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(f"{dataset_level} against {audit_level}", fontsize=10)
    sns.despine(fig)
    fig.tight_layout()
    return fig
