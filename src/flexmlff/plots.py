"""Figures in the paper's style and units; each is saved as PDF and PNG."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.ticker
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from flexmlff.models import families  # noqa: E402
from flexmlff.scratch import atomic_output  # noqa: E402

ENERGY_LABEL = r"$\Delta E$ (kcal mol$^{-1}$)"


def model_label(model: str) -> str:
    """A family's name in figures and tables (its :attr:`~flexmlff.models.Family.label`)."""
    known = families()
    return known[model].label if model in known else model


def line_colours(names, palette=None) -> list:
    """A colour per line: a family's own colour where the line is a family (by name or
    label), the next colour of `palette` (seaborn's colorblind) otherwise."""
    own = {key: family.colour for family in families().values() for key in (family.name, family.label)}
    taken = {matplotlib.colors.to_hex(colour) for colour in own.values()}
    palette = palette or sns.color_palette("colorblind")
    free = [colour for colour in palette if matplotlib.colors.to_hex(colour) not in taken] or list(palette)
    spare = itertools.cycle(free)
    return [own[name] if name in own else next(spare) for name in names]


def _style():
    sns.set_theme(context="paper", style="ticks", font_scale=1.2)


def save_figure(fig, paths) -> None:
    """Save `fig` to every path given (format from the suffix) and close it."""
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        with atomic_output(path) as partial:
            fig.savefig(partial, dpi=200, bbox_inches="tight")
    plt.close(fig)


def mep_profiles(profiles: Mapping[str, pd.DataFrame], title: str):
    """Energy along each path (kcal/mol relative to the first minimum) vs the
    normalised path coordinate, one line per method."""
    _style()
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
    """Energy and force RMSE vs training size: best fold (solid) and fold mean ± std (dashed)."""
    _style()
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.6))
    models = list(curve.groupby("model"))
    for ax, (metric, label) in zip(axes, RMSE_PANELS):
        for colour, (model, rows) in zip(line_colours([m for m, _ in models]), models):
            rows = rows.sort_values("n_train")
            name = model_label(model)
            ax.plot(rows["n_train"], rows[f"best_{metric}"], "o-", color=colour, label=f"{name}, best")
            ax.errorbar(
                rows["n_train"],
                rows[f"mean_{metric}"],
                yerr=rows[f"std_{metric}"],
                fmt="s--",
                color=colour,
                alpha=0.7,
                capsize=3,
                label=f"{name}, mean ± std",
            )
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        _log_axes(ax, sorted(curve["n_train"].unique()))
        ax.set_xlabel("training points")
        ax.set_ylabel(label)
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    sns.despine(fig)
    fig.tight_layout()
    return fig


PATH_LABELS = {
    "rotation": "rotation",
    "inversion": "inversion",
    "rotation_inversion": "rotation + inversion",
    "optimised_rotation": "optimised rotation",
}


def isomerisation_profiles(profiles: Mapping[str, pd.DataFrame], title: str):
    """Energy relative to cis (kcal/mol) along every path, by frame (paper Fig. S1)."""
    _style()
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


def energy_distributions(by_campaign: Mapping[str, np.ndarray], by_dataset: Mapping[str, np.ndarray], reference: str):
    """Relative-energy histograms (kcal/mol above `reference`, frame counts on shared
    bins) per MD campaign (a) and per assembled dataset (b) (paper Fig. 2)."""
    _style()
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
    _style()
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for colour, (name, values) in zip(sns.color_palette("colorblind", len(distances)), distances.items()):
        sns.histplot(values, ax=ax, stat="density", element="step", fill=False, bins=150, color=colour, label=name)
    ax.set_xlabel("interatomic distance (Å)")
    ax.set_ylabel("density")
    ax.legend(frameon=False)
    sns.despine(fig)
    return fig


def learning_curve_panels(rows: Mapping[str, Mapping[str, pd.DataFrame]], statistic: str = "best"):
    """Energy (left) and force (right) RMSE vs training points: one row of panels per
    entry of `rows`, one line per entry of its mapping (label -> learning-curve rows).

    `statistic` "best" plots the best fold by the paper's rules; "mean" the mean over
    folds with a ± one standard deviation band. Used for paper Figs. 4, 5, 6b and the
    dispersion ablation.
    """
    _style()
    fig, axes = plt.subplots(len(rows), 2, figsize=(9.0, 3.0 * len(rows)), squeeze=False)
    for panels, (title, lines) in zip(axes, rows.items()):
        sizes = sorted({n for line in lines.values() for n in line["n_train"]}) or [1]
        for ax, (metric, label) in zip(panels, RMSE_PANELS):
            for colour, (name, line) in zip(line_colours(lines), lines.items()):
                line = line.sort_values("n_train")
                values = line[f"{statistic}_{metric}"]
                ax.plot(line["n_train"], values, "o-", color=colour, label=name)
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
        panels[0].legend(frameon=False, fontsize=8)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def family_lines(curves: pd.DataFrame, dataset: str, models: list[str]) -> dict[str, pd.DataFrame]:
    """{family label: its learning-curve rows on `dataset`} for the families that have any."""
    rows = curves[curves["dataset"] == dataset]
    return {model_label(m): rows[rows["model"] == m] for m in models if (rows["model"] == m).any()}


