"""The workflow's plan (flexmlff.plan), checked on the shipped configs without running Snakemake."""

import copy
import math
from pathlib import Path

import pytest

from flexmlff.calculators import Level
from flexmlff.layout import Layout
from flexmlff.planning import ConfigError, Plan, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke_config():
    return load_config(ROOT / "tests" / "config.yaml")


@pytest.fixture()
def smoke(smoke_config):
    return Plan(copy.deepcopy(smoke_config), basedir=ROOT)


def plan_with(smoke_config, edit):
    config = copy.deepcopy(smoke_config)
    edit(config)
    return Plan(config, basedir=ROOT)


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


def test_levels(smoke):
    gfn1 = smoke.molecules.molecule_level("azobenzene")
    assert (gfn1.name, gfn1.calculator, gfn1.options["method"]) == ("gfn1", "xtb", "GFN1-xTB")
    assert gfn1 == Level.from_config("gfn1", smoke.config["levels"]["gfn1"])
    assert gfn1.label == "GFN1-xTB"
    # MD is driven at md_level and relabelled at the molecule's level
    assert smoke.molecules.md_level("azobenzene").label == "GFN2-xTB" and smoke.molecules.relabelled("azobenzene")
    assert not smoke.molecules.relabelled("glycine") and smoke.molecules.md_level("glycine").name == "gfn2"
    ablated = smoke.datasets.level("rotation_no_dispersion")
    assert ablated.label == "GFN1-xTB without D3"
    # identity changes with any setting, the label need not
    assert (
        ablated.identity != gfn1.identity and ablated.identity == smoke.molecules.level("gfn1_no_dispersion").identity
    )
    assert smoke.molecules.level("pbe_d3bj").label == "PBE-D3BJ/def2-SVP"


def test_a_level_makes_its_calculator(smoke):
    calc = smoke.molecules.level("gfn1").make()
    assert calc.__class__.__name__ == "TBLite" and calc.parameters["method"] == "GFN1-xTB"


def test_campaign_runs_are_named_and_seeded_in_order(smoke):
    runs = smoke.sampling.campaign_runs("azobenzene", "rotation_path")
    # n_images 5: the intermediate frames 1..5 of the rotation path
    assert [r.run for r in runs] == [f"{i:02d}_rotation_f{i + 1:02d}" for i in range(5)]
    assert [r.seed for r in runs] == [301 + i for i in range(5)]
    assert smoke.sampling.start_file("azobenzene", "rotation_path", "02_rotation_f03") == (
        "results/azobenzene/paths/rotation.extxyz"
    )
    assert smoke.sampling.start_file("azobenzene", "high_T", "01_trans") == "results/azobenzene/minima/trans.extxyz"
    assert smoke.sampling.start_file("glycine", "Ip_500K", "00_Ip") == "results/glycine/minima/Ip.extxyz"
    # MD may start from an MEP too: its frames live under mep/
    assert smoke.paths.path_file("glycine", "neb") == "results/glycine/mep/neb.extxyz"
    assert smoke.paths.frame_counts("azobenzene") == {
        "rotation": 7,
        "inversion": 7,
        "rotation_inversion": 7,
        "optimised_rotation": 7,
        "neb": 7,
        "string": 7,
    }


def test_relabelling_chunks(smoke):
    # metadynamics: 200 steps, stride 2 -> 101 frames in chunks of 40 -> 3 jobs
    assert smoke.sampling.frame_count("azobenzene", "metadynamics") == 101
    assert smoke.sampling.n_relabel_chunks("azobenzene", "metadynamics") == 3
    chunks = smoke.sampling.relabel_chunks("azobenzene", "metadynamics", "00_cis")
    assert [c.rsplit("/", 1)[1] for c in chunks] == ["chunk000.extxyz", "chunk001.extxyz", "chunk002.extxyz"]
    # a relabelled molecule's datasets read the relabelled frames
    sources = smoke.datasets.sources("rotation")
    assert all(s.endswith("/labelled.extxyz") for s in sources)
    assert len(sources) == len(smoke.datasets.source_names("rotation")) == 2 + 5 + 2 + 1
    assert smoke.datasets.source_names("rotation")[:3] == ["equilibrium", "equilibrium", "rotation_path"]
    glycine = smoke.datasets.sources("glycine")
    assert glycine == [
        "results/glycine/md/Ip_500K/00_Ip/frames.extxyz",
        "results/glycine/md/IIIp_500K/00_IIIp/frames.extxyz",
    ]


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


