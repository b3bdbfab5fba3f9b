"""The datasets' planner (flexmlff.planning.datasets): sources, shared splits, the transition
coordinate."""

import pytest
from plan_helpers import plan_with

from flexmlff.planning import ConfigError


def test_relabelled_dataset_shares_its_source_split(smoke):
    assert (
        smoke.datasets.split_file("rotation_no_dispersion", 40)
        == smoke.datasets.split_file("rotation", 40)
        == ("results/rotation/splits/n40.npz")
    )
    assert smoke.datasets.sources("rotation_no_dispersion") == [
        f"results/datasets/rotation_no_dispersion_relabel/chunk{k:03d}.extxyz" for k in range(4)
    ]
    assert smoke.datasets.same_size_manifest("metadynamics") == "results/datasets/rotation.json"
    assert smoke.datasets.same_size_manifest("rotation") == []


def test_cluster_coordinate_is_the_molecules_transition_coordinate(smoke, smoke_config):
    assert smoke.datasets.cluster_coordinate("glycine") == {"cv": "tau1", "atoms": [0, 1, 2, 3], "signed": False}
    assert smoke.datasets.cluster_coordinate("rotation") is None  # the smoke config's azobenzene names none
    without = plan_with(
        smoke_config,
        lambda c: (
            c["molecules"]["glycine"].pop("transition_coordinate"),
            c["figures"].pop("phi_cluster_errors"),
            c["figures"].pop("local_models"),
            c["figures"].pop("training_set_optimisation"),
            c["figures"].pop("ml_md"),
        ),
    )
    assert without.datasets.cluster_coordinate("glycine") is None
    assert (
        smoke.training.trained_model_files()["glycine/gap/n40"][2]
        == "results/glycine/models/gap/n40/fold2/model.tar.gz"
    )
    assert (
        smoke.layout.test_predictions("glycine", "gap", 10, 2)
        == "results/glycine/models/gap/n10/fold2/predictions.extxyz"
    )


def test_an_audited_dataset_plans_its_relabelling_table_and_figure(smoke, smoke_config):
    assert smoke.datasets.audited() == ["glycine"]
    assert smoke.datasets.audit_level("glycine").label == "PBE-D3BJ/sto-3g"
    assert smoke.datasets.audit_chunks("glycine") == [f"results/glycine/audit/chunk{k:03d}.extxyz" for k in range(2)]
    targets = smoke.targets()
    assert "results/tables/glycine_audit.csv" in targets and "results/figures/glycine_audit.png" in targets
    assert smoke.datasets.audit_tables() == ["results/tables/glycine_audit.csv"]
    # never more jobs than frames
    fewer = plan_with(smoke_config, lambda c: c["datasets"]["glycine"]["audit"].update(frames=1, jobs=4))
    assert fewer.datasets.audit_chunks("glycine") == ["results/glycine/audit/chunk000.extxyz"]


def test_an_audit_against_an_unknown_or_the_datasets_own_level_is_one_line(smoke_config):
    with pytest.raises(ConfigError, match=r"^config key 'datasets\.glycine\.audit\.level': unknown level 'dft'"):
        plan_with(smoke_config, lambda c: c["datasets"]["glycine"]["audit"].update(level="dft"))
    with pytest.raises(
        ConfigError, match=r"^config key 'datasets\.glycine\.audit\.level': 'gfn2' is the dataset's own level"
    ):
        plan_with(smoke_config, lambda c: c["datasets"]["glycine"]["audit"].update(level="gfn2"))