def _cluster_axes(ax, table: pd.DataFrame, label: str, symbol: str) -> None:
    """Axes of an error-per-cluster panel: each cluster's population as an orange line on a
    twin axis from zero, every other cluster ticked, the bins of |`symbol`| (TeX) labelled."""
    twin = ax.twinx()
    twin.plot(table["cluster"], table["population"], color="tab:orange", lw=1.5)
    twin.set_ylim(0, None)
    twin.set_yticks([])
    ax.set_xticks(table["cluster"][::2])
    ax.set_xlabel(rf"${symbol}$ cluster (index k: $10k° \leq |{symbol}| < 10(k+1)°$)")
    ax.set_ylabel(label)


def phi_cluster_panels(tables: list[pd.DataFrame]):
    """Energy and force RMSE per φ cluster (bars) with each cluster's relative population
    (orange line, right axis), one row per model (paper Figs. 7 and 8)."""
    _style()
    fig, axes = plt.subplots(len(tables), 2, figsize=(10.0, 3.2 * len(tables)), squeeze=False)
    for row, (panels, table) in enumerate(zip(axes, tables)):
        first = table.iloc[0]
        title = (
            f"({chr(97 + row)}) {model_label(first['model'])} trained on "
            f"{first['trained_on']} (n = {first['n_train']}, fold {first['best_fold']}): overall "
            f"{first['overall_energy_rmse']:.2f} kcal/mol, {first['overall_force_rmse']:.2f} kcal/(mol Å)"
        )
        for ax, (metric, label) in zip(panels, RMSE_PANELS):
            ax.bar(table["cluster"], table[metric], color=sns.color_palette("colorblind")[0], width=0.8)
            _cluster_axes(ax, table, label, r"\phi")
        panels[0].set_title(title, loc="left", fontsize=9)
    sns.despine(fig, right=False)
    fig.tight_layout()
    return fig


def training_set_panels(clusters: pd.DataFrame, summary: pd.DataFrame, steps: pd.DataFrame, coordinate: str):
    """Grown against energy-stratified training sets, one row per family: energy and force
    RMSE per cluster of |`coordinate`| on the same held-out frames (bars side by side, the
    clusters' population as a line), and the force RMSE after each step against the
    stratified model's (folds pooled)."""
    _style()
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
            _cluster_axes(ax, table, label, symbol)
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


def grid_error_maps(table: pd.DataFrame, cvs: tuple[str, str], metric: str = "force_rmse", min_frames: int = 5):
    """Maps of a 2-D grid of two dihedrals (alanine dipeptide's φ/ψ): the held-out frames
    per cell (log colour), then `metric` per cell for each family on one colour scale.
    Cells with fewer than `min_frames` frames are left blank; each family's panel title
    gives its RMSE over all frames. `table` holds :func:`flexmlff.evaluate.grid_errors`
    rows with ``model`` and ``overall_<metric>`` columns."""
    from matplotlib.colors import LogNorm

    _style()
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


COORDINATE_SYMBOLS = {
    "phi": r"$\phi$",
    "theta": r"$\theta$",
    "theta_prime": r"$\theta'$",
    "tau1": r"$\tau_1$",
    "tau2": r"$\tau_2$",
    "psi": r"$\psi$",
}


def ml_md_traces(outcomes: list[dict]):
    """The monitored coordinate (degrees) vs time (fs) of ML-driven MD runs, one panel per
    start and one line per model, the two minima's values marked (paper Fig. 9)."""
    _style()
    starts = list(dict.fromkeys(o["start"] for o in outcomes))
    fig, axes = plt.subplots(1, len(starts), figsize=(4.0 * len(starts), 3.4), squeeze=False)
    models = list(dict.fromkeys(o["model"] for o in outcomes))
    colours = dict(zip(models, line_colours(models)))
    for ax, start in zip(axes[0], starts):
        runs = [o for o in outcomes if o["start"] == start]
        magnitude = runs[0]["magnitude"]  # a dihedral whose minima differ by its magnitude (azobenzene phi)
        for run in runs:
            values = np.abs(run["values_deg"]) if magnitude else run["values_deg"]
            ax.plot(
                run["time_fs"],
                values,
                color=colours.get(run["model"]),
                lw=1,
                label=f"{model_label(run['model'])} → {run['ends_in']}",
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


def cutoff_scan(table: pd.DataFrame, title: str):
    """Energy and force RMSE vs the SOAP cutoff radius: best fold (solid) and fold mean
    ± std (band) (paper Fig. 6a)."""
    _style()
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


#: Axis labels of the hyperparameters chosen on validation frames.
HYPERPARAMETER_LABELS = {"sigma": r"kernel width $\sigma$", "force_sigma_eV_per_A": r"$\sigma_F$ (eV Å$^{-1}$)"}


def training_diagnostics(histories: pd.DataFrame, scans: pd.DataFrame, title: str):
    """How each family's training went on one dataset, one panel per family.

    Networks: training (dashed) and validation (solid) loss per epoch for every fold
    at the largest training size, the kept epoch marked; a curve still falling at its
    end means training stopped too early. Kernel models: validation force RMSE over the
    hyperparameter grid (sGDML's σ, GAP's σ_F) for every size, best fold, its choice marked.
    """
    _style()
    families = [*dict.fromkeys([*histories["family"], *scans["family"]])]
    fig, axes = plt.subplots(1, max(len(families), 1), figsize=(3.6 * max(len(families), 1), 3.2), squeeze=False)
    palette = sns.color_palette("colorblind")
    for ax, family in zip(axes[0], families):
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
