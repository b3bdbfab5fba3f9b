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


def phi_clusters(phi_deg, width_deg: float = 10.0) -> np.ndarray:
    """Cluster index of each dihedral φ (degrees) by |φ| (paper Figs. 7 and 8).

    φ is wrapped to (−180°, 180°] and binned by its magnitude: index 0 holds
    0° ≤ |φ| < 10°, … the last (17 for 10° bins) 170° ≤ |φ| ≤ 180°.
    """
    from flexmlff.geometry import wrap_degrees

    n_clusters = int(round(180.0 / width_deg))
    magnitude = np.abs(wrap_degrees(np.asarray(phi_deg, dtype=float)))
    return np.minimum((magnitude // width_deg).astype(int), n_clusters - 1)


def cluster_errors(phi_deg, E_pred, E_ref, F_pred, F_ref, width_deg: float = 10.0) -> pd.DataFrame:
    """Energy and force errors per φ cluster, with each cluster's share of the frames.

    One row per cluster (empty clusters included, with NaN errors): ``cluster``,
    ``phi_from_deg``, ``phi_to_deg``, ``n_frames``, ``population`` (fraction of all
    frames) and the :func:`error_metrics` of its frames.
    """
    clusters = phi_clusters(phi_deg, width_deg)
    n_clusters = int(round(180.0 / width_deg))
    E_pred, E_ref = np.asarray(E_pred, dtype=float), np.asarray(E_ref, dtype=float)
    F_pred, F_ref = np.asarray(F_pred, dtype=float), np.asarray(F_ref, dtype=float)
    rows = []
    for k in range(n_clusters):
        members = clusters == k
        metrics = (error_metrics(E_pred[members], E_ref[members], F_pred[members], F_ref[members])
                   if members.any() else dict.fromkeys(METRICS, np.nan))
        rows.append({"cluster": k, "phi_from_deg": k * width_deg, "phi_to_deg": (k + 1) * width_deg,
                     "n_frames": int(members.sum()), "population": float(members.mean()), **metrics})
    return pd.DataFrame(rows)
