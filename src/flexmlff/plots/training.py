"""How the models were trained: each training's validation history and hyperparameter scan, and the
training sets grown where the model errs."""

from __future__ import annotations

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from flexmlff.plots.errors import RMSE_PANELS, cluster_axes
from flexmlff.plots.style import COORDINATE_SYMBOLS, apply_style, model_label


def training_set_panels(clusters: pd.DataFrame, summary: pd.DataFrame, steps: pd.DataFrame, coordinate: str):
    """Grown against energy-stratified training sets, one row per family: energy and force
    RMSE per cluster of |`coordinate`| on the same held-out frames (bars side by side, the
    clusters' population as a line), and the force RMSE after each step against the
    stratified model's (folds pooled)."""
    apply_style()
    models = list(dict.fromkeys(summary["model"]))
    palette = sns.color_palette("colorblind")
    colours = {"stratified": palette[0], "optimised": palette[2]}  # orange is the population line
    symbol = COORDINATE_SYMBOLS.get(coordinate, coordinate).strip("$")
    fig, axes = plt.subplots(
        len(models), 3, figsize=(15.0, 3.4 * len(models)), squeeze=False, gridspec_kw={"width_ratios": [1, 1, 0.6]}
    )
    for row, (panels, model) in enumerate(zip(axes, models)):
        for ax, (metric, label) in zip(panels[:2], RMSE_PANELS):
            for offset, (training_set, colour) in zip((-0.2, 0.2), colours.items()):
                table = clusters[(clusters["model"] == model) & (clusters["training_set"] == training_set)]
                ax.bar(table["cluster"] + offset, table[metric], width=0.4, color=colour, label=training_set)
            cluster_axes(ax, table, label, symbol)
        rows = summary[summary["model"] == model].set_index("training_set")
        parts = [
            f"{name} {r['energy_rmse']:.2f} / {r['force_rmse']:.2f} ({r['energy_equilibrium_to_transition']:.2f}"
            f" / {r['force_equilibrium_to_transition']:.2f})"
            for name, r in rows.loc[list(colours)].iterrows()
        ]
        panels[0].set_title(
            f"({chr(97 + row)}) {model_label(model)}, {int(rows['n_test_frames'].iloc[0])} "
            f"held-out frames, E / F RMSE (eq./trans. ratios): {'; '.join(parts)}",
            loc="left",
            fontsize=8,
        )
        panels[0].legend(frameon=False, fontsize=8)
        # pooled over the folds (equal test sets): the last step is then the summary's own value
        curve = (
            steps[steps["model"] == model]
            .assign(mse=lambda t: t["force_rmse"] ** 2)
            .groupby("n_train", as_index=False)["mse"]
            .mean()
        )
        curve["force_rmse"] = np.sqrt(curve["mse"])
        panels[2].plot(curve["n_train"], curve["force_rmse"], "o-", color=colours["optimised"], label="grown, per step")
        panels[2].plot(
            curve["n_train"].iloc[-1],
            rows.loc["stratified", "force_rmse"],
            "s",
            color=colours["stratified"],
            label="stratified",
        )
        panels[2].set_xlabel("training points")
        panels[2].set_ylabel(RMSE_PANELS[1][1])
        panels[2].legend(frameon=False, fontsize=8)
    sns.despine(fig, right=False)
    fig.tight_layout()
    return fig


HYPERPARAMETER_LABELS = {"sigma": r"kernel width $\sigma$", "force_sigma_eV_per_A": r"$\sigma_F$ (eV Å$^{-1}$)"}


def training_diagnostics(histories: pd.DataFrame, scans: pd.DataFrame, title: str):
    """How each family's training went on one dataset, one panel per family, three to a row.

    Networks: training (dashed) and validation (solid) loss per epoch for every fold
    at the largest training size, the kept epoch marked; a curve still falling at its
    end means training stopped too early. Kernel models: validation force RMSE over the
    hyperparameter grid (sGDML's σ, GAP's σ_F) for every size, best fold, its choice marked.
    """
    apply_style()
    families = [*dict.fromkeys([*histories["family"], *scans["family"]])]
    # a grid of at most three columns: a row of six panels is unreadable at print size
    columns = min(max(len(families), 1), 3)
    rows = -(-max(len(families), 1) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.9 * columns, 3.3 * rows), squeeze=False)
    for ax in axes.flat[len(families) :]:
        ax.set_visible(False)
    palette = sns.color_palette("colorblind")
    for ax, family in zip(axes.flat, families):
        history = histories[histories["family"] == family]
        if len(history):
            largest = history[history["n_train"] == history["n_train"].max()]
            for colour, (fold, run) in zip(palette, largest.groupby("fold")):
                ax.plot(run["epoch"], run["train_loss"], ls="--", lw=1, color=colour)
                ax.plot(run["epoch"], run["valid_loss"], lw=1.2, color=colour, label=f"fold {fold}")
                kept = run.loc[run["valid_loss"].idxmin()]
                ax.plot(kept["epoch"], kept["valid_loss"], "o", color=colour, ms=4)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss (solid: validation, dashed: training)", fontsize=8)
            ax.set_title(f"{model_label(family)}, n = {largest['n_train'].iloc[0]}", loc="left", fontsize=9)
        else:
            scan = scans[scans["family"] == family]
            for colour, (n_train, by_size) in zip(palette, scan.groupby("n_train")):
                best_fold = by_size.groupby("fold")["valid_force_rmse"].min().idxmin()
                line = by_size[by_size["fold"] == best_fold].sort_values("value")
                ax.plot(line["value"], line["valid_force_rmse"], "o-", ms=3, color=colour, label=f"n = {n_train}")
                kept = line.loc[line["valid_force_rmse"].idxmin()]
                ax.plot(kept["value"], kept["valid_force_rmse"], "*", ms=10, color=colour)
            ax.set_xscale("log")
            ax.set_xticks(sorted(scan["value"].unique()), minor=False)
            ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            parameter = scan["parameter"].iloc[0]
            ax.set_xlabel(HYPERPARAMETER_LABELS.get(parameter, parameter))
            ax.set_ylabel(r"validation force RMSE (kcal mol$^{-1}$ Å$^{-1}$)", fontsize=8)
            ax.set_title(model_label(family), loc="left", fontsize=9)
        ax.legend(frameon=False, fontsize=7)
    fig.suptitle(title, x=0.01, ha="left", fontsize=10)
    sns.despine(fig)
    fig.tight_layout()
    return fig
