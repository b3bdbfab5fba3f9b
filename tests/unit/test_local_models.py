"""The local-models comparison (flexmlff.local_models): the mixture against single models."""

import numpy as np
import pandas as pd
import pytest

from flexmlff.local_models import local_models_table, region_columns, verdict_sentence


def comparisons() -> pd.DataFrame:
    """Paired comparisons at n = 100 as the family_comparisons rule writes them: the mixture
    is model_b against sgdml and model_a against sgdml_ang."""
    rows = [
        {
            "model_a": "sgdml",
            "model_b": "local_sgdml",
            "energy": (3.0, 2.0, 1.0, 0.6, 1.4),
            "force": (2.0, 2.1, -0.1, -0.3, 0.1),
        },
        {
            "model_a": "local_sgdml",
            "model_b": "sgdml_ang",
            "energy": (2.0, 1.5, 0.5, 0.2, 0.8),
            "force": (2.1, 2.0, 0.1, -0.2, 0.3),
        },
    ]
    table = []
    for row in rows:
        entry = {
            "dataset": "rotation",
            "n_train": 100,
            "model_a": row["model_a"],
            "model_b": row["model_b"],
            "n_frames": 300,
        }
        for quantity in ("energy", "force"):
            a, b, difference, low, high = row[quantity]
            entry.update(
                {
                    f"{quantity}_rmse_a": a,
                    f"{quantity}_rmse_b": b,
                    f"{quantity}_difference": difference,
                    f"{quantity}_difference_low": low,
                    f"{quantity}_difference_high": high,
                }
            )
        table.append(entry)
    # another size, which must not be read
    table.append({**table[0], "n_train": 50, "energy_rmse_a": 99.0})
    return pd.DataFrame(table)


def clusters(model: str, ratio: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster": [0, 1],
            "n_train": 100,
            "best_fold": 2,
            "energy_ratio": ratio,
            "energy_ratio_low": ratio - 0.1,
            "energy_ratio_high": ratio + 0.1,
            "force_ratio": 1.0,
            "force_ratio_low": 0.9,
            "force_ratio_high": 1.1,
        }
    )


def test_each_single_model_is_set_against_the_mixture_with_its_paired_interval():
    table = local_models_table(
        "rotation",
        comparisons(),
        {m: clusters(m, r) for m, r in (("local_sgdml", 0.5), ("sgdml", 2.0), ("sgdml_ang", 1.0))},
        "local_sgdml",
        ["sgdml", "sgdml_ang"],
    ).set_index("model")
    assert list(table.index) == ["local_sgdml", "sgdml", "sgdml_ang"]
    # the mixture's own RMSEs, whichever side of the comparison it was on
    assert table.loc["local_sgdml", ["energy_rmse", "force_rmse"]].tolist() == [2.0, 2.1]
    # single minus mixture: sgdml was a, so its difference keeps its sign; sgdml_ang was b
    assert table.loc["sgdml", "energy_difference"] == 1.0 and table.loc["sgdml", "energy_verdict"] == "mixture better"
    assert table.loc["sgdml", "force_verdict"] == "tied"
    assert table.loc["sgdml_ang", "energy_rmse"] == 1.5
    assert table.loc["sgdml_ang", "energy_difference"] == -0.5
    assert (table.loc["sgdml_ang", "energy_difference_low"], table.loc["sgdml_ang", "energy_difference_high"]) == (
        -0.8,
        -0.2,
    )
    assert table.loc["sgdml_ang", "energy_verdict"] == "single model better"
    assert table.loc["sgdml", "energy_ratio"] == 2.0 and table.loc["local_sgdml", "energy_ratio_low"] == pytest.approx(
        0.4
    )
    assert (table["n_train"] == 100).all() and np.isnan(table.loc["local_sgdml", "energy_difference"])
    sentence = verdict_sentence(table.reset_index())
    assert sentence.startswith(
        "rotation, n = 100: local_sgdml (energy 2.00, forces 2.10) is energy better than sgdml by +1.00"
    )
    assert "energy worse than sgdml_ang by -0.50 [-0.80, -0.20] kcal/mol" in sentence


def test_the_mixtures_regions_and_merges_are_named_with_the_dataset():
    record = {
        "regions": [
            {"cell": [0], "train_frames": 41, "descriptor": "inverse_distances"},
            {"cell": [1], "train_frames": 61, "descriptor": "extended"},
        ],
        "merged": [{"dataset": "rotation", "cv": "phi", "band": 1, "frames": 13, "edge_dropped": 120.0}],
    }
    assert region_columns(record) == {
        "regions": "[0]: 41 frames, inverse_distances; [1]: 61 frames, extended",
        "merged": "rotation: phi band 1 (13 frames) merged across 120 deg",
    }
    assert region_columns({**record, "merged": []})["merged"] == "none"
