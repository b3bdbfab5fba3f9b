#!/usr/bin/env python
"""Validation errors of one model family over a grid of its settings, as a table and a figure.

Trains the family on one fold of a workflow split for every combination of the values
given, scores each model on the split's validation frames (never on its test folds) and
writes a csv and a figure of validation force and energy RMSE against the first scanned
setting, one line per combination of the others. This is how config/README.md chose the
GAP defaults:

    python scripts/scan_model_settings.py gap results/datasets/glycine.npz \\
        results/glycine/splits/n100.npz --set n_sparse=50,100,200,500 \\
        --set force_sigmas_eV_per_A=[0.05],[0.01] --out results/scans/gap_glycine
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import time

import numpy as np
import pandas as pd

from flexmlff.data import read_dataset
from flexmlff.evaluate import error_metrics
from flexmlff.models import family
from flexmlff.splits import Split


def parse_setting(text: str) -> tuple[str, list]:
    """``key=v1,v2`` (values as JSON; lists in brackets) -> (key, [v1, v2])."""
    key, values = text.split("=", 1)
    return key, json.loads(f"[{values}]")


def scan(name: str, dataset, split: Split, fold: int, grid: dict[str, list]) -> pd.DataFrame:
    """Validation RMSEs and training seconds of every combination of `grid`."""
    models = family(name)
    train, valid = dataset.subset(split.train_indices(fold)), dataset.subset(split.validation)
    rows = []
    for values in itertools.product(*grid.values()):
        settings = dict(zip(grid, values))
        start = time.perf_counter()
        model = models.train(train, valid, settings)
        seconds = time.perf_counter() - start
        energies, forces = models.predict(model, valid.R, valid.z)
        errors = error_metrics(energies, valid.E, forces, valid.F)
        row = {
            **{key: json.dumps(value) for key, value in settings.items()},
            "valid_energy_rmse": errors["energy_rmse"],
            "valid_force_rmse": errors["force_rmse"],
            "train_seconds": seconds,
        }
        print(row, flush=True)
        rows.append(row)
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, keys: list[str], title: str):
    from flexmlff.plots import RMSE_PANELS, plt, sns

    first, others = keys[0], keys[1:]
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.2))
    groups = table.groupby(others) if others else [("", table)]
    for label, rows in groups:
        x = [json.loads(v) for v in rows[first]]
        x = [v[0] if isinstance(v, list) else v for v in x]
        name = ", ".join(f"{k} {json.loads(v)}" for k, v in zip(others, np.atleast_1d(label))) if others else ""
        for ax, (metric, axis_label) in zip(axes, RMSE_PANELS):
            ax.plot(x, rows[f"valid_{metric}"], "o-", label=name)
            ax.set_xlabel(first)
            ax.set_ylabel(f"validation {axis_label}")
    axes[0].set_title(title, loc="left", fontsize=9)
    if others:
        axes[0].legend(frameon=False, fontsize=7)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("family")
    parser.add_argument("dataset", help="a workflow dataset (.npz)")
    parser.add_argument("split", help="a workflow split of it (.npz)")
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="KEY=V1,V2",
        help="a setting and its values (JSON); repeat for a grid",
    )
    parser.add_argument("--out", required=True, help="output stem: writes STEM.csv and STEM.png")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    grid = dict(parse_setting(text) for text in args.set)
    split = Split.load(args.split)
    table = scan(args.family, read_dataset(args.dataset), split, args.fold, grid)
    table.to_csv(f"{args.out}.csv", index=False)
    title = f"{args.family}, n = {len(split.train_indices(args.fold))}, fold {args.fold}"
    from flexmlff.plots import save_figure

    save_figure(plot(table, list(grid), title), f"{args.out}.png")
    print(table.to_markdown(index=False, floatfmt=".3g"))


if __name__ == "__main__":
    main()
