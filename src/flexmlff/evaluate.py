"""Test errors and the paper's best-model rules.

Errors are computed in the dataset units: energies in kcal/mol, forces in
kcal/(mol Å) over every Cartesian component, as the paper reports them.

Best model per family, dataset and training size (paper Sec. IV):

* SchNet, GAP/SOAP, BPNN (trained on energies and forces): the fold with the
  lowest energy RMSE on its test folds;
* sGDML (trained on forces): the fold with the lowest force RMSE; if other
  folds are within ``force_tolerance`` (~0.1 kcal/(mol Å)) of it, the one with
  the lowest energy RMSE among them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METRICS = ["energy_rmse", "energy_mae", "force_rmse", "force_mae"]
#: Columns of the tidy error table every model family writes.
ERROR_COLUMNS = ["dataset", "model", "n_train", "fold", "n_test", *METRICS]


def error_metrics(E_pred, E_ref, F_pred, F_ref) -> dict[str, float]:
    """RMSE and MAE of energies (kcal/mol) and force components (kcal/(mol Å))."""
    dE = np.asarray(E_pred, dtype=float).ravel() - np.asarray(E_ref, dtype=float).ravel()
    dF = np.asarray(F_pred, dtype=float).ravel() - np.asarray(F_ref, dtype=float).ravel()
    return {
        "energy_rmse": float(np.sqrt(np.mean(dE**2))),
        "energy_mae": float(np.mean(np.abs(dE))),
        "force_rmse": float(np.sqrt(np.mean(dF**2))),
        "force_mae": float(np.mean(np.abs(dF))),
    }


def mean_baseline(E_train, E_test, F_test) -> dict[str, float]:
    """Errors of the trivial model: the training mean energy and zero forces."""
    E_test = np.asarray(E_test, dtype=float)
    return error_metrics(np.full_like(E_test, np.mean(E_train)), E_test, np.zeros_like(F_test), F_test)


def best_by_energy(folds: pd.DataFrame) -> pd.Series:
    """The fold with the lowest energy RMSE (SchNet, GAP/SOAP, BPNN rule)."""
    return folds.loc[folds["energy_rmse"].idxmin()]


def best_sgdml(folds: pd.DataFrame, force_tolerance: float = 0.1) -> pd.Series:
    """The sGDML rule: lowest force RMSE, then lowest energy RMSE among near-ties."""
    lowest = folds["force_rmse"].min()
    contenders = folds[folds["force_rmse"] <= lowest + force_tolerance]
    return contenders.loc[contenders["energy_rmse"].idxmin()]


#: Selection rule of each model family.
SELECTION_RULES = {"sgdml": best_sgdml, "sgdml_ang": best_sgdml}


def learning_curve(errors: pd.DataFrame, force_tolerance: float = 0.1) -> pd.DataFrame:
    """Per dataset, model and training size: the best fold and the mean ± std over folds."""
    rows = []
    for (dataset, model, n_train), folds in errors.groupby(["dataset", "model", "n_train"]):
        rule = SELECTION_RULES.get(model)
        best = rule(folds, force_tolerance) if rule else best_by_energy(folds)
        row = {"dataset": dataset, "model": model, "n_train": n_train,
               "n_folds": len(folds), "best_fold": int(best["fold"])}
        for metric in METRICS:
            row[f"best_{metric}"] = float(best[metric])
            row[f"mean_{metric}"] = float(folds[metric].mean())
            row[f"std_{metric}"] = float(folds[metric].std(ddof=0))
        rows.append(row)
    return pd.DataFrame(rows)
