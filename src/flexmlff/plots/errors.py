"""Model errors: learning curves (Figs. 4, 5), the GAP cutoff scan (Fig. 6a), errors per cluster of
the transition coordinate (Figs. 7, 8) and on a grid of two dihedrals."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib
import matplotlib.colors
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from flexmlff.plots.style import COORDINATE_SYMBOLS, apply_style, line_colours, model_label

RMSE_PANELS = [
    ("energy_rmse", r"energy RMSE (kcal mol$^{-1}$)"),
    ("force_rmse", r"force RMSE (kcal mol$^{-1}$ Å$^{-1}$)"),
]


def _log_axes(ax, sizes) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def learning_curves(curve: pd.DataFrame, title: str):
    """Energy and force RMSE vs training size, one colour per model: the best fold as a line
    with its 95 % bootstrap interval as a band, the fold mean as a dashed line with its ± std
    as a lighter band; the legend outside the panels, one entry per model."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
    models = list(curve.groupby("model"))
    for ax, (metric, label) in zip(axes, RMSE_PANELS):
        for colour, (model, rows) in zip(line_colours([m for m, _ in models]), models):
            rows = rows.sort_values("n_train")
            ax.plot(rows["n_train"], rows[f"best_{metric}"], "o-", color=colour, label=model_label(model))
            _interval_band(ax, rows, metric, colour)
            mean, spread = rows[f"mean_{metric}"], rows[f"std_{metric}"]
            ax.plot(rows["n_train"], mean, "--", color=colour, lw=1.0, alpha=0.8)
            ax.fill_between(
                rows["n_train"], (mean - spread).clip(lower=0.05 * mean), mean + spread, color=colour, alpha=0.08, lw=0
            )
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        _log_axes(ax, sorted(curve["n_train"].unique()))
        ax.set_xlabel("training points")
        ax.set_ylabel(label)
    _legend_outside(axes[-1], "solid: best fold (band: 95 % interval)\ndashed: fold mean (band: ± std)")
    fig.suptitle(title)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def _interval_band(ax, rows: pd.DataFrame, metric: str, colour) -> None:
    """The best fold's bootstrap interval as a band, where the rows carry one."""
    low, high = f"best_{metric}_low", f"best_{metric}_high"
    if low in rows and rows[low].notna().any():
        ax.fill_between(rows["n_train"], rows[low], rows[high], color=colour, alpha=0.2, lw=0)


