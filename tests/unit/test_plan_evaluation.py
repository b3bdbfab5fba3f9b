"""The evaluation planner (flexmlff.planning.evaluation): learning-curve rows, Figs. 6-8 inputs,
the ablation."""

import copy

import pytest
from plan_helpers import ROOT, plan_with

from flexmlff.planning import ConfigError, Plan, load_config


def test_without_figs_7_and_8_there_are_no_cluster_tables(smoke_config):
    """The summary asks for Fig. 7's tables whatever the config: none without the figure."""
    plan = plan_with(
        smoke_config, lambda c: (c["figures"].pop("phi_cluster_errors"), c["figures"].pop("training_set_optimisation"))
    )
    assert plan.evaluation.phi_cluster_tables("fig7") == [] and plan.evaluation.phi_cluster_tables("fig8") == []


def test_errors_and_figure_inputs(smoke):
    assert len(smoke.training.family_fold_errors("glycine", "gap")) == 2 * 3
    assert smoke.training.all_family_errors() == [f"results/glycine/errors/{m}.csv" for m in smoke.training.families]
    assert smoke.evaluation.gap_cutoff_errors()[0] == "results/glycine/cutoff_scan/gap/r3/n10/fold0/test_errors.csv"
    assert smoke.evaluation.gap_cutoff_settings("7.5")["cutoff_A"] == 7.5
    assert smoke.evaluation.gap_cutoff_settings("7.5")["n_sparse"] == 150
    # Fig. 7: the largest size on its own set, the families beside it, the combined set;
    # Fig. 8: the metadynamics sizes
    assert smoke.evaluation.phi_cluster_tables("fig7") == [
        "results/glycine/phi_clusters/glycine/sgdml/n40.csv",
        "results/glycine/phi_clusters/glycine/mace/n40.csv",
        "results/glycine/phi_clusters/glycine/sgdml/n10.csv",
    ]
    assert len(smoke.evaluation.phi_cluster_tables("fig8")) == 2
    rows = smoke.evaluation.learning_curve_rows("fold_means", smoke.training.families)
    assert rows == [("glycine", "glycine", ["schnet", "gap", "sgdml", "sgdml_ang"])]
    assert smoke.training.model_env("sgdml_ang") == "sgdml" and smoke.training.model_env("gap") == "gap"
    # every model's training record, next to its model
    records = smoke.training.training_records("glycine")
    assert len(records) == len(smoke.training.families) * 2 * 3
    assert records[0] == f"results/glycine/models/{smoke.training.families[0]}/n10/fold0/training.json"


def test_the_dispersion_ablation_compares_one_model_with_one_set_of_settings():
    config = load_config(ROOT / "config" / "config.yaml")
    config["training"]["settings_on"]["rotation"] = {"gap": {"n_sparse": 300}}
    with pytest.raises(
        ConfigError,
        match=r"'training.settings_on.rotation_no_dispersion.gap': gap's settings "
        r"differ from those on 'rotation'",
    ):
        Plan(copy.deepcopy(config), basedir=ROOT)
    config["training"]["settings_on"]["rotation_no_dispersion"] = {"gap": {"n_sparse": 300}}
    plan = Plan(config, basedir=ROOT)
    assert plan.training.model_settings("gap", "rotation_no_dispersion")["n_sparse"] == 300


def test_fig7a_alone_is_planned_for_a_molecule_without_7b_or_fig8(smoke_config):
    def only_7a(config):
        clusters = config["figures"]["phi_cluster_errors"]
        del clusters["combined"], clusters["metadynamics"]

    alone, both = plan_with(smoke_config, only_7a), plan_with(smoke_config, lambda c: None)
    assert (
        alone.training.phi_cluster_models("fig7") == [("glycine", 40)]
        and alone.training.phi_cluster_models("fig8") == []
    )
    assert len(alone.evaluation.phi_cluster_tables("fig7")) == 2  # the model's row and MACE's beside it
    targets = alone.targets()
    assert "results/figures/fig7_phi_cluster_errors.png" in targets
    assert not any("fig8" in target for target in targets)
    assert any("fig8" in target for target in both.targets())