def test_seeds(smoke):
    assert smoke.seed == 7 and smoke.training.split_seed("40") == 47
    # each ML-MD start has its own seed, the same for every model
    assert smoke.ml_md.runs() == [("sgdml", "neb", 4), ("gap", "neb", 4), ("mace", "neb", 4)]
    assert smoke.ml_md.seed("neb", "4") == 901


def test_a_path_may_name_its_own_ml_md_families(smoke_config):
    """A path's own ``models`` replace figures.ml_md.models there (MACE trained on one dataset)."""
    plan = plan_with(smoke_config, lambda c: c["figures"]["ml_md"]["paths"]["neb"].update(models=["mace"]))
    assert plan.ml_md.models("neb") == ["mace"]
    assert plan.ml_md.runs() == [("mace", "neb", 4)]


def test_without_figs_7_and_8_there_are_no_cluster_tables(smoke_config):
    """The summary asks for Fig. 7's tables whatever the config: none without the figure."""
    plan = plan_with(
        smoke_config, lambda c: (c["figures"].pop("phi_cluster_errors"), c["figures"].pop("training_set_optimisation"))
    )
    assert plan.evaluation.phi_cluster_tables("fig7") == [] and plan.evaluation.phi_cluster_tables("fig8") == []


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


def test_isomerisation_plan(smoke):
    assert smoke.paths.isomerisation_paths("azobenzene") == [
        "rotation",
        "inversion",
        "rotation_inversion",
        "optimised_rotation",
    ]
    points = smoke.paths.isomerisation_single_points("azobenzene")
    assert points[:3] == [
        "results/azobenzene/single_points/gfn2/minimum_cis.json",
        "results/azobenzene/single_points/gfn2/minimum_trans.json",
        "results/azobenzene/single_points/gfn2/rotation_highest.json",
    ]
    assert len(points) == 2 + 4
    assert smoke.paths.mep_outputs("glycine", "csv") == [
        "results/glycine/mep/neb.csv",
        "results/glycine/mep/string.csv",
    ]
    no_opt = plan_with(
        smoke.config,
        lambda c: c["molecules"]["azobenzene"]["isomerisation"]["optimised_rotation"].update(enabled=False),
    )
    assert "optimised_rotation" not in no_opt.paths.isomerisation_paths("azobenzene")


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
    # the job's resources follow (gap_fit's memory and time grow with the sparse points)
    before = training_resources(smoke, "gap", "glycine", 40)
    after = training_resources(edited, "gap", "glycine", 40)
    assert after["mem_mb"] > before["mem_mb"] and after["runtime"] >= before["runtime"]


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


