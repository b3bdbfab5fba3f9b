"""The ML-driven MD planner (flexmlff.planning.ml_md): runs, seeds and inputs of Fig. 9."""

from plan_helpers import plan_with


def test_a_path_may_name_its_own_ml_md_families(smoke_config):
    """A path's own ``models`` replace figures.ml_md.models there (MACE trained on one dataset)."""
    plan = plan_with(smoke_config, lambda c: c["figures"]["ml_md"]["paths"]["neb"].update(models=["mace"]))
    assert plan.ml_md.models("neb") == ["mace"]
    assert plan.ml_md.runs() == [("mace", "neb", 4)]


def test_ml_md_inputs(smoke):
    assert smoke.ml_md.molecule("neb") == "glycine"
    assert smoke.ml_md.start_file("neb") == "results/glycine/mep/neb.extxyz"
    assert smoke.ml_md.fold_models("neb", "gap") == [
        f"results/glycine/models/gap/n40/fold{k}/model.tar.gz" for k in range(3)
    ]
    assert smoke.ml_md.end_minima("neb") == ["results/glycine/minima/Ip.extxyz", "results/glycine/minima/IIIp.extxyz"]
    assert smoke.ml_md.outcomes() == [
        "results/ml_md/sgdml/neb/frame4/outcome.json",
        "results/ml_md/gap/neb/frame4/outcome.json",
        "results/ml_md/mace/neb/frame4/outcome.json",
    ]
