"""The whole DAG on the smoke config (tests/config.yaml), run once; one test per rule's outputs."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from ase import Atoms
from ase.io import read
from workflow_helpers import CONFIG, ROOT, snakemake

from flexmlff import md_statistics
from flexmlff.calculators import make_calculator
from flexmlff.data import read_dataset
from flexmlff.evaluate import equilibrium_to_transition_ratio
from flexmlff.geometry import azobenzene_atoms, dihedral
from flexmlff.layout import Layout
from flexmlff.scratch import PARTIAL, scratch_left
from flexmlff.splits import Split
from flexmlff.units import ev_to_kcal_mol

pytestmark = pytest.mark.workflow


def inject(fault: str, run: subprocess.Popen, processes: dict) -> None:
    """Send a fault, "<SIGNAL> to <whom>": to Snakemake (`run`), to its whole process group (a
    session of its own), or to one of `processes` by name."""
    signum, whom = fault.split(" to ", 1)
    signum = getattr(signal, signum)
    if whom == "snakemake":
        run.send_signal(signum)
    elif whom == "the process group":
        os.killpg(run.pid, signum)
    else:
        processes[whom].send_signal(signum)


def planned_jobs(output: str) -> dict[str, int]:
    """Job counts per rule from the 'Job stats' table of a dry run."""
    assert "Job stats:" in output, output[-2000:]
    table = output.split("Job stats:")[1].split("total")[0]
    jobs = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.M)}
    total = re.search(r"^total\s+(\d+)$", output, re.M)
    return {**jobs, "total": int(total.group(1))}


#: When the smoke run started (epoch seconds): what appeared in /tmp after it is the run's.
STARTED = {}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    # FLEXMLFF_SMOKE_DIR: bring an earlier smoke run up to date instead of starting afresh
    workdir = Path(os.environ.get("FLEXMLFF_SMOKE_DIR") or tmp_path_factory.mktemp("smoke"))
    STARTED["time"] = time.time()
    snakemake(workdir)
    return workdir / "results"


def test_the_run_leaves_no_scratch_and_no_partial_output(run):
    """Every job's temporary files lived in its scratch under the results tree and went with
    it; nothing of the run's is in /tmp (GAP's sparseX folders, i-PI's sockets); no output
    was left half-written."""
    assert scratch_left(run / ".scratch") == [] and not (run / ".scratch").exists()
    left = [
        path
        for pattern in ("flexmlff-*", "ipi_*")
        for path in Path("/tmp").glob(pattern)
        if path.lstat().st_mtime >= STARTED["time"]
    ]
    assert left == []
    assert [path for path in run.rglob(f"*{PARTIAL}*")] == []


def test_jobs_import_the_checkouts_library(run):
    """Every job imports this checkout's src/flexmlff (through PYTHONPATH), whatever
    flexmlff is installed: the job logs say which copy they imported."""
    logs = list((run / "logs").rglob("*.log"))
    assert len(logs) > 20
    where = {
        re.search(r"flexmlff from (\S+)", log.read_text())[1] for log in logs if "flexmlff from" in log.read_text()
    }
    assert where == {str(ROOT / "src" / "flexmlff")}


def test_relax_minimum(run, glycine_torsions):
    ip, iiip = read(run / "glycine/minima/Ip.extxyz"), read(run / "glycine/minima/IIIp.extxyz")
    torsions = glycine_torsions
    assert abs(dihedral(ip.positions, torsions["tau1"])) > 175
    assert abs(dihedral(iiip.positions, torsions["tau1"])) < 5
    assert np.abs(ip.get_forces()).max() < 0.01
    assert 0.3 < ev_to_kcal_mol(iiip.get_potential_energy() - ip.get_potential_energy()) < 3.0


def test_minimum_energy_path(run):
    for method in ("neb", "string"):
        images = read(run / f"glycine/mep/{method}.extxyz", index=":")
        profile = pd.read_csv(run / f"glycine/mep/{method}.csv")
        summary = json.loads((run / f"glycine/mep/{method}.json").read_text())
        assert len(images) == len(profile) == 9 and summary["n_images"] == 7
        assert summary["converged"]
        assert profile["energy_kcal_mol"].iloc[0] == 0.0
        assert np.isclose(abs(profile["tau1_deg"].iloc[0]), 180, atol=5)
        assert np.isclose(profile["tau1_deg"].iloc[-1], 0, atol=5)


def test_mep_barrier_table(run):
    table = pd.read_csv(run / "tables/glycine_mep_barriers.csv").set_index("method")
    assert set(table.index) == {"neb", "string"}
    assert ((table["barrier_kcal_mol"] > 0.5) & (table["barrier_kcal_mol"] < 10)).all()
    assert abs(table.loc["neb", "barrier_kcal_mol"] - table.loc["string", "barrier_kcal_mol"]) < 0.3
    assert (table["paper_PBE_TS_kcal_mol"] == 2.4).all()
    assert "| neb" in (run / "tables/glycine_mep_barriers.md").read_text()


def test_azobenzene_minima(run):
    cis, trans = read(run / "azobenzene/minima/cis.extxyz"), read(run / "azobenzene/minima/trans.extxyz")
    ids = azobenzene_atoms(cis)
    assert abs(dihedral(cis.positions, ids.phi)) < 20 and abs(dihedral(trans.positions, ids.phi)) > 175
    # GFN1-xTB, azobenzene's level: trans below cis as in DFT and experiment, if by less (PBE-D3(BJ): 13.6)
    assert ev_to_kcal_mol(trans.get_potential_energy() - cis.get_potential_energy()) == pytest.approx(-2.5, abs=0.5)
    assert cis.info["level"] == "GFN1-xTB"


def test_isomerisation_path(run):
    for mechanism in ("rotation", "inversion", "rotation_inversion"):
        profile = pd.read_csv(run / f"azobenzene/paths/{mechanism}.csv")
        frames = read(run / f"azobenzene/paths/{mechanism}.extxyz", index=":")
        assert len(frames) == len(profile) == 7
        assert profile["energy_kcal_mol"].iloc[0] == 0.0
        assert profile["energy_kcal_mol"].iloc[-1] == pytest.approx(-2.5, abs=0.5)
        assert 10 < profile["energy_kcal_mol"].max() < 60
    inversion = pd.read_csv(run / "azobenzene/paths/inversion.csv")
    assert inversion["theta_deg"].max() > 170


def test_optimised_rotation_path(run):
    rotation = pd.read_csv(run / "azobenzene/paths/rotation.csv")
    optimised = pd.read_csv(run / "azobenzene/paths/optimised_rotation.csv")
    assert optimised["converged"].all()
    assert np.allclose(optimised["phi_deg"], rotation["phi_deg"], atol=0.01)
    inner = slice(1, -1)
    assert (optimised["energy_kcal_mol"][inner] < rotation["energy_kcal_mol"][inner]).all()
    # the paper's variant (compare: true): theta, theta', a, a' and b optimised at each phi, every
    # other coordinate as the rotation path has it; it relaxes less, so it lies between the two
    papers = pd.read_csv(run / "azobenzene/paths/optimised_rotation_paper.csv")
    assert np.allclose(papers["phi_deg"], rotation["phi_deg"], atol=0.01)
    assert (papers["energy_kcal_mol"][inner] <= rotation["energy_kcal_mol"][inner] + 1e-6).all()
    assert (papers["energy_kcal_mol"][inner] >= optimised["energy_kcal_mol"][inner] - 1e-6).all()
    from flexmlff.rotor_optimisation import rotor_coordinates, set_rotor_coordinates

    driven = read(run / "azobenzene/paths/rotation.extxyz", index=":")
    frames = read(run / "azobenzene/paths/optimised_rotation_paper.extxyz", index=":")
    rotor = azobenzene_atoms(driven[0])
    for before, after in zip(driven, frames):
        rebuilt = set_rotor_coordinates(before, rotor, rotor_coordinates(after, rotor))
        assert np.allclose(rebuilt.get_all_distances(), after.get_all_distances(), atol=1e-6)


def test_single_points(run):
    # the GFN2-xTB single point lands on the highest frame of the path, with GFN2-xTB's energy
    profile = pd.read_csv(run / "azobenzene/paths/rotation.csv")
    point = json.loads((run / "azobenzene/single_points/gfn2/rotation_highest.json").read_text())
    assert point["frame"] == profile["energy_kcal_mol"].idxmax() and point["label"] == "GFN2-xTB"
    check = read(run / "azobenzene/paths/rotation.extxyz", index=point["frame"])
    check.calc = make_calculator("xtb", {"method": "GFN2-xTB"})
    assert point["energy_kcal_mol"] == pytest.approx(ev_to_kcal_mol(check.get_potential_energy()), abs=1e-4)
    minimum = json.loads((run / "azobenzene/single_points/gfn2/minimum_cis.json").read_text())
    assert minimum["frame"] == 0


def test_isomerisation_table(run):
    table = pd.read_csv(run / "tables/azobenzene_isomerisation_barriers.csv").set_index("path")
    assert list(table.index[:4]) == ["rotation", "inversion", "rotation_inversion", "optimised_rotation"]
    assert table.loc["rotation", "dE_paper_PBE_TS_kcal_mol"] == 30.2
    # both optimised rotations, the paper's number beside the paper's variant only
    assert table.loc["optimised_rotation_paper", "dE_paper_PBE_TS_kcal_mol"] == 26.1
    assert pd.isna(table.loc["optimised_rotation", "dE_paper_PBE_TS_kcal_mol"])
    assert table.loc["optimised_rotation", "relaxed"] == "all but phi"
    assert table.loc["optimised_rotation", "dE_GFN1-xTB_kcal_mol"] < table.loc["rotation", "dE_GFN1-xTB_kcal_mol"]
    assert {"neb (cis to trans)", "string (cis to trans)"} <= set(table.index)
    assert "nan" not in (run / "tables/azobenzene_isomerisation_barriers.md").read_text()
    # GFN2-xTB single points on the GFN1-xTB structures: their own column, relative to GFN2's cis
    driven = table.loc[["rotation", "inversion", "rotation_inversion", "optimised_rotation"]]
    sp_column = "dE_GFN2-xTB//GFN1-xTB_kcal_mol"
    assert driven[sp_column].notna().all() and table[sp_column].isna().any()  # not on NEB rows
    points = {
        name: json.loads((run / f"azobenzene/single_points/gfn2/{name}.json").read_text())["energy_kcal_mol"]
        for name in ("minimum_cis", "minimum_trans", "inversion_highest")
    }
    assert driven.loc["inversion", sp_column] == pytest.approx(
        points["inversion_highest"] - points["minimum_cis"], abs=0.051
    )
    # GFN2-xTB has the isomers the other way round (cis below trans)
    assert table["trans_minus_cis_GFN2-xTB//GFN1-xTB_kcal_mol"].iloc[0] > 0
    assert table["trans_minus_cis_kcal_mol"].iloc[0] == pytest.approx(-2.5, abs=0.5)


def test_plots_are_real_images(run):
    for name in (
        "glycine_mep_profiles",
        "glycine_learning_curve",
        "azobenzene_isomerisation_profiles",
        "fig2_energy_distributions",
        "fig3_distance_distributions",
    ):
        assert (run / f"figures/{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (run / f"figures/{name}.pdf").read_bytes()[:5] == b"%PDF-"


def test_md_run(run):
    frames = read(run / "glycine/md/Ip_500K/00_Ip/frames.extxyz", index=":")
    assert len(frames) == 301
    assert [f.info["step"] for f in frames[:3]] == [0, 1, 2]
    assert frames[0].info["energy_unit"] == "kcal/mol"
    assert (run / "glycine/md/Ip_500K/00_Ip/ipi/input.xml").exists()
    # the stored label is GFN2-xTB's energy of the stored geometry, in kcal/mol
    check = frames[150].copy()
    check.calc = make_calculator("xtb")
    assert frames[150].get_potential_energy() == pytest.approx(ev_to_kcal_mol(check.get_potential_energy()), abs=1e-3)


def test_assemble_dataset(run):
    dataset = read_dataset(run / "datasets/glycine.npz")
    as_extxyz = read_dataset(run / "datasets/glycine.extxyz")
    manifest = json.loads((run / "datasets/glycine.json").read_text())
    assert len(dataset) == len(as_extxyz) == manifest["n_frames"] == 602
    assert manifest["frames_per_source"] == {"Ip_500K": 301, "IIIp_500K": 301}
    assert np.allclose(dataset.E, as_extxyz.E, atol=1e-6)
    assert manifest["md5"] == dataset.md5()
    # 500 K glycine: energies span a few to tens of kcal/mol, forces tens of kcal/(mol Å)
    assert 5 < np.ptp(dataset.E) < 60
    assert 10 < np.abs(dataset.F).max() < 400


def test_make_split(run):
    energies = read_dataset(run / "datasets/glycine.npz").E
    for n in (10, 40):
        split = Split.load(run / f"glycine/splits/n{n}.npz")
        assert len(split.subset) == 3 * n and np.bincount(split.folds).tolist() == [n] * 3
        assert len(split.validation) == 50 and not np.intersect1d(split.subset, split.validation).size
    assert energies[split.subset].mean() == pytest.approx(energies.mean(), abs=1.0)


def test_train_and_test_sgdml(run):
    errors = pd.read_csv(run / "glycine/models/sgdml/n40/fold0/test_errors.csv").iloc[0]
    assert errors["n_test"] == 80  # the two folds left out, 40 frames each
    assert errors["energy_rmse"] < 0.3 * errors["baseline_energy_rmse"]
    assert errors["force_rmse"] < 0.3 * errors["baseline_force_rmse"]
    # the predictions behind those errors, frame by frame, on the held-out folds only
    frames = read(run / "glycine/models/sgdml/n40/fold0/predictions.extxyz", index=":")
    split = Split.load(run / "glycine/splits/n40.npz")
    assert sorted(f.info["frame"] for f in frames) == sorted(split.test_indices(0))
    dataset = read_dataset(run / "datasets/glycine.npz")
    reference = np.array([f.get_potential_energy() for f in frames])
    assert np.allclose(reference, dataset.E[[f.info["frame"] for f in frames]])
    predicted = np.array([f.info["predicted_energy"] for f in frames])
    assert np.sqrt(np.mean((predicted - reference) ** 2)) == pytest.approx(errors["energy_rmse"])
    # clustered by the smoke config's cluster coordinate (tau1) in 10-degree bins
    assert {f.info["cluster"] for f in frames} <= set(range(18))
    assert all(f.info["cluster"] == min(int(abs(f.info["tau1_deg"]) // 10), 17) for f in frames)


def test_train_and_test_gap(run):
    errors = pd.read_csv(run / "glycine/models/gap/n40/fold0/test_errors.csv").iloc[0]
    assert errors["model"] == "gap" and errors["n_test"] == 80
    # 40 frames are few for a GAP (paper: hundreds); it must still clearly beat the mean
    assert errors["energy_rmse"] < 0.6 * errors["baseline_energy_rmse"]
    assert errors["force_rmse"] < 0.6 * errors["baseline_force_rmse"]
    # GAP's best model is the fold with the lowest energy RMSE
    folds = pd.read_csv(run / "glycine/errors/gap.csv")
    curve = pd.read_csv(run / "tables/glycine_learning_curve.csv").set_index(["model", "n_train"])
    best = folds[folds["n_train"] == 40]["energy_rmse"].min()
    assert curve.loc[("gap", 40), "best_energy_rmse"] == pytest.approx(best)


def test_training_records_say_what_was_chosen_on_validation(run):
    record = json.loads((run / "glycine/models/sgdml/n40/fold0/training.json").read_text())
    sigmas = [point["sigma"] for point in record["scan"]]
    assert sigmas == [5, 10, 20]  # tests/config.yaml's grid, every σ tried
    best = min(record["scan"], key=lambda point: point["valid_force_rmse"])
    assert record["chosen"]["sigma"] == best["sigma"]
    gap = json.loads((run / "glycine/models/gap/n40/fold0/training.json").read_text())
    assert [p["force_sigma_eV_per_A"] for p in gap["scan"]] == [0.2, 0.05]
    schnet = json.loads((run / "glycine/models/schnet/n40/fold0/training.json").read_text())
    assert 1 <= len(schnet["history"]) == schnet["chosen"]["epochs_run"] <= 8
    # one row per model in the table behind the training figure
    choices = pd.read_csv(run / "tables/glycine_training_choices.csv")
    assert len(choices) == 9 * 2 * 3  # every family of the smoke config, MACE, PaiNN and the mixture included
    mace = json.loads((run / "glycine/models/mace/n40/fold0/training.json").read_text())
    assert 1 <= len(mace["history"]) == mace["chosen"]["epochs_run"] <= 4
    assert choices.query("family == 'sgdml' and n_train == 40 and fold == 0")["sigma"].item() == best["sigma"]
    assert (run / "figures/glycine_training.png").stat().st_size > 10_000


def test_collect_errors_and_learning_curve(run):
    errors = pd.read_csv(run / "glycine/errors/sgdml.csv")
    assert len(errors) == 6 and set(errors["n_train"]) == {10, 40}
    curve = pd.read_csv(run / "tables/glycine_learning_curve.csv")
    curve = curve[curve["model"] == "sgdml"].set_index("n_train")
    # more data, smaller errors
    assert curve.loc[40, "mean_force_rmse"] < curve.loc[10, "mean_force_rmse"]
    for n, row in curve.iterrows():
        folds = errors[errors["n_train"] == n]
        best = folds[folds["fold"] == row["best_fold"]].iloc[0]
        assert best["force_rmse"] <= folds["force_rmse"].min() + 0.1
        assert row["mean_energy_rmse"] == pytest.approx(folds["energy_rmse"].mean())


def test_every_family_in_one_tidy_table(run):
    from flexmlff.evaluate import ERROR_COLUMNS
    from flexmlff.models import describe

    errors = pd.read_csv(run / "tables/model_errors.csv")
    families = ["bpnn", "gap", "gdml", "local_sgdml", "mace", "painn", "schnet", "sgdml", "sgdml_ang"]
    assert list(errors.columns[: len(ERROR_COLUMNS)]) == ERROR_COLUMNS
    assert sorted(errors["model"].unique()) == families
    # every family on exactly the same folds: 2 sizes x 3 folds, the same test-set sizes
    counts = errors.groupby(["model", "n_train"])["fold"].apply(sorted)
    assert all(folds == [0, 1, 2] for folds in counts)
    assert errors.groupby(["n_train", "fold"])["n_test"].nunique().eq(1).all()
    assert np.isfinite(errors[["energy_rmse", "force_rmse", "energy_mae", "force_mae"]]).all().all()
    # the extended-descriptor GDML learns glycine from 40 points
    ext = errors[(errors["model"] == "sgdml_ang") & (errors["n_train"] == 40)]
    assert (ext["force_rmse"] < 0.3 * ext["baseline_force_rmse"]).all()
    curves = pd.read_csv(run / "tables/learning_curves.csv").set_index(["model", "n_train"])
    assert len(curves) == len(families) * 2
    for model in families:
        folds = errors[(errors["model"] == model) & (errors["n_train"] == 40)].set_index("fold")
        best = curves.loc[(model, 40), "best_fold"]
        if describe(model).selection == "kernel":  # the sGDML rule: force RMSE first, energy only by >= 1 kcal/mol
            by_force = folds["force_rmse"].idxmin()
            assert folds.loc[best, "force_rmse"] <= folds["force_rmse"].min() + 0.1
            assert best == by_force or folds.loc[by_force, "energy_rmse"] - folds.loc[best, "energy_rmse"] >= 1.0
        else:  # lowest energy RMSE
            assert best == folds["energy_rmse"].idxmin()
        assert curves.loc[(model, 40), "mean_force_rmse"] == pytest.approx(folds["force_rmse"].mean())


def test_dataset_metrics_and_model_registry(run):
    curve = pd.read_csv(run / "tables/glycine_learning_curve.csv").set_index(["model", "n_train"])
    metrics = json.loads((run / "glycine/metrics.json").read_text())
    assert metrics["level_of_theory"] == "GFN2-xTB"
    assert set(metrics["metrics"]["force_rmse_best_n40"]) == {m for m, _ in curve.index}
    assert metrics["metrics"]["energy_mae_mean_n10"]["gap"] == pytest.approx(curve.loc[("gap", 10), "mean_energy_mae"])
    assert metrics["metrics"]["force_rmse_best_low_n40"]["gap"] == pytest.approx(
        curve.loc[("gap", 40), "best_force_rmse_low"]
    )
    registry = yaml.safe_load((run / "models.yml").read_text())
    entry = registry["flexmlff-glycine-sgdml-n40"]
    assert entry["fold"] == curve.loc[("sgdml", 40), "best_fold"] and entry["trained_on_dispersion"]
    # the entry loads as an ASE calculator (eV) that reproduces the model's own predictions
    import importlib

    calculator = getattr(importlib.import_module(entry["module"]), entry["class_name"])(
        **{**entry["kwargs"], "path": run / entry["kwargs"]["path"]}
    )  # relative to the registry's folder
    frame = read(run / f"glycine/models/sgdml/n40/fold{entry['fold']}/predictions.extxyz", index="0")
    atoms = Atoms(numbers=frame.numbers, positions=frame.positions)
    atoms.calc = calculator
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(frame.info["predicted_energy"], abs=1e-6)


def test_nothing_left_to_do_and_one_model_reruns_alone(run):
    workdir = run.parent
    assert "Nothing to be done" in snakemake(workdir, "-n").stdout
    (run / "glycine/models/sgdml/n40/fold2/model.npz").unlink()
    jobs = planned_jobs(snakemake(workdir, "-n").stdout)
    assert jobs["train_sgdml"] == 1 and "test_model" not in jobs  # it tests its model itself
    # nothing upstream of the model, no other model, and each downstream table or figure once
    assert not {"md_run", "assemble_dataset", "make_split", "relax_minimum"} & set(jobs)
    assert not [rule for rule in jobs if rule.startswith("train_") and rule != "train_sgdml"]
    assert {"collect_errors", "model_errors_table", "phi_cluster_errors", "ml_md"} <= set(jobs)
    # each once, but the sGDML entry's ML-driven MD: one job per replica (two)
    assert {rule: count for rule, count in jobs.items() if rule != "total" and count != 1} == {"ml_md": 2}
    snakemake(workdir)
    assert (run / "glycine/models/sgdml/n40/fold2/model.npz").exists()
    assert "Nothing to be done" in snakemake(workdir, "-n").stdout


def test_dispersion_ablation_reuses_the_cv_tasks_of_its_source(tmp_path):
    def ablation(c):
        c["figures"]["dispersion_ablation"] = {
            "dataset": "rotation",
            "without_dispersion": "rotation_no_dispersion",
            "model": "sgdml",
        }

    config = write_config(tmp_path, ablation)
    result = snakemake(tmp_path, "-n", "results/figures/dispersion_ablation.pdf", config=config)
    jobs = planned_jobs(result.stdout)
    # the relabelled frames are split with the rotation set's own split files: one per size
    assert jobs["make_split"] == 2 and "results/rotation/splits/n40.npz" in result.stdout
    assert "rotation_no_dispersion/splits" not in result.stdout
    assert jobs["train_sgdml"] == 2 * 2 * 3 and jobs["collect_errors"] == 2
    assert jobs["plot_dispersion_ablation"] == 1 and "train_gap" not in jobs


def test_figure_target_plans_only_its_inputs(tmp_path):
    jobs = planned_jobs(snakemake(tmp_path, "-n", "results/figures/glycine_learning_curve.pdf").stdout)
    assert "minimum_energy_path" not in jobs and "plot_mep_profiles" not in jobs
    assert "isomerisation_path" not in jobs and jobs["relax_minimum"] == 2
    assert jobs["train_sgdml"] == 6 and jobs["md_run"] == 2


def write_config(tmp_path, edit):
    config = yaml.safe_load(CONFIG.read_text())
    edit(config)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_malformed_config_key_is_named(tmp_path):
    config = write_config(tmp_path, lambda c: c["training"].update(n_fold=5))
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0 and "n_fold" in result.stderr + result.stdout
    config = write_config(tmp_path, lambda c: c["molecules"]["glycine"]["md"]["Ip_500K"].update(steps="many"))
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0 and "'many' is not of type 'integer'" in result.stderr + result.stdout


def test_dangling_reference_is_named(tmp_path):
    config = write_config(tmp_path, lambda c: c["datasets"]["glycine"].update(campaigns=["Ip_900K"]))
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0
    assert "config key 'datasets.glycine.campaigns': unknown MD campaign 'Ip_900K'" in result.stderr + result.stdout
    config = write_config(
        tmp_path, lambda c: c["molecules"]["azobenzene"]["md"]["low_T_rotation"].update(starts=["rotation:40"])
    )
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0
    assert "'molecules.azobenzene.md.low_T_rotation.starts': start 'rotation:40'" in result.stderr + result.stdout


def test_bad_inputs_stop_the_real_command_and_leave_no_outputs(tmp_path):
    """Two of the bad-input corpus (tests/unit/test_bad_inputs.py) through the command a
    user types: a geometry, refused before any job, and a dataset file, refused by the
    job that reads it; neither leaves an output behind."""
    bad = ROOT / "tests" / "data" / "bad"
    geometry = bad / "geometries" / "overlapping_atoms.xyz"
    config = write_config(tmp_path, lambda c: c["molecules"]["glycine"]["minima"].update(Ip=str(geometry)))
    result = snakemake(tmp_path, config=config, check=False)
    assert result.returncode != 0
    assert (
        f"config key 'molecules.glycine.minima.Ip': {geometry}: atoms 0 and 1 (N, C) are 0.000 Å apart" in result.stderr
    )
    assert not (tmp_path / "results").exists()
    dataset = bad / "datasets" / "nan_energy.npz"
    config = write_config(tmp_path, lambda c: c["datasets"]["glycine"].update(file=str(dataset)))
    result = snakemake(tmp_path, "results/datasets/glycine.npz", config=config, check=False)
    assert result.returncode != 0
    assert f"{dataset}: E has NaN or infinite values in 1 frame(s), first at frame 1" in result.stderr + result.stdout
    assert not list((tmp_path / "results" / "datasets").glob("glycine*"))


def test_a_preempted_workflow_resumes_its_md_and_redoes_no_finished_job(tmp_path, still_running):
    """SIGTERM to the whole job (a scheduler's preemption) in the middle of an MD run,
    then the same command again: the relaxed minimum is not redone, the MD run
    continues from i-PI's checkpoint, and no process or socket is left over."""
    import signal
    import time

    import psutil

    def longer_md(config):
        config["molecules"]["glycine"]["md"]["Ip_500K"].update(steps=6000, checkpoint_stride=200)

    config = write_config(tmp_path, longer_md)
    target = "results/glycine/md/Ip_500K/00_Ip/frames.extxyz"
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(tmp_path),
        "--configfile",
        str(config),
        "--cores",
        "2",
        target,
    ]
    job = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    checkpoint = tmp_path / "results/glycine/md/Ip_500K/00_Ip/ipi/md.restart"
    deadline = time.monotonic() + 300
    while job.poll() is None and time.monotonic() < deadline:
        if checkpoint.exists() and re.search(
            r"<step>\s*([4-9]|\d\d)\d\d\s*</step>", checkpoint.read_text(errors="replace")
        ):
            break
        time.sleep(0.1)
    assert job.poll() is None, "the MD run ended before it could be preempted"
    processes = psutil.Process(job.pid).children(recursive=True)
    os.killpg(job.pid, signal.SIGTERM)
    _, stderr = job.communicate(timeout=120)
    assert job.returncode != 0
    minimum = tmp_path / "results/glycine/minima/Ip.extxyz"
    relaxed_at = minimum.stat().st_mtime_ns
    log = tmp_path / "results/logs/md_run/glycine_Ip_500K_00_Ip.log"
    assert "MD interrupted: stopped by SIGTERM" in log.read_text(), log.read_text()[-2000:]
    assert not still_running(processes, timeout_s=30)  # i-PI writes its RESTART on the way out
    rerun = snakemake(tmp_path, target, config=config)
    assert "relax_minimum" not in rerun.stdout + rerun.stderr and minimum.stat().st_mtime_ns == relaxed_at
    resumed = re.search(r"resuming .* from i-PI's checkpoint at step (\d+)", log.read_text())
    assert resumed and int(resumed.group(1)) >= 400
    frames = read(tmp_path / target, index=":")
    assert [f.info["step"] for f in frames] == list(range(0, 6001))
    ipi = checkpoint.parent
    sockets = [ET.parse(ipi / name).find(".//ffsocket/address").text for name in ("input.xml", "restart.xml")]
    assert not [name for name in sockets if Path(f"/tmp/ipi_{name}").exists()]