def test_cluster_coordinate_is_the_molecules_transition_coordinate(smoke, smoke_config):
    assert smoke.datasets.cluster_coordinate("glycine") == {"cv": "tau1", "atoms": [0, 1, 2, 3], "signed": False}
    assert smoke.datasets.cluster_coordinate("rotation") is None  # the smoke config's azobenzene names none
    without = plan_with(
        smoke_config,
        lambda c: (
            c["molecules"]["glycine"].pop("transition_coordinate"),
            c["figures"].pop("phi_cluster_errors"),
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


def test_families_per_dataset(smoke_config):
    families = ["sgdml", "sgdml_ang", "gdml", "schnet", "gap", "mace"]
    plan = plan_with(smoke_config, lambda c: c["training"].update(models_on={"glycine": families}))
    assert plan.training.families_on("glycine") == families
    assert "bpnn" in plan.training.families  # still a family of the config (training.models)
    targets = plan.targets()
    assert not [t for t in targets if "/bpnn/" in t]
    assert len(plan.training.training_records("glycine")) == len(families) * 2 * 3
    assert plan.evaluation.learning_curve_rows("learning_curves", plan.training.families)[0][2] == families


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
                c["figures"].pop("ml_md"),
            ),
            "config key 'molecules.glycine.transition_coordinate.cv': 'ncc' of glycine is an angle; this "
            "needs a dihedral",
        ),
        (
            lambda c: (
                c["molecules"]["glycine"]["transition_coordinate"].update(signed=True),
                c["figures"].pop("training_set_optimisation"),
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
            lambda c: c["training"].update(models_on={"glycine": ["sgdml", "sgdml_ang", "gdml", "mace"]}),
            "config key 'figures.ml_md.models': 'gap' is not trained on 'glycine' (training.models_on)",
        ),
        (
            lambda c: (
                c["training"].update(models_on={"glycine": ["sgdml", "sgdml_ang", "gdml", "gap", "mace"]}),
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


@pytest.fixture(scope="module")
def alanine_dipeptide():
    return Plan(load_config(ROOT / "config/examples/alanine_dipeptide.yaml"), basedir=ROOT)


def test_minima_built_from_a_smiles_are_jobs_and_their_atoms_known_before_any_runs(alanine_dipeptide):
    plan = alanine_dipeptide
    assert plan.molecules.minimum_file("alanine_dipeptide", "C7ax") == "results/alanine_dipeptide/minima/C7ax_built.xyz"
    assert plan.molecules.first_minimum_file("alanine_dipeptide").endswith("C7eq_built.xyz")
    assert (
        "".join(plan.molecules.reference_atoms("alanine_dipeptide").get_chemical_symbols()) == "CCONCCCONC" + "H" * 12
    )
    assert plan.molecules.build_settings("alanine_dipeptide", "C7eq") == {
        "smiles": "CC(=O)N[C@@H](C)C(=O)NC",
        "seed": 2021,
        "values": [["phi", [1, 3, 4, 6], -83.0], ["psi", [3, 4, 6, 8], 73.0]],
    }
    # the 2-D error map reads every fold's held-out predictions at the largest size, per family
    assert plan.evaluation.grid_cvs("alanine_dipeptide") == {"phi": [1, 3, 4, 6], "psi": [3, 4, 6, 8]}
    predictions = plan.evaluation.grid_predictions("alanine_dipeptide")
    assert list(predictions) == plan.training.families_on("alanine_dipeptide") and "mace" in predictions
    assert predictions["schnet"] == [
        f"results/alanine_dipeptide/models/schnet/n100/fold{k}/predictions.extxyz" for k in range(3)
    ]
    assert "results/figures/alanine_dipeptide_cv_grid_errors.png" in plan.targets()


def test_a_driven_path_is_a_path_like_the_meps(alanine_dipeptide):
    plan = alanine_dipeptide
    assert plan.paths.table_rows("alanine_dipeptide") == ["neb", "string", "phi_psi"]
    assert (
        plan.paths.table_inputs("alanine_dipeptide", "json")[-1]
        == "results/alanine_dipeptide/driven_paths/phi_psi.json"
    )
    assert plan.paths.driven_path_settings("alanine_dipeptide", "phi_psi")["drive"] == {
        "phi": [1, 3, 4, 6],
        "psi": [3, 4, 6, 8],
    }
    assert plan.paths.driven_path_endpoints("alanine_dipeptide", "phi_psi") == {
        "start": "results/alanine_dipeptide/minima/C7eq.extxyz",
        "end": "results/alanine_dipeptide/minima/C7ax.extxyz",
    }
    # MD and Fig. 9 can start from its frames
    assert plan.paths.frame_counts("alanine_dipeptide")["phi_psi"] == 13
    assert (
        plan.paths.path_file("alanine_dipeptide", "phi_psi") == "results/alanine_dipeptide/driven_paths/phi_psi.extxyz"
    )


def example_with(edit):
    config = load_config(ROOT / "config/examples/alanine_dipeptide.yaml")
    edit(config)
    return Plan(config, basedir=ROOT)


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda c: c["molecules"]["alanine_dipeptide"].update(smiles=None),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': collective-variable values to build a minimum at "
            "need the molecule's SMILES (molecules.alanine_dipeptide.smiles)",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"].update(smiles="CC(=O)N[C@@H](C)C(=O"),
            "config key 'molecules.alanine_dipeptide.smiles': RDKit cannot read the SMILES",
        ),
        # a boronic acid: MMFF94 has no boron, found before any job runs
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"].update(smiles="CB(O)N[C@@H](C)C(=O)NC"),
                c["molecules"]["alanine_dipeptide"]["collective_variables"]["phi"].update(pattern="B-N-C-C"),
            ),
            "config key 'molecules.alanine_dipeptide.smiles': MMFF94 has no parameters for 'CB(O)N[C@@H](C)C(=O)NC'",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["minima"]["C7eq"].update(omega=180),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': 'omega' is not a collective variable of "
            "alanine_dipeptide",
        ),
        # the SMILES numbers the atoms: the pattern catches indices written for another order
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["collective_variables"]["phi"].update(atoms=[0, 1, 3, 4]),
            "config key 'molecules.alanine_dipeptide.collective_variables.phi': atoms [0, 1, 3, 4] are C0-C1-N3-C4, "
            "not the pattern 'C-N-C-C'",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"].update(drive=["phi", "omega"]),
            "config key 'molecules.alanine_dipeptide.driven_paths.phi_psi.drive': 'omega' is not a collective variable",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"].update(end="C5"),
            "config key 'molecules.alanine_dipeptide.driven_paths.phi_psi.end': unknown minimum 'C5' "
            "(known: C7eq, C7ax)",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"].update(
                C7eq=dict(c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"])
            ),
            "config key 'molecules.alanine_dipeptide.driven_paths.C7eq': an isomerisation path or a minimum "
            "has this name",
        ),
        # a distance between unbonded atoms (the two carbonyl carbons) cannot be set by RDKit
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"]["collective_variables"].update(cc={"atoms": [1, 6]}),
                c["molecules"]["alanine_dipeptide"]["minima"]["C7eq"].update(cc=3.0),
            ),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': 'cc': atoms 1 and 6 are not bonded, so "
            "it cannot be set",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["transition_coordinate"].update(signed=False),
            "config key 'molecules.alanine_dipeptide.transition_coordinate.bands_deg': [-30, 30]: edges of "
            "|phi| cannot be "
            "negative",
        ),
        (
            lambda c: c["figures"]["cv_grid_errors"].update(cell_deg=25),
            "config key 'figures.cv_grid_errors.cell_deg': 25 degrees does not divide 360",
        ),
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"]["collective_variables"].update(
                    nca={"atoms": [3, 4], "pattern": "N-C"}
                ),
                c["figures"]["cv_grid_errors"].update(cvs=["phi", "nca"]),
            ),
            "config key 'figures.cv_grid_errors.cvs': 'nca' of alanine_dipeptide is a distance; this needs a dihedral",
        ),
    ],
)
def test_bad_molecule_entries_name_their_key(edit, message):
    with pytest.raises(ConfigError) as error:
        example_with(edit)
    assert str(error.value).startswith(message)


