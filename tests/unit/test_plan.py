"""The plan as a whole: every shipped config plans, every default is filled in, paths are spelled
once, the targets follow the config and every dangling reference is named by its key."""

import copy
from pathlib import Path

import pytest
from plan_helpers import ROOT, plan_with

from flexmlff.layout import Layout
from flexmlff.planning import ConfigError, Plan, load_config


@pytest.mark.parametrize(
    "name", ["config/config.yaml", "config/paper.yaml", "tests/config.yaml", "config/examples/alanine_dipeptide.yaml"]
)
def test_every_shipped_config_plans(name):
    plan = Plan(load_config(ROOT / name), basedir=ROOT)
    targets = plan.targets()
    assert len(targets) == len(set(targets))
    models = [t for t in targets if "/models/" in t]
    per_dataset = sum(len(plan.training.families_on(dataset)) for dataset in plan.training.trained_datasets)
    assert len(models) == per_dataset * len(plan.training.sizes) * plan.training.n_folds


def test_the_schema_fills_every_default(smoke_config):
    # keys the smoke config leaves out come from the schema, nowhere else
    assert smoke_config["models"]["gap"]["n_sparse"] == 150  # set
    assert smoke_config["models"]["gap"]["zeta"] == 2  # schema default
    assert smoke_config["training"]["selection_force_tolerance"] == 0.1
    assert smoke_config["training"]["selection_energy_difference"] == 1.0
    assert smoke_config["molecules"]["glycine"]["md_level"] is None
    assert smoke_config["molecules"]["azobenzene"]["isomerisation"]["optimised_rotation"]["enabled"] is True
    assert smoke_config["datasets"]["glycine"]["relabel_jobs"] == 4


def test_layout_spells_each_path_once_for_values_and_wildcards():
    layout = Layout("out")
    assert layout.relaxed("glycine", "Ip") == "out/glycine/minima/Ip.extxyz"
    assert layout.relaxed("{molecule}", "{minimum}") == "out/{molecule}/minima/{minimum}.extxyz"
    assert layout.model_file("rotation", "gap", 100, 2) == "out/rotation/models/gap/n100/fold2/model.tar.gz"
    assert layout.model_file("{dataset}", "sgdml", "{n_train}", "{fold}") == (
        "out/{dataset}/models/sgdml/n{n_train}/fold{fold}/model.npz"
    )
    # chunks sort in order as files; a wildcard passes through unpadded
    assert layout.md_relabel_chunk("a", "c", "r", 7).endswith("/relabel/chunk007.extxyz")
    assert layout.md_relabel_chunk("a", "c", "r", "{chunk}").endswith("/relabel/chunk{chunk}.extxyz")
    assert layout.figure("fig4") == ["out/figures/fig4.pdf", "out/figures/fig4.png"]
    assert layout.log("model_errors_table") == "out/logs/model_errors_table.log"
    assert layout.benchmark("md_run", "x") == "out/benchmarks/md_run/x.tsv"


def test_targets_follow_the_config(smoke_config):
    plan = Plan(copy.deepcopy(smoke_config), basedir=ROOT)
    targets = set(plan.targets())
    assert {
        "results/figures/fig9_ml_md.pdf",
        "results/tables/ml_md_outcomes.csv",
        "results/tables/azobenzene_isomerisation_barriers.csv",
        "results/tables/summary.md",
        "results/glycine/models/bpnn/n40/fold2/model.pt",
        "results/figures/glycine_training.png",
        "results/tables/glycine_training_choices.csv",
        "results/glycine/metrics.json",
        "results/models.yml",
    } <= targets
    without = plan_with(smoke_config, lambda c: c["figures"].pop("ml_md"))
    assert not [t for t in without.targets() if "ml_md" in t or "fig9" in t]