AZO_RUNS = {
    "equilibrium": ["00_cis", "01_trans"],
    "rotation_path": [f"{i:02d}_rotation_f{i + 1:02d}" for i in range(5)],
    "high_T": ["00_cis", "01_trans"],
    "low_T_rotation": ["00_rotation_f02"],
}


def test_md_campaign_runs_start_where_configured(run):
    md = run / "azobenzene/md"
    assert sorted(p.name for p in (md / "rotation_path").iterdir()) == AZO_RUNS["rotation_path"]
    rotation = read(run / "azobenzene/paths/rotation.extxyz", index=":")
    for name in AZO_RUNS["rotation_path"]:
        first = read(md / f"rotation_path/{name}/frames.extxyz", index=0)
        frame = int(name[-2:])
        assert np.allclose(first.positions, rotation[frame].positions, atol=1e-6)
        assert first.info["start"] == f"rotation:{frame}" and first.info["source"] == "rotation_path"
    # the path runs: 20 steps of 0.5 fs, one frame every 5; 50 K runs: 0.025 fs
    frames = read(md / "rotation_path/02_rotation_f03/frames.extxyz", index=":")
    assert [f.info["step"] for f in frames] == [0, 5, 10, 15, 20]
    assert frames[-1].info["time_ps"] == pytest.approx(0.01)
    cold = read(md / "low_T_rotation/00_rotation_f02/frames.extxyz", index=-1)
    assert cold.info["time_ps"] == pytest.approx(40 * 0.025e-3)
    # same start, different seeds: different trajectories
    hot = [read(md / f"{c}/00_cis/frames.extxyz", index=-1).positions for c in ("equilibrium", "high_T")]
    assert not np.allclose(*hot)
    seeds = [ET.parse(md / f"high_T/{r}/ipi/input.xml").find(".//prng/seed").text.strip() for r in AZO_RUNS["high_T"]]
    assert seeds == ["501", "502"]