def test_relabel_chunk_count_rounds_up(smoke_config):
    plan = plan_with(smoke_config, lambda c: c["molecules"]["azobenzene"].update(relabel_chunk_frames=101))
    assert plan.sampling.n_relabel_chunks("azobenzene", "metadynamics") == 1
    plan = plan_with(smoke_config, lambda c: c["molecules"]["azobenzene"].update(relabel_chunk_frames=100))
    assert plan.sampling.n_relabel_chunks("azobenzene", "metadynamics") == math.ceil(101 / 100) == 2


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
    assert len(tasks) == 6 + 6 + 5 + 3


def test_training_set_optimisation_steps_chain_and_compare_like_with_like(smoke):
    layout = smoke.layout
    assert smoke.grown_sets.sizes() == [20, 30, 40]
    assert smoke.grown_sets.runs() == [("sgdml", 0)]
    assert smoke.grown_sets.scheme().fine == 10 and smoke.grown_sets.scheme().error_factor == 1.1
    # step 0 starts from the split; every later step from the step before it
    assert smoke.grown_sets.previous_step("glycine", "sgdml", 40, 0, 0) == {}
    assert smoke.grown_sets.previous_step("glycine", "sgdml", 40, 0, 2) == {
        "previous_training_set": layout.optimised_training_set("glycine", "sgdml", 40, 0, 1),
        "previous_frame_errors": layout.optimised_frame_errors("glycine", "sgdml", 40, 0, 1),
    }
    inputs = smoke.grown_sets.inputs()
    # the last step against the stratified model of the same size and fold
    assert inputs["optimised"] == [layout.optimised_predictions("glycine", "sgdml", 40, 0, 2)]
    assert inputs["stratified"] == [layout.test_predictions("glycine", "sgdml", 40, 0)]
    assert len(inputs["steps"]) == 3
    assert smoke.grown_sets.seed(0, 1) != smoke.grown_sets.seed(1, 0)
    assert set(layout.figure("training_set_optimisation")) <= set(smoke.targets())
    # every step's model is wanted in its own right: a deleted one is retrained
    assert layout.optimised_model("glycine", "sgdml", 40, 0, 1) in smoke.targets()


def test_training_set_optimisation_defaults_to_every_fold(smoke_config):
    plan = plan_with(smoke_config, lambda c: c["figures"]["training_set_optimisation"].pop("folds"))
    assert plan.grown_sets.runs() == [("sgdml", 0), ("sgdml", 1), ("sgdml", 2)]


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
