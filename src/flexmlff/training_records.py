"""What each training run chose on its validation frames, and how its loss evolved.

Every ``train_<family>`` job writes a training record (JSON) next to its model:

* ``chosen``: the hyperparameters picked on the validation frames (sGDML's and
  GDML's σ, GAP's force regularisation σ_F, the networks' best epoch);
* ``scan`` (kernel models): the validation force RMSE of every value tried;
* ``history`` (networks): the training and validation loss of every epoch;
* ``grid_edge``, when the chosen value is the smallest or largest of its grid
  (:func:`grid_edge`): the validation error may still fall beyond it.

The functions here turn a set of records into tables, so that a figure can show
at a glance whether a network stopped on a plateau and where in its grid a
kernel model landed (a choice at the edge of the grid asks for a wider grid).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

#: Columns that identify one trained model.
MODEL_KEYS = ["family", "n_train", "fold"]
#: The config key (under ``models.<family>``) of each scanned hyperparameter's grid.
GRID_KEYS = {"sigma": "sigmas", "force_sigma_eV_per_A": "force_sigmas_eV_per_A"}


def read_records(paths) -> list[dict]:
    """The training records in `paths` (JSON files written by the training jobs)."""
    return [json.loads(Path(path).read_text()) for path in paths]


def grid_edge(record: dict) -> dict | None:
    """Where a training record's chosen value sits on the edge of its scanned grid:
    ``{"parameter", "chosen", "edge": "smallest" | "largest", "grid", "grid_key"}``, or None (inside
    the grid, or no grid of more than one value)."""
    scan = record.get("scan") or []
    if len(scan) < 2:
        return None
    (parameter,) = [key for key in scan[0] if key != "valid_force_rmse"]
    grid = sorted(point[parameter] for point in scan)
    chosen = record["chosen"][parameter]
    if chosen not in (grid[0], grid[-1]):
        return None
    return {
        "parameter": parameter,
        "chosen": chosen,
        "edge": "smallest" if chosen == grid[0] else "largest",
        "grid": grid,
        "grid_key": GRID_KEYS.get(parameter, parameter),
    }


def choices_table(records: list[dict]) -> pd.DataFrame:
    """One row per model: its identity and every value in its ``chosen`` entry."""
    rows = [{**{key: record[key] for key in MODEL_KEYS}, **record.get("chosen", {})} for record in records]
    return pd.DataFrame(rows).sort_values(MODEL_KEYS, ignore_index=True)


def history_table(records: list[dict]) -> pd.DataFrame:
    """Per-epoch losses of every network, long format (empty when no record has a history)."""
    rows = [
        {**{key: record[key] for key in MODEL_KEYS}, **epoch}
        for record in records
        for epoch in record.get("history", [])
    ]
    return pd.DataFrame(rows, columns=[*MODEL_KEYS, "epoch", "train_loss", "valid_loss"] if not rows else None)


def scan_table(records: list[dict]) -> pd.DataFrame:
    """Validation force RMSE of every hyperparameter value tried, long format.

    Columns: family, n_train, fold, parameter (its name), value, valid_force_rmse.
    """
    rows = []
    for record in records:
        for point in record.get("scan", []):
            (parameter,) = [key for key in point if key != "valid_force_rmse"]
            rows.append(
                {
                    **{key: record[key] for key in MODEL_KEYS},
                    "parameter": parameter,
                    "value": point[parameter],
                    "valid_force_rmse": point["valid_force_rmse"],
                }
            )
    return pd.DataFrame(rows, columns=[*MODEL_KEYS, "parameter", "value", "valid_force_rmse"])


def models_on_grid_edge(records: list[dict]) -> pd.DataFrame:
    """The models whose chosen value is the smallest or largest value tried
    (:func:`grid_edge`), one row each: the validation error may still be falling
    beyond the grid there."""
    rows = [{**{key: record[key] for key in MODEL_KEYS}, **edge} for record in records if (edge := grid_edge(record))]
    return pd.DataFrame(rows, columns=[*MODEL_KEYS, "parameter", "chosen", "edge", "grid", "grid_key"])