def test_relabelled_frames_carry_the_labelling_level(run):
    where = run / "azobenzene/md/metadynamics/00_cis"
    driven, labelled = read_dataset(where / "frames.extxyz"), read_dataset(where / "labelled.extxyz")
    assert driven.theory == "GFN2-xTB" and labelled.theory == "GFN1-xTB"
    assert len(labelled) == len(driven) == 101 and np.array_equal(labelled.R, driven.R)
    assert np.array_equal(labelled.info["step"], driven.info["step"])  # 3 chunks of 40, joined in order
    check = read(where / "labelled.extxyz", index=95)  # in the third chunk
    check.calc = make_calculator("xtb", {"method": "GFN1-xTB"})
    assert labelled.E[95] == pytest.approx(ev_to_kcal_mol(check.get_potential_energy()), abs=1e-4)
    assert abs(labelled.E[95] - driven.E[95]) > 100  # GFN1 and GFN2 have different zero points


def test_dispersion_ablation_relabels_the_rotation_frames(run):
    from dftd3.ase import DFTD3

    from flexmlff.calculators import GFN1_D3BJ

    rotation = read_dataset(run / "datasets/rotation.npz")
    ablated = read_dataset(run / "datasets/rotation_no_dispersion.npz")
    assert ablated.theory == "GFN1-xTB without D3" and np.array_equal(ablated.R, rotation.R)
    # the labels differ by exactly GFN1-xTB's D3(BJ) energy, frame by frame
    for i in (0, len(rotation) // 2, len(rotation) - 1):
        atoms = Atoms(
            numbers=rotation.z, positions=rotation.R[i], calculator=DFTD3(damping="d3bj", params_tweaks=GFN1_D3BJ)
        )
        assert rotation.E[i] - ablated.E[i] == pytest.approx(ev_to_kcal_mol(atoms.get_potential_energy()), abs=1e-4)


def test_audit_relabels_frames_over_the_clusters_and_reports_each(run, smoke):
    from flexmlff.evaluate import coordinate_degrees, phi_clusters

    dataset = read_dataset(run / "datasets/glycine.npz")
    frames, audited = (
        read_dataset(run / "glycine/audit/frames.extxyz"),
        read_dataset(run / "glycine/audit/audited.extxyz"),
    )
    chosen = frames.info["dataset_frame"]
    assert (
        len(frames) == 6 and np.array_equal(frames.R, dataset.R[chosen]) and np.array_equal(frames.E, dataset.E[chosen])
    )
    # one frame from each of six clusters of |tau1|
    assert len(set(phi_clusters(coordinate_degrees(frames.R, [0, 1, 2, 3])))) == 6
    level = smoke.datasets.audit_level("glycine")
    assert audited.theory == level.label and np.array_equal(audited.R, frames.R)
    check = Atoms(numbers=frames.z, positions=frames.R[4], calculator=level.make())  # in the second job's part
    assert audited.E[4] == pytest.approx(ev_to_kcal_mol(check.get_potential_energy()), abs=1e-3)
    table = pd.read_csv(run / "tables/glycine_audit.csv", dtype={"cluster": str}).set_index("cluster")
    offset = np.mean(frames.E - audited.E)
    assert table.loc["all", "energy_offset_kcal_mol"] == pytest.approx(offset)
    assert table.loc["all", "energy_rmse"] == pytest.approx(np.sqrt(np.mean((frames.E - offset - audited.E) ** 2)))
    assert table.loc["all", "force_rmse"] == pytest.approx(np.sqrt(np.mean((frames.F - audited.F) ** 2)))
    assert table.drop("all")["n_frames"].tolist() == [1] * 6
    assert "| glycine | GFN2-xTB | PBE-D3BJ/sto-3g | 6 |" in (run / "tables/summary.md").read_text()


def test_path_errors_are_the_models_own_predictions_on_the_reference_paths(run):
    from flexmlff.evaluate import best_fold_index
    from flexmlff.models import family
    from flexmlff.path_errors import read_path

    frames = pd.read_csv(run / "tables/path_errors.csv")
    barriers = pd.read_csv(run / "tables/barrier_errors.csv")
    assert len(barriers) == 9 * 2 and set(barriers["path"]) == {"neb", "string"}  # every family, both MEPs
    fold = best_fold_index([run / f"glycine/models/gap/n40/fold{k}/test_errors.csv" for k in range(3)], "gap")
    gap = family("gap")
    z, R, E, F = read_path(run / "glycine/mep/string.extxyz")
    energies, forces = gap.predict(gap.load(run / f"glycine/models/gap/n40/fold{fold}/model.tar.gz"), R, z)
    rows = frames[(frames["model"] == "gap") & (frames["path"] == "string")].sort_values("frame")
    assert rows["predicted_energy_kcal_mol"].to_numpy() == pytest.approx(energies - energies[0], abs=1e-6)
    assert rows["reference_energy_kcal_mol"].to_numpy() == pytest.approx(E - E[0], abs=1e-9)
    k = int(np.argmax(E))
    assert rows["force_rmse_kcal_mol_A"].iloc[k] == pytest.approx(np.sqrt(np.mean((forces[k] - F[k]) ** 2)))
    top = barriers.set_index(["model", "path"]).loc[("gap", "string")]
    assert top["reference_barrier_kcal_mol"] == pytest.approx(E.max() - E[0])
    assert top["barrier_error_kcal_mol"] == pytest.approx((energies.max() - energies[0]) - (E.max() - E[0]), abs=1e-6)
    assert "## Barriers along the reference paths" in (run / "tables/summary.md").read_text()


def test_metadynamics_bias_grows(run):
    ipi = run / "azobenzene/md/metadynamics/00_cis/ipi"
    hills = np.loadtxt(ipi / "HILLS", comments="#")
    colvar = np.loadtxt(ipi / "COLVAR", comments="#")  # time, phi, theta, bias (kJ/mol)
    assert len(hills) == 200 // 10  # one hill every `pace` steps
    assert colvar[0, -1] == pytest.approx(0.0, abs=1e-6) and colvar[-1, -1] > 5.0
    assert "PLUMED" in (ipi / "ipi.log").read_text() or (ipi / "plumed.dat").exists()
    meta = json.loads((run / "datasets/metadynamics.json").read_text())
    assert meta["n_frames"] == json.loads((run / "datasets/rotation.json").read_text())["n_frames"]


def test_azobenzene_datasets_hold_every_run_once(run):
    for name, path_campaign, cold in (
        ("rotation", "rotation_path", "low_T_rotation"),
        ("inversion", "inversion_path", "low_T_inversion"),
    ):
        dataset = read_dataset(run / f"datasets/{name}.npz")
        manifest = json.loads((run / f"datasets/{name}.json").read_text())
        campaigns = ["equilibrium", path_campaign, "high_T", cold]
        assert list(manifest["frames_per_source"]) == campaigns
        runs = [
            read_dataset(p) for c in campaigns for p in sorted((run / f"azobenzene/md/{c}").glob("*/labelled.extxyz"))
        ]
        every = np.concatenate([r.R for r in runs]).reshape(-1, 72)
        # the runs' frames in order, less the step-0 frames of runs sharing a start (cis, trans, f02)
        unique, first = np.unique(every, axis=0, return_index=True)
        assert manifest["duplicates_dropped"] == len(every) - len(unique) == 3
        assert len(dataset) == manifest["n_frames"] == len(unique)
        assert np.array_equal(dataset.R.reshape(-1, 72), every[np.sort(first)])
        assert dataset.theory == "GFN1-xTB"
    rotation = read_dataset(run / "datasets/rotation.npz")
    assert (
        manifest["frames_per_source"]["high_T"]
        == json.loads((run / "datasets/rotation.json").read_text())["frames_per_source"]["high_T"]
        == 22
    )
    # kcal/mol: 24 atoms at <= 750 K stay within ~60 kcal/mol of each other
    assert 10 < np.ptp(rotation.E) < 100


def test_energy_distributions_table(run):
    table = pd.read_csv(run / "tables/fig2_energy_distributions.csv").set_index(["group", "name"])
    manifests = {n: json.loads((run / f"datasets/{n}.json").read_text()) for n in ("rotation", "inversion")}
    for name, manifest in manifests.items():
        assert table.loc[("dataset", name), "n_frames"] == manifest["n_frames"]
    # energies above the relaxed trans minimum: nothing sampled lies below it
    assert table["min_kcal_mol"].min() > -0.5
    # the 50 K runs near the top of each path sit far above the 300 K equilibrium runs
    assert (
        table.loc[("campaign", "low_T_inversion"), "median_kcal_mol"]
        > table.loc[("campaign", "equilibrium"), "median_kcal_mol"] + 5
    )


def test_unknown_level_is_named(tmp_path):
    config = write_config(
        tmp_path, lambda c: c["molecules"]["azobenzene"]["isomerisation"].update(single_point_levels=["b3lyp"])
    )
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0
    assert (
        "molecules.azobenzene.isomerisation.single_point_levels': unknown level 'b3lyp'"
        in result.stderr + result.stdout
    )
    config = write_config(tmp_path, lambda c: c["levels"]["gfn2"].update(method="GFN3-xTB"))
    result = snakemake(tmp_path, "-n", config=config, check=False)
    assert result.returncode != 0 and "GFN3-xTB" in result.stderr + result.stdout


def test_an_existing_dataset_file_replaces_sampling(run, tmp_path):
    source = read_dataset(run / "datasets/glycine.npz")
    paper_file = tmp_path / "glycine_paper_format.xyz"
    with open(paper_file, "w") as handle:
        for i in range(100):
            handle.write(f"{len(source.z)}\n{source.E[i]:.8f}\n")
            for s, r, f in zip(source.symbols, source.R[i], source.F[i]):
                handle.write(f"{s} {' '.join(f'{x:.8f}' for x in (*r, *f))}\n")
    config = write_config(tmp_path, lambda c: c["datasets"]["glycine"].update(file=str(paper_file)))
    jobs = planned_jobs(snakemake(tmp_path, "-n", "results/datasets/glycine.npz", config=config).stdout)
    assert "md_run" not in jobs and jobs["assemble_dataset"] == 1
    snakemake(tmp_path, "results/datasets/glycine.npz", config=config)
    dataset = read_dataset(tmp_path / "results/datasets/glycine.npz")
    assert len(dataset) == 100 and np.allclose(dataset.E, source.E[:100], atol=1e-7)


def test_phi_cluster_errors_cover_the_whole_dataset(run):
    data = read_dataset(run / "datasets/glycine.npz")
    table = pd.read_csv(run / "glycine/phi_clusters/glycine/sgdml/n40.csv")
    assert table["cluster"].tolist() == list(range(18))
    assert table["n_frames"].sum() == len(data) and table["population"].sum() == pytest.approx(1.0)
    # glycine's tau1 runs from ~180 (Ip) to ~0 (IIIp): both ends are populated
    assert table.loc[17, "n_frames"] > 0 and table.loc[0, "n_frames"] > 0
    filled = table[table["n_frames"] > 0]
    pooled = np.sqrt((filled["energy_rmse"] ** 2 * filled["n_frames"]).sum() / len(data))
    assert pooled == pytest.approx(table["overall_energy_rmse"].iloc[0], rel=1e-6)
    folds = pd.read_csv(run / "tables/learning_curves.csv").set_index(["dataset", "model", "n_train"])
    assert table["best_fold"].iloc[0] == folds.loc[("glycine", "sgdml", 40), "best_fold"]
    for name in ("fig7_phi_cluster_errors", "fig8_metadynamics_phi_cluster_errors"):
        assert (run / f"figures/{name}.png").stat().st_size > 10_000
    # the family beside Fig. 7a's (phi_cluster_errors.beside): its own best fold, the same frames
    beside = pd.read_csv(run / "glycine/phi_clusters/glycine/mace/n40.csv")
    assert (beside["model"] == "mace").all() and (beside["n_frames"] == table["n_frames"]).all()
    assert beside["best_fold"].iloc[0] == folds.loc[("glycine", "mace", 40), "best_fold"]
    assert beside["overall_force_rmse"].iloc[0] != pytest.approx(table["overall_force_rmse"].iloc[0])
    assert "| MACE | glycine | 40 |" in (run / "tables/summary.md").read_text()
    # Fig. 7's equilibrium/transition ratio, with its bootstrap interval; none where the
    # smoke runs never reach the transition region (|tau1| 40-140 degrees)
    ratio = table.iloc[0]
    if table.loc[4:13, "n_frames"].sum() == 0:
        assert np.isnan(ratio["energy_ratio"]) and np.isnan(ratio["energy_ratio_low"])
    else:
        assert ratio["energy_ratio"] == pytest.approx(equilibrium_to_transition_ratio(table, "energy_rmse"))
        assert ratio["energy_ratio_low"] <= ratio["energy_ratio"] <= ratio["energy_ratio_high"]
        assert (
            f"{ratio['energy_ratio']:.2f} [{ratio['energy_ratio_low']:.2f}, " in (run / "tables/summary.md").read_text()
        )


def test_every_error_has_its_interval_and_models_on_the_same_frames_are_compared_in_pairs(run):
    from flexmlff.exports import read_predictions
    from flexmlff.uncertainty import rmse

    errors = pd.read_csv(run / "tables/model_errors.csv")
    for metric in ("energy_rmse", "force_rmse"):
        assert (errors[f"{metric}_low"] <= errors[metric]).all() and (errors[metric] <= errors[f"{metric}_high"]).all()
    curves = pd.read_csv(run / "tables/learning_curves.csv")
    assert (curves["best_energy_rmse_low"] <= curves["best_energy_rmse"]).all()
    comparisons = pd.read_csv(run / "tables/glycine_family_comparisons.csv")
    assert len(comparisons) == 2 * 9 * 8 // 2  # every pair of the 9 families, at both sizes
    row = comparisons.set_index(["n_train", "model_a", "model_b"]).loc[(40, "sgdml", "gap")]
    sgdml, gap = (
        read_predictions([run / f"glycine/models/{m}/n40/fold{k}/predictions.extxyz" for k in range(3)])
        for m in ("sgdml", "gap")
    )
    assert row["energy_rmse_a"] == pytest.approx(rmse(sgdml.predicted_energies, sgdml.energies))
    assert row["force_difference"] == pytest.approx(
        rmse(sgdml.predicted_forces, sgdml.forces) - rmse(gap.predicted_forces, gap.forces)
    )
    low, high = row["force_difference_low"], row["force_difference_high"]
    assert row["force_verdict"] == ("sgdml better" if high < 0 else "gap better" if low > 0 else "tied")
    assert "## Which model is better" in (run / "tables/summary.md").read_text()


def test_gap_cutoff_scan(run):
    table = pd.read_csv(run / "tables/fig6a_gap_cutoff.csv").set_index("cutoff_A")
    assert table.index.tolist() == [3.0, 5.0] and (table["n_folds"] == 3).all()
    for cutoff in (3, 5):
        folds = pd.concat(
            pd.read_csv(run / f"glycine/cutoff_scan/gap/r{cutoff}/n10/fold{k}/test_errors.csv") for k in range(3)
        )
        assert (folds["cutoff_A"] == cutoff).all() and (folds["model"] == "gap").all()
        assert table.loc[float(cutoff), "best_energy_rmse"] == pytest.approx(folds["energy_rmse"].min())
        # 10 frames are too few for GAP energies; its forces must still beat zero forces
        assert (folds["force_rmse"] < folds["baseline_force_rmse"]).all()
    # the 5 A scan point is the learning curve's GAP at that size: same split, settings and seed
    same = pd.read_csv(run / "glycine/models/gap/n10/fold2/test_errors.csv").iloc[0]
    scanned = pd.read_csv(run / "glycine/cutoff_scan/gap/r5/n10/fold2/test_errors.csv").iloc[0]
    assert scanned["energy_rmse"] == pytest.approx(same["energy_rmse"], rel=1e-6)


def test_ml_md_runs_a_trained_model_through_ipi(run):
    for model in ("sgdml", "gap", "reference"):
        outcome = json.loads((run / f"ml_md/{model}/neb/frame4/replica0/outcome.json").read_text())
        frames = read(run / f"ml_md/{model}/neb/frame4/replica0/frames.extxyz", index=":")
        assert len(frames) == 40 // 4 + 1 and len(outcome["values_deg"]) == len(frames)
        assert np.diff(outcome["time_fs"]).tolist() == [2.0] * 10  # stride 4 x 0.5 fs
        # a short run from the middle of the path stays a molecule; it is classed by its final |tau1|
        assert outcome["physical"] and outcome["max_bond_stretch"] < 1.3
        final = np.abs(outcome["values_deg"][-1:]).mean()  # 11 frames: the last 10 % is the last one
        assert outcome["final_deg"]["tau1"] == pytest.approx(final)
        expected = "IIIp" if final <= 45 else "Ip" if final >= 135 else "transition"
        assert outcome["ends_in"] == expected
        assert np.isfinite([f.get_potential_energy() for f in frames]).all()
    # MACE drives i-PI too; four smoke epochs promise no physics, only a finished run
    frames = read(run / "ml_md/mace/neb/frame4/replica1/frames.extxyz", index=":")
    assert len(frames) == 40 // 4 + 1 and np.isfinite([f.get_potential_energy() for f in frames]).all()
    # the sGDML entry is driven by the descriptor whose best model validates better (paper Sec. IV)
    outcome = json.loads((run / "ml_md/sgdml/neb/frame4/replica0/outcome.json").read_text())
    rmse = outcome["descriptor_valid_force_rmse"]
    assert set(rmse) == {"sgdml", "sgdml_ang"} and outcome["drove"] == min(rmse, key=rmse.get)
    record = json.loads(
        (run / f"glycine/models/{outcome['drove']}/n40/fold{outcome['best_fold']}/training.json").read_text()
    )
    assert record["chosen"]["valid_force_rmse"] == pytest.approx(rmse[outcome["drove"]])
    table = pd.read_csv(run / "tables/ml_md_outcomes.csv")
    # four families and the reference level, two replicas each, each replica its own seed
    assert len(table) == 10 and set(table["start"]) == {"neb:4"}
    assert all(sorted(seeds) == [901, 902] for _, seeds in table.groupby("model")["seed"])
    labels = {"sgdml": "sGDML [1/r]", "sgdml_ang": "sGDML [1/r + ang]"}
    assert labels[outcome["drove"]] in set(table["model"])
    assert set(table["ends_in"]) <= {"Ip", "IIIp", "transition"} and "final_tau1_deg" in table


def test_ml_md_statistics_count_the_runs_against_the_reference(run):
    """The statistics recount every run's outcome file: fractions, Wilson intervals, verdicts."""
    outcomes = [json.loads(path.read_text()) for path in sorted(run.glob("ml_md/*/neb/frame4/replica*/outcome.json"))]
    assert len(outcomes) == 10
    table = pd.read_csv(run / "tables/ml_md_statistics.csv", keep_default_na=False)
    for (driver, name), row in table.set_index(["model", "class"]).iterrows():
        runs = [o for o in outcomes if o["drove"] == driver]
        count = sum((o["failure"] and "failed" or o["ends_in"]) == name for o in runs)
        assert row["runs"] == len(runs) == 2 and row["count"] == count
        low, high = md_statistics.wilson_interval(count, 2)
        assert float(row["low"]) == pytest.approx(low) and float(row["high"]) == pytest.approx(high)
        # two runs a side: every interval is wide enough to overlap the reference's
        assert row["verdict"] == ("" if driver == "reference" else "undecided")
    assert set(table["class"]) == {"IIIp", "transition", "Ip", "failed"}
    assert (run / "figures/ml_md_survival.png").stat().st_size > 10_000
    summary = (run / "tables/summary.md").read_text()
    assert "## ML-driven MD against the reference level" in summary and "| neb:4 | GAP/SOAP | 2 |" in summary


def test_local_models_set_the_mixture_against_sgdmls_descriptors(run):
    """The comparison reads the paired comparisons and Fig. 7's clusters; the mixture's
    training records say how its gate was split or merged."""
    table = pd.read_csv(run / "tables/local_models.csv").set_index("model")
    comparisons = pd.read_csv(run / "tables/glycine_family_comparisons.csv")
    pair = comparisons[
        (comparisons["n_train"] == 40) & (comparisons["model_a"] == "sgdml") & (comparisons["model_b"] == "local_sgdml")
    ].iloc[0]
    assert table.loc["sgdml", "energy_rmse"] == pytest.approx(pair["energy_rmse_a"])
    assert table.loc["local_sgdml", "force_rmse"] == pytest.approx(pair["force_rmse_b"])
    assert table.loc["sgdml", "energy_difference"] == pytest.approx(pair["energy_difference"])
    merged = table.loc["local_sgdml", "merged"]
    assert merged == "none" or merged.startswith("glycine: tau1 band")
    for n in (10, 40):
        for fold in range(3):
            record = json.loads((run / f"glycine/models/local_sgdml/n{n}/fold{fold}/training.json").read_text())
            # two regions of |tau1|, or one with the merge that made it, naming the dataset
            assert len(record["regions"]) + len(record["merged"]) == 2
            assert all(merge["cv"] == "tau1" and merge["frames"] < 8 for merge in record["merged"])
            for region in record["regions"]:
                trials = [t for t in record["region_trials"] if t["cell"] == region["cell"]]
                assert {t["descriptor"] for t in trials} == {"inverse_distances", "extended"}
    assert "## Local models against global ones" in (run / "tables/summary.md").read_text()
    # the mixture drove i-PI too, and its runs are set beside the reference's
    assert re.search(r"\| neb:4 +\| local sGDML mixture +\| +2 \|", (run / "tables/local_models.md").read_text())


def test_the_run_report_sums_the_smoke_run_from_its_own_files(run):
    """Every job of the run left a log with its times and a benchmark file; the report's
    core-hours are their CPU time and every figure of the run is timed."""
    from flexmlff.runstats import job_benchmarks, job_times, run_report

    times, benchmarks = job_times(run / "logs"), job_benchmarks(run / "benchmarks")
    assert set(zip(times["rule"], times["job"])) <= set(zip(benchmarks["rule"], benchmarks["job"]))
    assert {"plot_fig7_phi_clusters", "summary_table", "ml_md_statistics", "local_models"} <= set(times["rule"])
    report = run_report(run, cores=2)
    assert report["core_hours"] == pytest.approx(benchmarks["cpu_s"].sum() / 3600)
    assert set(report["figures"]) == {figure.stem for figure in (run / "figures").glob("*.png")}
    assert 0 < report["first_figure_h"] <= report["wall_h"] and 0 < report["utilisation"] <= 1.05
    assert report["line"].startswith(f"flexmlff run: {len(times)} jobs, ")


def test_summary_table_sets_ours_beside_the_paper(run):
    table = pd.read_csv(run / "tables/summary.csv").set_index(["dataset", "model"])
    curves = pd.read_csv(run / "tables/learning_curves.csv").set_index(["dataset", "model", "n_train"])
    assert len(table) == 9  # every family on glycine
    assert table.loc[("glycine", "sgdml"), "paper_points_to_1_kcal_mol"] == "300"
    assert table.loc[("glycine", "gap"), "force_rmse_at_largest"] == pytest.approx(
        curves.loc[("glycine", "gap", 40), "best_force_rmse"]
    )
    # energy and force below 1 never comes before the energy alone; each paper number is set
    # beside ours by the criterion the paper states for it
    for _, row in table.iterrows():
        both, energy = row["points_energy_and_force_below_1"], row["points_energy_below_1"]
        assert energy.startswith(">") or both.startswith(">") or int(energy) <= int(both)
        assert row["points_by_paper_criterion"] == (both if row["paper_criterion"] == "energy and forces" else energy)
    assert table.loc[("glycine", "sgdml"), "paper_criterion"] == "energy and forces"
    assert table.loc[("glycine", "gap"), "paper_criterion"] == "energy"
    markdown = (run / "tables/summary.md").read_text()
    assert "errors near the minima" in markdown and markdown.count("| sGDML [1/r] | glycine |") == 2
    assert 'chemical accuracy", an energy RMSE below 1 kcal/mol' in markdown


def test_fig5_takes_each_datasets_better_sgdml_descriptor(run):
    curves = pd.read_csv(run / "tables/learning_curves.csv").set_index(["dataset", "model", "n_train"])
    rmse = {}
    for family in ("sgdml", "sgdml_ang"):
        fold = curves.loc[("glycine", family, 40), "best_fold"]
        record = json.loads((run / f"glycine/models/{family}/n40/fold{fold}/training.json").read_text())
        rmse[family] = record["chosen"]["valid_force_rmse"]
    log = Path(Layout(str(run)).log("plot_fig5_fold_means")).read_text()
    assert f"sgdml on glycine: {min(rmse, key=rmse.get)} " in log


def test_report_holds_every_figure_with_its_caption(run):
    result = snakemake(run.parent, "--report", str(run.parent / "report.html"))
    assert "ERROR" not in result.stderr, result.stderr[-2000:]
    html = (run.parent / "report.html").read_text(errors="ignore")
    for name in (
        "fig4_learning_curves",
        "fig6a_gap_cutoff",
        "fig7_phi_cluster_errors",
        "fig9_ml_md",
        "ml_md_survival",
        "local_models",
        "summary.md",
        "Paper Fig. 9 analogue",
    ):
        assert name in html


def test_slurm_profile_sets_resources_of_real_rules(tmp_path):
    rules = set(snakemake(tmp_path, "--list-rules").stdout.split())
    profile = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert set(profile["set-resources"]) <= rules and set(profile["set-threads"]) <= rules
    # the training rules take their cores, GPU and SIGTERM ahead of the time limit from their
    # family (flexmlff.models.Family), and memory and runtime from its costs: not from the profile
    from flexmlff.models import families

    trainings = {f"train_{name}" for name in families()}
    assert trainings <= rules and not trainings & (set(profile["set-threads"]) | set(profile["set-resources"]))
    # nothing a plain CPU cluster without conda refuses: conda and GPUs are opt-in
    assert "software-deployment-method" not in profile
    assert not any("gpu" in str(resources) for resources in profile["set-resources"].values())
    assert profile["max-threads"] >= 1 and {"slurm_account", "slurm_partition"} <= set(profile["default-resources"])


def test_training_set_optimisation_grows_outside_the_test_frames_and_resumes_by_step(run):
    data = read_dataset(run / "datasets/glycine.npz")
    split = Split.load(run / "glycine/splits/n40.npz")
    labels = np.load(run / "glycine/optimised/clusters.npz")["labels"]
    assert len(labels) == len(data) and 2 <= labels.max() + 1 <= 4 * 2
    step_dir = run / "glycine/optimised/sgdml/n40/fold0"
    sets = [np.load(step_dir / f"step{k}/training_set.npz") for k in range(3)]
    assert [len(s["training"]) for s in sets] == [20, 30, 40]
    assert set(sets[0]["training"]) <= set(split.train_indices(0))  # a stratified start inside the fold
    for before, after in zip(sets, sets[1:]):
        assert set(before["training"]) | set(after["added"]) == set(after["training"])
        assert not set(after["added"]) & (set(split.validation) | set(split.test_indices(0)))
    # the grown set's last model and the stratified one are tested on the same frames
    grown = read(step_dir / "step2/predictions.extxyz", index=":")
    stratified = read(run / "glycine/models/sgdml/n40/fold0/predictions.extxyz", index=":")
    assert [a.info["frame"] for a in grown] == [a.info["frame"] for a in stratified] == split.test_indices(0).tolist()
    summary = pd.read_csv(run / "tables/training_set_optimisation.csv").set_index("training_set")
    own = pd.read_csv(run / "glycine/models/sgdml/n40/fold0/test_errors.csv").iloc[0]
    assert summary.loc["stratified", "force_rmse"] == pytest.approx(own["force_rmse"], rel=1e-6)
    last = pd.read_csv(step_dir / "step2/test_errors.csv").iloc[0]
    assert summary.loc["optimised", "energy_rmse"] == pytest.approx(last["energy_rmse"], rel=1e-6)
    steps = pd.read_csv(run / "tables/training_set_optimisation_steps.csv")
    assert steps["n_train"].tolist() == [20, 30, 40] and (steps["n_test"] == len(grown)).all()
    clusters = pd.read_csv(run / "tables/training_set_optimisation_clusters.csv")
    assert clusters.groupby("training_set")["n_frames"].sum().tolist() == [len(grown)] * 2
    assert (run / "figures/training_set_optimisation.png").stat().st_size > 10_000
    # a lost step reruns alone, from the step before it
    (step_dir / "step1/model").unlink()
    jobs = planned_jobs(snakemake(run.parent, "-n").stdout)
    assert jobs["optimise_training_set_step"] == 2 and "train_sgdml" not in jobs and "cluster_dataset" not in jobs
    snakemake(run.parent)
    assert "Nothing to be done" in snakemake(run.parent, "-n").stdout


#: Faults in the stages after the datasets, one round each: (what the round asks Snakemake
#: for, the rule whose running job is hit, the fault). Each round ends with the README's
#: recovery command, as a user would run it.
LATER_FAULTS = [
    ("results/glycine/models/schnet/n40/fold{fold}/model.pt", "train_schnet", "SIGTERM to the job"),
    ("results/glycine/models/bpnn/n40/fold{fold}/model.pt", "train_bpnn", "SIGKILL to snakemake"),
    ("results/glycine/models/mace/n40/fold{fold}/model.model", "train_mace", "SIGKILL to the job"),
    ("results/tables/training_set_optimisation.csv", "optimise_training_set_step", "SIGTERM to the process group"),
    ("results/tables/ml_md_outcomes.csv", "ml_md", "SIGKILL to the process group"),
    (None, "phi_cluster_errors", "SIGTERM to snakemake"),
]
#: What the faulted run computes again: its models of n = 40, what only they feed, and every
#: table and figure (Snakemake redoes no missing intermediate file of an existing output).
REDONE = [
    "glycine/models/schnet/n40",
    "glycine/models/bpnn/n40",
    "glycine/models/mace/n40",
    "glycine/models/sgdml/n40",
    "glycine/optimised",
    "glycine/phi_clusters",
    "ml_md",
    "tables",
    "figures",
]


def _running_job(logs: Path, since: float, job_filter=None):
    """(process, log) of a job of the rule whose logs are in `logs` that started after
    `since` and still runs, or None."""
    import psutil

    for log in sorted(logs.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        if log.stat().st_mtime < since:
            continue
        started = re.findall(r"started \(process (\d+)\)", log.read_text(errors="replace"))
        if started and psutil.pid_exists(int(started[-1])) and (job_filter is None or job_filter(log)):
            try:
                return psutil.Process(int(started[-1])), log
            except psutil.NoSuchProcess:
                continue
    return None


def _checkpointed(workdir: Path, rule: str):
    """A job filter: the training has written its first checkpoint (so it has epochs to resume)."""

    def has_checkpoint(log: Path) -> bool:
        n_train, fold = re.search(r"_n(\d+)_fold(\d+)", log.stem).groups()
        folder = workdir / f"results/.checkpoints/{rule}/dataset=glycine,n_train={n_train},fold={fold}"
        return any(p.suffix in (".pt", ".ckpt") for p in folder.rglob("*")) if folder.exists() else False

    return has_checkpoint


def _model_files(results: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in results.glob("glycine/**/model*") if p.is_file()}


def test_later_stages_survive_faults_and_end_as_the_unbroken_run(run, tmp_path):
    """Training, evaluation, ML-driven MD and grown training sets, each hit mid-job by a
    seeded fault (SIGTERM or SIGKILL, to the job, to Snakemake, to the process group) and
    recovered with the README's command: every output ends as the unbroken run's, no
    finished job is redone, the trainings resume from their checkpoints, and no process,
    scratch, checkpoint or /tmp file of the run is left."""
    import shutil

    import psutil

    workdir = tmp_path / "faulted"
    shutil.copytree(run.parent, workdir, symlinks=True, ignore=shutil.ignore_patterns("*.lock"))
    results = workdir / "results"
    for folder in REDONE:
        shutil.rmtree(results / folder)
    started_at, rng = time.time(), np.random.default_rng(36)
    injected, processes = [], []
    for target, rule, fault in LATER_FAULTS:
        targets = (
            [target.format(fold=k) for k in range(3)] if target and "{fold}" in target else [target] if target else []
        )
        before = _model_files(results)
        command = [
            sys.executable,
            "-m",
            "snakemake",
            *targets,
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(workdir),
            "--configfile",
            str(CONFIG),
            "--cores",
            "2",
        ]
        job = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        since, found = time.time(), None
        job_filter = _checkpointed(workdir, rule) if rule.startswith("train_") else None
        deadline = time.monotonic() + 600
        while found is None and job.poll() is None and time.monotonic() < deadline:
            found = _running_job(results / "logs" / rule, since, job_filter)
            time.sleep(0.05)
        assert found, f"no {rule} job ran for '{fault}': {job.stderr.read()[-2000:] if job.poll() is not None else ''}"
        victim, log = found
        time.sleep(float(rng.uniform(0.0, 1.0)))  # a seeded moment of the job
        session = psutil.Process(job.pid).children(recursive=True)
        inject(fault, job, {"the job": victim})
        try:
            job.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            raise AssertionError(f"the run did not stop after {fault}") from None
        _, alive = psutil.wait_procs(session, timeout=60)
        assert not alive, f"{fault} left {[' '.join(p.cmdline())[:80] for p in alive]}"
        processes += session
        injected.append(f"{fault} during {rule} ({log.stem})")
        if "SIGKILL" in fault and "job" not in fault:
            snakemake(workdir, "--unlock")
        snakemake(workdir, *targets)  # the README's recovery command
        after = _model_files(results)
        assert all(after.get(f) == mtime for f, mtime in before.items()), f"{fault}: a finished model was redone"

    snakemake(workdir)
    assert "Nothing to be done" in snakemake(workdir, "-n").stdout
    assert len(injected) == len(LATER_FAULTS), injected
    logs = "".join(
        p.read_text() for rule in ("train_schnet", "train_bpnn") for p in (results / "logs" / rule).glob("*.log")
    )
    assert re.search(r"resuming schnet from epoch [1-9]", logs), "the terminated SchNet training did not resume"

    # every table as the unbroken run's: exactly for the deterministic families, MACE present
    errors = [
        pd.read_csv(folder / "tables/model_errors.csv").set_index(["dataset", "model", "n_train", "fold"])
        for folder in (run, results)
    ]
    deterministic = [m for m in errors[0].index.get_level_values("model").unique() if m != "mace"]
    pd.testing.assert_frame_equal(
        errors[1].loc[(slice(None), deterministic), :].sort_index(),
        errors[0].loc[(slice(None), deterministic), :].sort_index(),
    )
    assert np.isfinite(errors[1].xs("mace", level="model")["force_rmse"]).all()
    for table in ("training_set_optimisation.csv", "training_set_optimisation_steps.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(results / "tables" / table), pd.read_csv(run / "tables" / table))
    outcomes = [pd.read_csv(folder / "tables/ml_md_outcomes.csv") for folder in (run, results)]
    not_mace = [o[o["model"] != "MACE"].reset_index(drop=True) for o in outcomes]
    assert not_mace[1][["start", "model", "best_fold", "ends_in", "physical"]].equals(
        not_mace[0][["start", "model", "best_fold", "ends_in", "physical"]]
    )
    # nothing of the run left: processes, scratch, checkpoints, half-written files, /tmp
    assert not [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert scratch_left(results / ".scratch") == [] and scratch_left(results / ".checkpoints") == []
    assert [path for path in results.rglob(f"*{PARTIAL}*")] == []
    assert [
        p for pattern in ("flexmlff-*", "ipi_*") for p in Path("/tmp").glob(pattern) if p.lstat().st_mtime >= started_at
    ] == []
    print("faults injected and survived:", *injected, sep="\n  ")
