"""The paper's remedy measured (Sec. V): a mixture of local models against the single global
models of its base family, trained on the same splits with the same training frames.

Two sources, both written by other rules: the paired comparisons of a dataset
(:func:`flexmlff.uncertainty.paired_comparisons`: held-out RMSEs pooled over folds and the
paired bootstrap interval of their difference) and the per-cluster tables of Fig. 7 (each
model's best fold on the whole dataset, clusters of the transition coordinate, with the
equilibrium/transition ratios and their intervals).
"""

from __future__ import annotations

import pandas as pd

#: The columns of a local-models table.
COLUMNS = [
    "dataset",
    "model",
    "n_train",
    "best_fold",
    "energy_rmse",
    "force_rmse",
    "energy_difference",
    "energy_difference_low",
    "energy_difference_high",
    "energy_verdict",
    "force_difference",
    "force_difference_low",
    "force_difference_high",
    "force_verdict",
    "energy_ratio",
    "energy_ratio_low",
    "energy_ratio_high",
    "force_ratio",
    "force_ratio_low",
    "force_ratio_high",
    "regions",
    "merged",
]


def _pair(comparisons: pd.DataFrame, mixture: str, single: str, n_train: int) -> tuple[pd.Series, str, str]:
    """The paired comparison of `mixture` and `single` at `n_train`, and the column suffixes
    ("a" or "b") of the mixture and of the single model in it."""
    rows = comparisons[comparisons["n_train"] == n_train]
    for mine, theirs in (("b", "a"), ("a", "b")):
        row = rows[(rows[f"model_{mine}"] == mixture) & (rows[f"model_{theirs}"] == single)]
        if not row.empty:
            return row.iloc[0], mine, theirs
    raise ValueError(f"no paired comparison of {mixture} and {single} at n = {n_train}")


def paired_against(comparisons: pd.DataFrame, mixture: str, single: str, n_train: int) -> dict:
    """Held-out RMSEs of `single` and RMSE(single) − RMSE(mixture) with its paired interval
    and verdict, per quantity, at `n_train` (a positive difference: the mixture is better)."""
    row, _, theirs = _pair(comparisons, mixture, single, n_train)
    sign = 1.0 if theirs == "a" else -1.0  # the table's difference is RMSE(a) − RMSE(b)
    result = {}
    for quantity in ("energy", "force"):
        low, high = sign * row[f"{quantity}_difference_low"], sign * row[f"{quantity}_difference_high"]
        low, high = min(low, high), max(low, high)
        result.update(
            {
                f"{quantity}_rmse": row[f"{quantity}_rmse_{theirs}"],
                f"{quantity}_difference": sign * row[f"{quantity}_difference"],
                f"{quantity}_difference_low": low,
                f"{quantity}_difference_high": high,
                f"{quantity}_verdict": "mixture better" if low > 0 else "single model better" if high < 0 else "tied",
            }
        )
    return result


def mixture_errors(comparisons: pd.DataFrame, mixture: str, single: str, n_train: int) -> dict:
    """The mixture's own held-out RMSEs, read from its comparison with `single`."""
    row, mine, _ = _pair(comparisons, mixture, single, n_train)
    return {f"{quantity}_rmse": row[f"{quantity}_rmse_{mine}"] for quantity in ("energy", "force")}


def local_models_table(
    dataset: str, comparisons: pd.DataFrame, clusters: dict[str, pd.DataFrame], mixture: str, singles: list[str]
) -> pd.DataFrame:
    """One row per model on `dataset` at the largest size of its cluster tables: the mixture,
    then each single model with its paired difference from the mixture; every row with Fig.
    7's equilibrium/transition ratios and their intervals (``clusters``: model -> its table)."""
    n_train = int(clusters[mixture]["n_train"].iloc[0])
    rows = [{"model": mixture, **mixture_errors(comparisons, mixture, singles[0], n_train)}]
    rows += [{"model": single, **paired_against(comparisons, mixture, single, n_train)} for single in singles]
    for row in rows:
        table = clusters[row["model"]].iloc[0]
        row.update(
            dataset=dataset,
            n_train=n_train,
            best_fold=int(table["best_fold"]),
            **{
                f"{quantity}_ratio{bound}": table[f"{quantity}_ratio{bound}"]
                for quantity in ("energy", "force")
                for bound in ("", "_low", "_high")
            },
        )
    # the mixture's regions are filled in from its training record (:func:`region_columns`)
    return pd.DataFrame(rows).reindex(columns=COLUMNS).assign(regions="", merged="")


def region_columns(record: dict) -> dict[str, str]:
    """What a mixture's training record says of its regions: each region's cell, training
    frames and descriptor, and the regions merged for too few frames (naming the dataset)."""
    regions = "; ".join(
        f"{region['cell']}: {region['train_frames']} frames, {region['descriptor']}" for region in record["regions"]
    )
    merged = "; ".join(
        f"{m['dataset']}: {m['cv']} band {m['band']} ({m['frames']} frames) merged across {m['edge_dropped']:g} deg"
        for m in record.get("merged", [])
    )
    return {"regions": regions, "merged": merged or "none"}


def verdict_sentence(table: pd.DataFrame, label=str) -> str:
    """Whether local beats global on one dataset, in words, with the paired intervals."""
    mixture = table.iloc[0]
    parts = []
    for row in table.iloc[1:].itertuples():
        for quantity, unit in (("energy", "kcal/mol"), ("force", "kcal/(mol Å)")):
            said = getattr(row, f"{quantity}_verdict")
            difference = getattr(row, f"{quantity}_difference")
            low, high = getattr(row, f"{quantity}_difference_low"), getattr(row, f"{quantity}_difference_high")
            relation = {"tied": "tied with", "mixture better": "better than"}.get(said, "worse than")
            parts.append(
                f"{quantity} {relation} {label(row.model)} by {difference:+.2f} [{low:+.2f}, {high:+.2f}] {unit}"
            )
    return (
        f"{mixture['dataset']}, n = {mixture['n_train']}: {label(mixture['model'])} "
        f"(energy {mixture['energy_rmse']:.2f}, forces {mixture['force_rmse']:.2f}) is " + "; ".join(parts) + "."
    )
