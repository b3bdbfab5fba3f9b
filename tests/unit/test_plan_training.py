"""The training planner (flexmlff.planning.training): families per dataset, settings, seeds, what
the figures train."""

import pytest
from plan_helpers import ROOT, plan_with

from flexmlff.planning import Plan, load_config


def test_seeds(smoke):
    assert smoke.seed == 7 and smoke.training.split_seed("40") == 47
    # each ML-MD start and replica has its own seed, the same for every model
    assert smoke.ml_md.seed("neb", "4") == 901 and smoke.ml_md.seed("neb", "4", "1") == 902


def test_settings_on_one_dataset_override_the_family_settings_there_only(smoke):
    from flexmlff.costs import training_resources

    edited = plan_with(smoke.config, lambda c: c["training"]["settings_on"].update(glycine={"gap": {"n_sparse": 300}}))
    assert edited.training.model_settings("gap", "glycine") == {**smoke.training.model_settings("gap"), "n_sparse": 300}
    assert (
        edited.training.model_settings("gap")
        == edited.training.model_settings("gap", "rotation")
        == smoke.training.model_settings("gap")
    )
    assert edited.training.model_settings("schnet", "glycine") == smoke.training.model_settings("schnet")
    # Fig. 6a scans glycine here: its models are fitted with glycine's settings
    assert edited.evaluation.gap_cutoff_settings("7.5")["n_sparse"] == 300
    # the job's resources follow: gap_fit's time grows with the sparse points (its memory did
    # not, measured at n = 100 and 400)
    before = training_resources(smoke, "gap", "glycine", 40)
    after = training_resources(edited, "gap", "glycine", 40)
    assert after["mem_mb"] == before["mem_mb"] and after["runtime"] >= before["runtime"]
    from flexmlff.costs import training_seconds

    sparse = smoke.training.model_settings("gap", "glycine")["n_sparse"]
    assert training_seconds("gap", 40, 10, edited.training.model_settings("gap", "glycine")) == pytest.approx(
        300 / sparse * training_seconds("gap", 40, 10, smoke.training.model_settings("gap", "glycine"))
    )


def test_families_per_dataset(smoke_config):
    families = ["sgdml", "sgdml_ang", "gdml", "schnet", "gap", "mace", "local_sgdml"]
    plan = plan_with(smoke_config, lambda c: c["training"].update(models_on={"glycine": families}))
    assert plan.training.families_on("glycine") == families
    assert "bpnn" in plan.training.families  # still a family of the config (training.models)
    targets = plan.targets()
    assert not [t for t in targets if "/bpnn/" in t]
    assert len(plan.training.training_records("glycine")) == len(families) * 2 * 3
    assert plan.evaluation.learning_curve_rows("learning_curves", plan.training.families)[0][2] == families


def test_training_tasks_include_what_the_figures_train():
    plan = Plan(load_config(ROOT / "config/config.yaml"), basedir=ROOT)
    tasks = {(dataset, family): sizes for dataset, family, sizes in plan.training.tasks()}
    assert tasks[("glycine", "bpnn")] == [25, 50, 100] and ("rotation", "bpnn") not in tasks
    # the dispersion ablation's GAP on every size; Figs. 7/8's SchNet on their own sizes
    assert tasks[("rotation_no_dispersion", "gap")] == [25, 50, 100]
    assert tasks[("rotation_inversion", "schnet")] == [100]
    assert tasks[("metadynamics", "schnet")] == [50, 100]
    assert tasks[("rotation", "schnet")] == [25, 50, 100]  # Fig. 7's own set adds nothing
    assert tasks[("rotation", "sgdml")] == [25, 50, 100]  # nor the grown training sets' n = 100
    # MACE on the rotation set only (beyond the paper)
    assert tasks[("rotation", "mace")] == [25, 50, 100] and ("inversion", "mace") not in tasks
    # the local models (beyond the paper): beside sGDML's two descriptors on both azobenzene sets
    assert tasks[("rotation_inversion", "local_sgdml")] == [25, 50, 100] and ("glycine", "local_sgdml") not in tasks
    assert len(tasks) == 6 + 7 + 5 + 4 + 2
