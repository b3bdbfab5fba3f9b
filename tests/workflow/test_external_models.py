"""Models flexmlff did not train, benchmarked beside a trained family (issue "Any MLFF"):
GFN2-xTB through tblite on glycine frames labelled with GFN1-xTB (the surrogate's own
error, the number a user with a published dataset wants first), and a MACE file written by
an earlier training, through mace-torch's own MACECalculator. Each output's rows are checked
against a direct evaluation of the same calculator on the same held-out frames. The run's
results/models.yml is then another run's external_models_file, as it is."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from workflow_helpers import snakemake

from flexmlff.calculators import make_calculator
from flexmlff.data import Dataset, write_sgdml_npz
from flexmlff.evaluate import HeldOut, error_metrics
from flexmlff.external import ExternalModel, offset_removed, predict_frames
from flexmlff.models import family
from flexmlff.splits import Split
from flexmlff.units import ev_to_kcal_mol

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.workflow
SIZES, N_FOLDS = [10, 20], 3
GFN2 = {"module": "tblite.ase", "class_name": "TBLite", "kwargs": {"method": "GFN2-xTB", "verbosity": 0}}
#: MACE trained from scratch and fine-tuned, a few epochs each: the rows exist and differ.
TINY_MACE = {"max_epochs": 6, "num_channels": 8, "max_L": 0, "correlation": 2, "dtype": "float32"}
TARGETS = [
    "results/tables/model_errors.csv",
    "results/glycine/metrics.json",
    "results/figures/fig4_learning_curves.png",
    "results/figures/fig7_phi_cluster_errors.png",
    "results/models.yml",
]


def run_config(
    workdir: Path, dataset_file: Path, external: dict, registry: str | None = None, foundation: Path | None = None
) -> Path:
    config = {
        "levels": {"gfn1": {"calculator": "xtb", "method": "GFN1-xTB"}},
        "molecules": {
            "glycine": {
                "level": "gfn1",
                "minima": {"Ip": str(ROOT / "resources/geometries/glycine_Ip.xyz")},
                "collective_variables": {"tau1": {"atoms": [0, 1, 2, 3], "pattern": "N-C-C-O"}},
                "transition_coordinate": {"cv": "tau1"},
            }
        },
        "datasets": {
            "glycine": {
                "molecule": "glycine",
                "file": str(dataset_file),
                "units": {"energy": "kcal/mol", "length": "Angstrom"},
                "theory": "GFN1-xTB",
            }
        },
        "training": {
            "datasets": ["glycine"],
            "models": ["sgdml", *(["mace", "mace_finetuned"] if foundation else [])],
            "sizes": SIZES,
            "n_folds": N_FOLDS,
            "n_valid": 20,
        },
        "models": {
            "sgdml": {"sigmas": [10, 20]},
            **(
                {
                    "mace": TINY_MACE,
                    "mace_finetuned": {"family": "mace", "foundation_model": str(foundation), **TINY_MACE},
                }
                if foundation
                else {}
            ),
        },
        "external_models": external,
        "external_models_file": registry,
        "figures": {
            "learning_curves": {"datasets": ["glycine"]},
            # Fig. 7: sGDML's per-cluster errors on the whole dataset, the external models beside
            # (Fig. 7a alone: no combined set, no metadynamics set)
            "phi_cluster_errors": {"evaluate_on": "glycine", "model": "sgdml", "beside": [name for name in external]},
        },
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def gfn1_glycine(glycine_dataset, tmp_path_factory) -> Path:
    """The conftest's distorted glycine frames relabelled with GFN1-xTB, as a published file."""
    calc = make_calculator("xtb", {"method": "GFN1-xTB"})
    frames = glycine_dataset.subset(range(120))
    from ase import Atoms

    E, F = [], []
    for positions in frames.R:
        atoms = Atoms(numbers=frames.z, positions=positions)
        atoms.calc = calc
        E.append(ev_to_kcal_mol(atoms.get_potential_energy()))
        F.append(ev_to_kcal_mol(atoms.get_forces()))
    path = tmp_path_factory.mktemp("data") / "glycine_gfn1.npz"
    write_sgdml_npz(Dataset(frames.z, frames.R, E, F, "glycine", "GFN1-xTB"), path)
    return path


@pytest.fixture(scope="module")
def saved_mace(glycine_dataset, tmp_path_factory) -> Path:
    """A MACE model file an earlier training wrote (GFN2-xTB frames the run never sees)."""
    mace = family("mace")
    model = mace.train(
        glycine_dataset.subset(range(200, 260)),
        glycine_dataset.subset(range(260, 280)),
        {"max_epochs": 4, "num_channels": 8, "max_L": 0, "correlation": 2, "dtype": "float32"},
    )
    path = tmp_path_factory.mktemp("earlier_run") / "mace.model"
    mace.save(model, path)
    return path