def _legend_outside(ax, title: str | None = None) -> None:
    """The legend to the right of `ax`, clear of the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8, title=title, title_fontsize=7)


def learning_curve_panels(rows: Mapping[str, Mapping[str, pd.DataFrame]], statistic: str = "best"):
    """Energy (left) and force (right) RMSE vs training points: one row of panels per
    entry of `rows`, one line per entry of its mapping (label -> learning-curve rows).

    `statistic` "best" plots the best fold by the paper's rules; "mean" the mean over
    folds with a ± one standard deviation band. Used for paper Figs. 4, 5, 6b and the
    dispersion ablation.
    """
    apply_style()
    fig, axes = plt.subplots(len(rows), 2, figsize=(9.0, 3.0 * len(rows)), squeeze=False)
    for panels, (title, lines) in zip(axes, rows.items()):
        sizes = sorted({n for line in lines.values() for n in line["n_train"]}) or [1]
        for ax, (metric, label) in zip(panels, RMSE_PANELS):
            for colour, (name, line) in zip(line_colours(lines), lines.items()):
                line = line.sort_values("n_train")
                values = line[f"{statistic}_{metric}"]
                ax.plot(line["n_train"], values, "o-", color=colour, label=name)
                if statistic == "best":
                    _interval_band(ax, line, metric, colour)
                if statistic == "mean":
                    spread = line[f"std_{metric}"]
                    ax.fill_between(
                        line["n_train"],
                        (values - spread).clip(lower=0.05 * values),
                        values + spread,
                        color=colour,
                        alpha=0.2,
                        lw=0,
                    )
            ax.axhline(1.0, color="grey", lw=0.8, ls=":")
            _log_axes(ax, sizes)
            ax.set_xlabel("training points")
            ax.set_ylabel(label)
        panels[0].set_title(title, loc="left")
        _legend_outside(panels[1], "band: 95 % interval" if statistic == "best" else "band: ± std over folds")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def family_lines(curves: pd.DataFrame, dataset: str, models: list[str]) -> dict[str, pd.DataFrame]:
    """{family label: its learning-curve rows on `dataset`} for the families that have any."""
    rows = curves[curves["dataset"] == dataset]
    return {model_label(m): rows[rows["model"] == m] for m in models if (rows["model"] == m).any()}


def cluster_axes(ax, table: pd.DataFrame, label: str, symbol: str, colour="tab:orange") -> None:
    """Axes of an error-per-cluster panel: each cluster's population as a line (orange, as the
    paper's) on a twin axis from zero, every other cluster ticked, the bins of |`symbol`| (TeX)
    labelled."""
    twin = ax.twinx()
    twin.plot(table["cluster"], table["population"], color=colour, lw=1.5, zorder=0)
    twin.set_ylim(0, None)
    twin.set_yticks([])
    ax.set_xticks(table["cluster"][::2])
    ax.set_xlabel(rf"${symbol}$ cluster (index k: $10k° \leq |{symbol}| < 10(k+1)°$)")
    ax.set_ylabel(label)


def _interval_bars(table: pd.DataFrame, metric: str) -> np.ndarray | None:
    """(2, rows) distances of `metric`'s 95 % interval below and above it, for error bars
    (none where a row has no interval: a cluster of one frame); None without interval columns."""
    if f"{metric}_low" not in table:
        return None
    below, above = table[metric] - table[f"{metric}_low"], table[f"{metric}_high"] - table[metric]
    return np.nan_to_num(np.vstack([below, above]).clip(min=0), nan=0.0)


def phi_cluster_panels(tables: list[pd.DataFrame]):
    """Energy and force RMSE per φ cluster (bars, 95 % bootstrap intervals as error bars)
    with each cluster's relative population (orange line, right axis), one row per model
    (paper Figs. 7 and 8)."""
    apply_style()
    fig, axes = plt.subplots(len(tables), 2, figsize=(10.0, 3.2 * len(tables)), squeeze=False)
    for row, (panels, table) in enumerate(zip(axes, tables)):
        first = table.iloc[0]
        title = (
            f"({chr(97 + row)}) {model_label(first['model'])} trained on "
            f"{first['trained_on']} (n = {first['n_train']}, fold {first['best_fold']}): overall "
            f"{first['overall_energy_rmse']:.2f} kcal/mol, {first['overall_force_rmse']:.2f} kcal/(mol Å)"
        )
        for ax, (metric, label) in zip(panels, RMSE_PANELS):
            ax.bar(
                table["cluster"],
                table[metric],
                yerr=_interval_bars(table, metric),
                error_kw={"lw": 0.8, "capsize": 1.5, "ecolor": "0.3"},
                color=sns.color_palette("colorblind")[0],
                width=0.8,
            )
            cluster_axes(ax, table, label, r"\phi")
        panels[0].set_title(title, loc="left", fontsize=9)
    sns.despine(fig, right=False)
    fig.tight_layout()
    return fig


def grid_error_maps(table: pd.DataFrame, cvs: tuple[str, str], metric: str = "force_rmse", min_frames: int = 5):
    """Maps of a 2-D grid of two dihedrals (alanine dipeptide's φ/ψ): the held-out frames
    per cell (log colour), then `metric` per cell for each family on one colour scale.
    Cells with fewer than `min_frames` frames are left blank; each family's panel title
    gives its RMSE over all frames. `table` holds :func:`flexmlff.evaluate.grid_errors`
    rows with ``model`` and ``overall_<metric>`` columns."""
    from matplotlib.colors import LogNorm

    apply_style()
    models = list(dict.fromkeys(table["model"]))
    x_symbol, y_symbol = (COORDINATE_SYMBOLS.get(cv, cv) for cv in cvs)
    width = float(table["x_to_deg"].iloc[0] - table["x_from_deg"].iloc[0])
    edges = np.arange(-180.0, 180.0 + width / 2, width)
    n_cells = len(edges) - 1

    def grid(rows, column):  # cell (i: x, j: y) → image [row j, column i]
        return rows[column].to_numpy(dtype=float).reshape(n_cells, n_cells).T

    n_panels = len(models) + 1
    n_columns = min(n_panels, 4)
    n_rows = math.ceil(n_panels / n_columns)
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(3.6 * n_columns, 3.2 * n_rows), squeeze=False)
    first = table[table["model"] == models[0]]
    counts = grid(first, "n_frames")
    image = axes[0][0].pcolormesh(
        edges,
        edges,
        np.where(counts > 0, counts, np.nan),
        cmap="Greys",
        norm=LogNorm(vmin=1, vmax=max(counts.max(), 2)),
    )
    fig.colorbar(image, ax=axes[0][0], label="held-out frames", pad=0.08)
    axes[0][0].set_title(f"(a) frames per {width:g}° cell", loc="left", fontsize=9)
    sufficient = counts >= min_frames
    values = np.concatenate([grid(table[table["model"] == m], metric)[sufficient] for m in models])
    finite = values[np.isfinite(values)]
    vmax = float(np.percentile(finite, 98)) if finite.size else 1.0
    label = dict(RMSE_PANELS)[metric]
    for k, model in enumerate(models, start=1):
        ax = axes[k // n_columns][k % n_columns]
        rows = table[table["model"] == model]
        image = ax.pcolormesh(
            edges, edges, np.where(sufficient, grid(rows, metric), np.nan), cmap="viridis", vmin=0.0, vmax=vmax
        )
        ax.set_title(
            f"({chr(97 + k)}) {model_label(model)}: {rows[f'overall_{metric}'].iloc[0]:.2f}", loc="left", fontsize=9
        )
        fig.colorbar(image, ax=ax, label=label, pad=0.08)
    for k, ax in enumerate(axes.flat):
        if k >= n_panels:
            ax.set_visible(False)
            continue
        ax.set_xlim(-180, 180)
        ax.set_ylim(-180, 180)
        ax.set_xticks(range(-180, 181, 90))
        ax.set_yticks(range(-180, 181, 90))
        ax.set_aspect("equal")
        ax.set_xlabel(f"{x_symbol} (°)")
        ax.set_ylabel(f"{y_symbol} (°)")
    fig.tight_layout()
    return fig


def cutoff_scan(table: pd.DataFrame, title: str):
    """Energy and force RMSE vs the SOAP cutoff radius: best fold (solid) and fold mean
    ± std (band) (paper Fig. 6a)."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4))
    table = table.sort_values("cutoff_A")
    colour = sns.color_palette("colorblind")[0]
    for ax, (metric, label) in zip(axes, RMSE_PANELS):
        ax.plot(table["cutoff_A"], table[f"best_{metric}"], "o-", color=colour, label="best fold")
        mean, spread = table[f"mean_{metric}"], table[f"std_{metric}"]
        ax.plot(table["cutoff_A"], mean, "s--", color=colour, alpha=0.6, label="mean ± std")
        ax.fill_between(table["cutoff_A"], mean - spread, mean + spread, color=colour, alpha=0.15, lw=0)
        ax.set_xticks(table["cutoff_A"])
        ax.set_xlabel("SOAP cutoff radius (Å)")
        ax.set_ylabel(label)
    axes[0].legend(frameon=False, fontsize=8)
    axes[0].set_title(title, loc="left")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def local_model_panels(clusters: dict[str, dict[str, pd.DataFrame]]):
    """The mixture of local models against the single models of its base family, one row per
    dataset: energy and force RMSE per cluster of the transition coordinate (each model's best
    fold on the whole dataset, 95 % intervals as error bars), each cluster's population as in
    Fig. 7 (light grey here); the legend above the panels."""
    apply_style()
    fig, axes = plt.subplots(len(clusters), 2, figsize=(10.0, 3.0 * len(clusters) + 0.4), squeeze=False)
    for panels, (dataset, tables) in zip(axes, clusters.items()):
        models = list(tables)
        for ax, (metric, label) in zip(panels, RMSE_PANELS):
            for offset, (model, colour) in enumerate(zip(models, line_colours(models))):
                table = tables[model]
                shift = 0.12 * (offset - (len(models) - 1) / 2)  # side by side, not on top
                ax.errorbar(
                    table["cluster"] + shift,
                    table[metric],
                    yerr=_interval_bars(table, metric),
                    color=colour,
                    marker="o",
                    ms=3,
                    lw=1.2,
                    elinewidth=0.8,
                    capsize=1.5,
                    label=f"{model_label(model)}: {table[f'overall_{metric}'].iloc[0]:.2f}",
                )
            # the population in light grey: orange is sGDML [1/r + ang]'s colour
            cluster_axes(ax, tables[models[0]], label, r"\phi", colour="0.8")
            ax.set_ylim(0, None)
        first = tables[models[0]].iloc[0]
        panels[0].set_title(f"{dataset} (n = {first['n_train']})", loc="left", fontsize=9)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        [text.split(":")[0] for text in labels],
        loc="upper center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=len(labels),
        frameon=False,
        fontsize=8,
    )
    sns.despine(fig, right=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))
    return fig