def test_shipped_geometries_are_found_from_anywhere(smoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = smoke.molecules.minimum_file("glycine", "Ip")
    assert Path(path).is_absolute() and Path(path).exists()
    assert smoke.molecules.first_minimum_file("azobenzene").endswith("azobenzene_cis.xyz")


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda c: c["datasets"]["glycine"].update(campaigns=["Ip_900K"]),
            "config key 'datasets.glycine.campaigns': unknown MD campaign 'Ip_900K' of glycine",
        ),
        (
            lambda c: c["molecules"]["azobenzene"]["md"]["low_T_rotation"].update(starts=["rotation:40"]),
            "config key 'molecules.azobenzene.md.low_T_rotation.starts': start 'rotation:40'",
        ),
        (
            lambda c: c["molecules"]["azobenzene"]["isomerisation"].update(single_point_levels=["b3lyp"]),
            "config key 'molecules.azobenzene.isomerisation.single_point_levels': unknown level 'b3lyp'",
        ),
        (
            lambda c: c["molecules"]["glycine"].update(level="dft"),
            "config key 'molecules.glycine.level': unknown level 'dft' (known: gfn2, gfn1, pbe_d3bj",
        ),
        (
            lambda c: c["molecules"]["glycine"]["md"]["Ip_500K"].update(stride=7),
            "config key 'molecules.glycine.md.Ip_500K.stride': must divide steps",
        ),
        (
            lambda c: c["datasets"]["metadynamics"].update(same_size_as="glycine"),
            "config key 'datasets.metadynamics.same_size_as': 'glycine' is of another molecule",
        ),
        (
            lambda c: c["figures"]["ml_md"]["paths"]["neb"].update(frames=[9]),
            "config key 'figures.ml_md.paths.neb.frames': the path has frames 0-8",
        ),
        (
            lambda c: c["molecules"]["glycine"]["transition_coordinate"].update(bands_deg=[135, 45]),
            "config key 'molecules.glycine.transition_coordinate.bands_deg': [135, 45]: the first edge must "
            "be the lower",
        ),
        (
            lambda c: (
                c["molecules"]["glycine"].pop("transition_coordinate"),
                c["figures"].pop("ml_md"),
                c["figures"].pop("local_models"),
                c["figures"].pop("training_set_optimisation"),
            ),
            "config key 'figures.phi_cluster_errors.evaluate_on': 'glycine' is of glycine, which has no "
            "transition_coordinate",
        ),
        # Figs. 7 and 8 bin a dihedral's magnitude: an angle that tells minima apart is refused there
        (
            lambda c: (
                c["molecules"]["glycine"]["collective_variables"].update(ncc={"atoms": [0, 1, 2]}),
                c["molecules"]["glycine"]["transition_coordinate"].update(cv="ncc"),
                c["figures"].pop("training_set_optimisation"),
                c["figures"].pop("local_models"),
                c["figures"].pop("ml_md"),
            ),
            "config key 'molecules.glycine.transition_coordinate.cv': 'ncc' of glycine is an angle; this "
            "needs a dihedral",
        ),
        (
            lambda c: (
                c["molecules"]["glycine"]["transition_coordinate"].update(signed=True),
                c["figures"].pop("training_set_optimisation"),
                c["figures"].pop("local_models"),
            ),
            "config key 'figures.phi_cluster_errors.evaluate_on': this figure bins |tau1|; "
            "molecules.glycine.transition_coordinate",
        ),
        (
            lambda c: c["figures"]["phi_cluster_errors"].update(beside=["nequip"]),
            "config key 'figures.phi_cluster_errors.beside': 'nequip' is not in training.models",
        ),
        (
            lambda c: c["figures"]["phi_cluster_errors"].update(beside=["sgdml"]),
            "config key 'figures.phi_cluster_errors.beside': ['sgdml']: each family once, and not the model ('sgdml')",
        ),
        (
            lambda c: (
                c["figures"]["ml_md"].update(models=["nequip"]),
                c["figures"]["ml_md"]["paths"]["neb"].update(models=["sgdml"]),
            ),
            "config key 'figures.ml_md.models': 'nequip' is not in training.models",
        ),
        (
            lambda c: c["figures"]["fold_means"].update(models=["nequip"]),
            "config key 'figures.fold_means.models': 'nequip' is not in training.models",
        ),
        (
            lambda c: c["figures"]["learning_curves"].update(datasets=["rotation"]),
            "config key 'figures.learning_curves.datasets': 'rotation' is not in training.datasets",
        ),
        (
            lambda c: (
                c["training"].update(models=["sgdml", "schnet", "gap", "mace"]),
                c["figures"].pop("local_models"),
                c["figures"]["fold_means"].update(models=["sgdml"]),
                c["figures"]["ml_md"].update(models=["sgdml", "gap"]),
            ),
            "config key 'figures.descriptor_comparison': needs gdml, sgdml_ang, sgdml in training.models on 'glycine'",
        ),
        (
            lambda c: c["training"].update(models_on={"rotation": ["sgdml"]}),
            "config key 'training.models_on.rotation': 'rotation' is not in training.datasets",
        ),
        (
            lambda c: c["training"].update(
                models_on={"glycine": ["sgdml", "sgdml_ang", "gdml", "mace", "local_sgdml"]}
            ),
            "config key 'figures.ml_md.models': 'gap' is not trained on 'glycine' (training.models_on)",
        ),
        (
            lambda c: (
                c["training"].update(
                    models_on={"glycine": ["sgdml", "sgdml_ang", "gdml", "gap", "mace", "local_sgdml"]}
                ),
                c["figures"]["ml_md"]["paths"]["neb"].update(models=["sgdml", "schnet"]),
            ),
            "config key 'figures.ml_md.paths.neb.models': 'schnet' is not trained on 'glycine' (training.models_on)",
        ),
        (
            lambda c: c["figures"].update(
                dispersion_ablation={"dataset": "rotation", "without_dispersion": "inversion", "model": "gap"}
            ),
            "config key 'figures.dispersion_ablation.without_dispersion': must be a relabel_of 'rotation'",
        ),
        (
            lambda c: c["figures"]["training_set_optimisation"].update(n_start=40),
            "config key 'figures.training_set_optimisation.n_start': 40 must be below n_train (40)",
        ),
        (
            lambda c: c["figures"]["training_set_optimisation"].update(folds=[3]),
            "config key 'figures.training_set_optimisation.folds': fold 3: training.n_folds is 3 (folds 0-2)",
        ),
        (
            lambda c: c["figures"]["training_set_optimisation"].update(dataset="rotation"),
            "config key 'figures.training_set_optimisation.dataset': 'rotation' is of azobenzene, which has no "
            "transition_coordinate",
        ),
        (
            lambda c: c["figures"]["training_set_optimisation"].update(models=["nequip"]),
            "config key 'figures.training_set_optimisation.models': unknown model 'nequip'",
        ),
    ],
)
def test_dangling_references_name_their_key(smoke_config, edit, message):
    with pytest.raises(ConfigError) as error:
        plan_with(smoke_config, edit)
    assert str(error.value).startswith(message)