@pytest.fixture(scope="module")
def external_run(gfn1_glycine, saved_mace, tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("external_run")
    mace = {
        "module": "mace.calculators",
        "class_name": "MACECalculator",
        "kwargs": {"model_paths": str(saved_mace), "device": "cpu", "default_dtype": "float64"},
        "trained_on": "GFN2-xTB glycine",
    }
    snakemake(
        workdir,
        *TARGETS,
        config=run_config(workdir, gfn1_glycine, {"gfn2": GFN2, "mace_file": mace}, foundation=saved_mace),
    )
    return workdir


def direct_errors(workdir: Path, model: ExternalModel) -> pd.DataFrame:
    """The model's held-out errors of every size and fold, evaluated here, offset removed."""
    from flexmlff.data import read_dataset

    dataset = read_dataset(workdir / "results/datasets/glycine.npz")
    calculator, rows = model.calculator(), []
    for n in SIZES:
        split = Split.load(workdir / f"results/glycine/splits/n{n}.npz")
        for fold in range(N_FOLDS):
            indices = split.test_indices(fold)
            energies, forces = predict_frames(calculator, dataset.R[indices], dataset.z, model.name)
            held_out, offset = offset_removed(HeldOut(indices, energies, forces), dataset.E[indices])
            rows.append(
                {
                    "n_train": n,
                    "fold": fold,
                    "energy_offset_kcal_mol": offset,
                    **error_metrics(held_out.energies, dataset.E[indices], held_out.forces, dataset.F[indices]),
                }
            )
    return pd.DataFrame(rows).set_index(["n_train", "fold"])


def test_external_models_have_the_rows_a_direct_evaluation_gives(external_run, saved_mace):
    errors = pd.read_csv(external_run / "results/tables/model_errors.csv")
    assert set(errors["model"]) == {"sgdml", "mace", "mace_finetuned", "gfn2", "mace_file"}
    entries = {
        "gfn2": GFN2,
        "mace_file": {
            "module": "mace.calculators",
            "class_name": "MACECalculator",
            "kwargs": {"model_paths": str(saved_mace), "device": "cpu", "default_dtype": "float64"},
        },
    }
    for name, entry in entries.items():
        rows = errors[errors["model"] == name].set_index(["n_train", "fold"]).sort_index()
        expected = direct_errors(external_run, ExternalModel.from_entry(name, entry, name)).sort_index()
        assert list(rows.index) == list(expected.index)  # every size and fold, as the trained family's
        for column in ("energy_rmse", "force_rmse", "energy_mae", "force_mae", "energy_offset_kcal_mol"):
            # tblite starts each SCF from the last frame's density: frames in another order agree to ~1e-5
            np.testing.assert_allclose(rows[column], expected[column], rtol=1e-4, atol=1e-6, err_msg=f"{name} {column}")
    # the same held-out frames as sGDML's, fold by fold
    sgdml = errors[errors["model"] == "sgdml"].set_index(["n_train", "fold"])["n_test"].sort_index()
    gfn2 = errors[errors["model"] == "gfn2"].set_index(["n_train", "fold"])["n_test"].sort_index()
    assert sgdml.equals(gfn2)
    # GFN2 against GFN1 labels: a surrogate error of a few kcal/(mol Å), not zero, not garbage
    gfn2_forces = errors.loc[errors["model"] == "gfn2", "force_rmse"]
    assert 0.5 < gfn2_forces.min() and gfn2_forces.max() < 20


def test_external_models_appear_in_metrics_and_fig4(external_run):
    curves = pd.read_csv(external_run / "results/tables/learning_curves.csv").set_index(["model", "n_train"])
    errors = pd.read_csv(external_run / "results/tables/model_errors.csv")
    metrics = json.loads((external_run / "results/glycine/metrics.json").read_text())["metrics"]
    for name in ("gfn2", "mace_file"):
        for n in SIZES:
            folds = errors[(errors["model"] == name) & (errors["n_train"] == n)]
            assert curves.loc[(name, n), "best_energy_rmse"] == pytest.approx(folds["energy_rmse"].min())
            assert metrics[f"force_rmse_best_n{n}"][name] == pytest.approx(curves.loc[(name, n), "best_force_rmse"])
            assert metrics[f"force_rmse_mean_n{n}"][name] == pytest.approx(folds["force_rmse"].mean())
    assert (external_run / "results/figures/fig4_learning_curves.png").stat().st_size > 10_000
    # the registry lists what this run trained, not what it was given
    registry = yaml.safe_load((external_run / "results/models.yml").read_text())
    assert registry and {entry["kwargs"]["model"] for entry in registry.values()} == {"sgdml", "mace"}
    # a variant's model loads as its family's, under its own name
    assert {entry.get("variant") for entry in registry.values()} == {None, "mace_finetuned"}


def test_external_models_are_rows_of_fig7_evaluated_on_every_frame(external_run, saved_mace):
    from flexmlff.data import read_dataset
    from flexmlff.evaluate import cluster_errors, coordinate_degrees

    dataset = read_dataset(external_run / "results/datasets/glycine.npz")
    model = ExternalModel.from_entry("gfn2", GFN2, "gfn2")
    energies, forces = predict_frames(model.calculator(), dataset.R, dataset.z, "gfn2")
    held_out, _ = offset_removed(HeldOut(np.arange(len(dataset)), energies, forces), dataset.E)
    expected = cluster_errors(
        coordinate_degrees(dataset.R, [0, 1, 2, 3]), held_out.energies, dataset.E, forces, dataset.F
    )
    table = pd.read_csv(external_run / "results/glycine/phi_clusters/glycine/gfn2/n20.csv")
    assert table["n_frames"].sum() == len(dataset) and (table["model"] == "gfn2").all()
    np.testing.assert_allclose(table["force_rmse"], expected["force_rmse"], rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(table["energy_rmse"], expected["energy_rmse"], rtol=1e-6, equal_nan=True)
    assert (external_run / "results/figures/fig7_phi_cluster_errors.png").stat().st_size > 10_000


def test_a_runs_models_yml_is_another_runs_external_models_file(external_run, gfn1_glycine, tmp_path):
    registry = external_run / "results/models.yml"
    snakemake(tmp_path, "results/tables/model_errors.csv", config=run_config(tmp_path, gfn1_glycine, {}, str(registry)))
    errors = pd.read_csv(tmp_path / "results/tables/model_errors.csv")
    entries = yaml.safe_load(registry.read_text())
    assert set(errors["model"]) == {"sgdml", *entries}
    entries = {name: entry for name, entry in entries.items() if entry["kwargs"]["model"] == "sgdml"}
    name = "flexmlff-glycine-sgdml-n20"
    model = ExternalModel.from_entry(name, entries[name], name, registry.parent)
    rows = errors[errors["model"] == name].set_index(["n_train", "fold"]).sort_index()
    expected = direct_errors(tmp_path, model).sort_index()
    np.testing.assert_allclose(rows["force_rmse"], expected["force_rmse"], rtol=1e-6)
    # the first run's best n = 20 sGDML model on this run's folds of the same frames: its own
    # training frames are among some folds' held-out frames, so it beats the fresh n = 20 models
    trained_here = errors[(errors["model"] == "sgdml") & (errors["n_train"] == 20)]["force_rmse"]
    assert rows.loc[20, "force_rmse"].min() < trained_here.max()


def test_a_fine_tuned_mace_is_a_row_of_its_own_beside_mace_from_scratch(external_run, saved_mace):
    errors = pd.read_csv(external_run / "results/tables/model_errors.csv")
    scratch = errors[errors["model"] == "mace"].set_index(["n_train", "fold"]).sort_index()
    tuned = errors[errors["model"] == "mace_finetuned"].set_index(["n_train", "fold"]).sort_index()
    assert list(tuned.index) == list(scratch.index) == [(n, k) for n in SIZES for k in range(N_FOLDS)]
    assert (tuned["n_test"] == scratch["n_test"]).all()  # the same held-out frames
    record = json.loads((external_run / "results/glycine/models/mace_finetuned/n10/fold0/training.json").read_text())
    assert record["family"] == "mace_finetuned" and record["settings"]["foundation_model"] == str(saved_mace)
    log = (external_run / "results/logs/train_mace_finetuned/glycine_n10_fold0.log").read_text()
    assert "training mace_finetuned on 10 frames" in log
    # a model that has seen glycine (GFN2-xTB) starts far ahead of one that has not, at 6 epochs
    assert tuned["force_rmse"].mean() < scratch["force_rmse"].mean()
    curves = pd.read_csv(external_run / "results/tables/learning_curves.csv")
    assert {"mace", "mace_finetuned"} <= set(curves["model"])
    print(
        pd.concat(
            {
                "from scratch": scratch[["energy_rmse", "force_rmse"]],
                "fine-tuned": tuned[["energy_rmse", "force_rmse"]],
            },
            axis=1,
        )
        .round(3)
        .to_string()
    )
