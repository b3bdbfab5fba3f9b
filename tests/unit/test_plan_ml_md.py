"""The ML-driven MD planner (flexmlff.planning.ml_md): runs, seeds and inputs of Fig. 9."""

from plan_helpers import plan_with


def test_a_path_may_name_its_own_ml_md_families(smoke_config):
    """A path's own ``models`` replace figures.ml_md.models there (MACE trained on one dataset)."""
    plan = plan_with(smoke_config, lambda c: c["figures"]["ml_md"]["paths"]["neb"].update(models=["mace"]))
    assert plan.ml_md.models("neb") == ["mace"]
    # two replicas each, the reference level's runs last
    assert plan.ml_md.runs() == [
        ("mace", "neb", 4, 0),
        ("mace", "neb", 4, 1),
        ("reference", "neb", 4, 0),
        ("reference", "neb", 4, 1),
    ]


def test_each_start_and_replica_has_its_own_seed_shared_by_every_driver(smoke_config):
    plan = plan_with(
        smoke_config,
        lambda c: c["figures"]["ml_md"].update(
            replicas=3, paths={**c["figures"]["ml_md"]["paths"], "string": c["figures"]["ml_md"]["paths"]["neb"]}
        ),
    )
    seeds = [plan.ml_md.seed(path, frame, replica) for path, frame in plan.ml_md.starts() for replica in range(3)]
    assert sorted(seeds) == list(range(901, 907))
    # the first replica keeps the seed a run without replicas had
    assert plan.ml_md.seed("neb", 4, 0) == 901 and plan.ml_md.seed("string", 4, 0) == 902
    without = plan_with(smoke_config, lambda c: c["figures"]["ml_md"].update(reference=False))
    assert not [run for run in without.ml_md.runs() if run[0] == "reference"]


def test_ml_md_inputs(smoke):
    assert smoke.ml_md.molecule("neb") == "glycine"
    assert smoke.ml_md.start_file("neb") == "results/glycine/mep/neb.extxyz"
    assert smoke.ml_md.fold_models("neb", "gap") == [
        f"results/glycine/models/gap/n40/fold{k}/model.tar.gz" for k in range(3)
    ]
    assert smoke.ml_md.end_minima("neb") == ["results/glycine/minima/Ip.extxyz", "results/glycine/minima/IIIp.extxyz"]
    assert smoke.ml_md.outcomes() == [
        f"results/ml_md/{model}/neb/frame4/replica{replica}/outcome.json"
        for model in ("sgdml", "gap", "mace", "local_sgdml", "reference")
        for replica in (0, 1)
    ]
    assert smoke.ml_md.figure_outcomes() == [
        f"results/ml_md/{model}/neb/frame4/replica0/outcome.json"
        for model in ("sgdml", "gap", "mace", "local_sgdml", "reference")
    ]
    # the reference runs at the level of the labels the models learned
    assert smoke.ml_md.reference_level("neb").name == smoke.datasets.level("glycine").name