def test_the_sgdml_entry_chooses_between_the_descriptors_trained_on_its_dataset(smoke, smoke_config):
    # glycine trains both sgdml and sgdml_ang: Fig. 5's and Fig. 9's sGDML entry picks one by its records
    assert smoke.training.descriptor_candidates("sgdml", "glycine") == ["sgdml", "sgdml_ang"]
    assert smoke.training.descriptor_candidates("sgdml_ang", "glycine") == ["sgdml_ang"]  # not an entry
    assert smoke.training.descriptor_candidates("sgdml", "glycine", best_descriptor=False) == ["sgdml"]
    ((dataset, entry, candidates, records),) = smoke.evaluation.descriptor_choices("fold_means", [])
    assert (dataset, entry, candidates) == ("glycine", "sgdml", ["sgdml", "sgdml_ang"])
    assert records[-1] == "results/glycine/models/sgdml_ang/n40/fold2/training.json" and len(records) == 6
    assert smoke.ml_md.candidates("neb", "sgdml") == ["sgdml", "sgdml_ang"]
    assert smoke.ml_md.candidates("neb", "gap") == ["gap"] and smoke.ml_md.fold_records("neb", "gap") == []
    assert len(smoke.ml_md.fold_models("neb", "sgdml")) == 6 and len(smoke.ml_md.fold_records("neb", "sgdml")) == 6
    # each as itself where the figure asks so, or where only one descriptor is trained
    off = plan_with(smoke_config, lambda c: c["figures"]["fold_means"].update(best_descriptor=False))
    assert off.evaluation.descriptor_choices("fold_means", []) == []

    def without_sgdml_ang(config):
        config["figures"].pop("descriptor_comparison")
        config["figures"].pop("local_models")
        config["training"]["models_on"]["glycine"] = [m for m in config["training"]["models"] if m != "sgdml_ang"]

    only = plan_with(smoke_config, without_sgdml_ang)
    assert only.training.descriptor_candidates("sgdml", "glycine") == ["sgdml"]


def test_path_errors_evaluate_every_model_on_every_path_of_datasets_at_the_paths_level(smoke, smoke_config):
    assert smoke.path_errors.evaluated_datasets() == ["glycine"]
    assert smoke.path_errors.path_names("glycine") == ["neb", "string"]
    assert smoke.path_errors.path_files("glycine") == [
        "results/glycine/mep/neb.extxyz",
        "results/glycine/mep/string.extxyz",
    ]
    assert [model for _, model in smoke.path_errors.jobs()] == smoke.training.models_on("glycine")
    assert "results/tables/barrier_errors.md" in smoke.targets()
    # a relabelling at another level is not compared with paths at the molecule's level
    with pytest.raises(ConfigError, match=r"figures\.path_errors\.datasets.*'rotation_no_dispersion' is not labelled"):
        plan_with(
            smoke_config,
            lambda c: (
                c["training"]["datasets"].append("rotation_no_dispersion"),
                c["figures"]["path_errors"].update(datasets=["rotation_no_dispersion"]),
            ),
        )
    off = plan_with(smoke_config, lambda c: c["figures"].pop("path_errors"))
    assert off.path_errors.jobs() == [] and off.path_errors.barrier_table() == []
    assert "results/tables/barrier_errors.md" not in off.targets()


def test_path_errors_on_a_dataset_whose_molecule_has_no_paths_is_one_line(alanine_dipeptide):
    config = copy.deepcopy(alanine_dipeptide.config)
    molecule = config["molecules"]["alanine_dipeptide"]
    molecule.pop("mep", None)
    molecule["driven_paths"] = {}
    config["figures"]["path_errors"] = {"datasets": [config["training"]["datasets"][0]]}
    with pytest.raises(ConfigError, match=r"figures\.path_errors\.datasets.*which has no reference paths"):
        Plan(config, basedir=ROOT)


def test_the_local_models_comparison_reads_every_models_clusters_and_the_paired_comparisons(smoke, smoke_config):
    from plan_helpers import plan_with

    assert smoke.evaluation.local_model_clusters() == [
        f"results/glycine/phi_clusters/glycine/{model}/n40.csv" for model in ("local_sgdml", "sgdml", "sgdml_ang")
    ]
    assert smoke.evaluation.local_model_comparisons() == ["results/tables/glycine_family_comparisons.csv"]
    assert {"results/tables/local_models.csv", "results/figures/local_models.pdf"} <= set(smoke.targets())
    with pytest.raises(ConfigError, match=r"'figures\.local_models\.against': 'bpnn' is not trained on 'glycine'"):
        plan_with(
            smoke_config,
            lambda c: (
                c["figures"]["local_models"].update(against=["bpnn"]),
                c["training"].update(models_on={"glycine": ["sgdml", "local_sgdml"]}),
            ),
        ).check()
