"""What the command line really runs: `snakemake --configfile X` from the repository root
runs X over the schema's defaults, nothing from config/config.yaml; plain `snakemake` runs
config/config.yaml. Each run writes the config it used to results/config.yaml."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from flexmlff.data import read_dataset
from flexmlff.planning import load_config

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of the repository's tracked files: commands run from its root, as a user's do."""
    copy = tmp_path_factory.mktemp("checkout")
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


def effective_config(checkout, *args):
    """results/config.yaml written by `snakemake results/config.yaml <args>` from the root."""
    target = checkout / "results" / "config.yaml"
    target.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/config.yaml", "--cores", "1", *args],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return yaml.safe_load(target.read_text())


@pytest.mark.parametrize("name", ["config/paper.yaml", "tests/config.yaml"])
def test_configfile_runs_that_file_over_the_schema_defaults(checkout, name):
    used = effective_config(checkout, "--configfile", name)
    assert used == load_config(ROOT / name)
    laptop = load_config(ROOT / "config/config.yaml")
    # no value comes from config/config.yaml alone: every key the file leaves out is the schema's
    if name == "config/paper.yaml":
        assert used["models"]["schnet"]["n_atom_basis"] == 128 != laptop["models"]["schnet"]["n_atom_basis"]
        assert used["models"]["gap"]["force_sigmas_eV_per_A"] == [0.1, 0.03, 0.01, 0.003]
        assert laptop["models"]["gap"]["force_sigmas_eV_per_A"] == [0.01]
    else:
        assert set(used["datasets"]) < set(laptop["datasets"]) and "ml_md" in used["figures"]
        assert list(used["figures"]["ml_md"]["paths"]) == ["neb"]


def test_plain_snakemake_runs_the_default_config(checkout):
    assert effective_config(checkout) == load_config(ROOT / "config/config.yaml")


def test_readme_commands_plan_from_the_root(checkout):
    for args in ([], ["--configfile", "config/paper.yaml"], ["--configfile", "tests/config.yaml"]):
        result = subprocess.run(
            [sys.executable, "-m", "snakemake", "-n", "--cores", "2", *args],
            cwd=checkout,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Job stats:" in result.stdout


def test_published_dataset_example_samples_nothing_and_reads_the_file_in_its_stated_units(checkout, glycine_dataset):
    # a published file as they come: kcal/mol and Å data labelled eV and bohr ("au")
    (checkout / "data").mkdir(exist_ok=True)
    np.savez(
        checkout / "data/glycine_published.npz",
        z=glycine_dataset.z,
        R=glycine_dataset.R,
        E=glycine_dataset.E[:, None],
        F=glycine_dataset.F,
        e_unit="eV",
        r_unit="au",
        theory="unknown",
    )
    example = ["--configfile", "config/examples/published_dataset.yaml"]
    plan = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "2", *example],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert plan.returncode == 0, plan.stderr[-3000:]
    stats = plan.stdout.split("Job stats:")[1].split("total")[0]
    assert all(f"train_{family} " in stats for family in ("sgdml", "sgdml_ang", "gdml", "schnet", "gap", "bpnn"))
    assert not any(rule in stats for rule in ("md_run", "relax_minimum", "relabel", "single_point", "ml_md"))
    assert "plot_fig4_learning_curves" in stats

    made = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/datasets/glycine.json", "--cores", "1", *example],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    manifest = json.loads((checkout / "results/datasets/glycine.json").read_text())
    assert manifest["theory"] == "PBE0+MBD (the publication's reference)"
    assert manifest["n_frames"] == len(glycine_dataset)
    with np.load(checkout / "results/datasets/glycine.npz") as npz:  # the stated units: nothing converted
        assert np.array_equal(npz["R"], glycine_dataset.R) and str(npz["r_unit"]) == "Ang"

    # without the stated units the labels are believed, and refused with the key to set
    config = yaml.safe_load((checkout / "config/examples/published_dataset.yaml").read_text())
    del config["datasets"]["glycine"]["units"]
    (checkout / "unlabelled.yaml").write_text(yaml.safe_dump(config))
    shutil.rmtree(checkout / "results/datasets")
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "results/datasets/glycine.json",
            "--cores",
            "1",
            "--configfile",
            "unlabelled.yaml",
        ],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    # the molecule takes its atoms from the file, so the file is read, and refused, while the run
    # is planned: before any job
    assert refused.returncode != 0 and not (checkout / "results/datasets/glycine.npz").exists()
    assert "labelled 'eV' (the file's e_unit)" in refused.stderr and "datasets.glycine.units.energy" in refused.stderr

    # the example names no minimum: the molecule's atoms and their order are the file's, whatever
    # order it has (the paper's glycine file is NHHCCOOHHH)
    order = [1, 0, *range(2, len(glycine_dataset.z))]
    np.savez(
        checkout / "data/glycine_published.npz",
        z=glycine_dataset.z[order],
        R=glycine_dataset.R[:, order],
        E=glycine_dataset.E[:, None],
        F=glycine_dataset.F[:, order],
        e_unit="eV",
        r_unit="au",
        theory="unknown",
    )
    shutil.rmtree(checkout / "results/datasets", ignore_errors=True)
    taken = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/datasets/glycine.json", "--cores", "1", *example],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert taken.returncode == 0, taken.stderr[-3000:]
    with np.load(checkout / "results/datasets/glycine.npz") as npz:
        assert np.array_equal(npz["z"], glycine_dataset.z[order])

    # with a minimum named, a file whose atoms are in another order is refused: collective
    # variables and clusters index the minima's atoms
    config = yaml.safe_load((checkout / "config/examples/published_dataset.yaml").read_text())
    config["molecules"]["glycine"]["minima"] = {"Ip": "resources/geometries/glycine_Ip.xyz"}
    (checkout / "with_minimum.yaml").write_text(yaml.safe_dump(config))
    shutil.rmtree(checkout / "results/datasets", ignore_errors=True)
    refused = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "results/datasets/glycine.json",
            "--cores",
            "1",
            "--configfile",
            "with_minimum.yaml",
        ],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0 and not (checkout / "results/datasets/glycine.npz").exists()
    log = (checkout / "results/logs/assemble_dataset/glycine.log").read_text()
    assert (
        "config key 'datasets.glycine.file'" in log and "atoms CNCOOHHHHH do not match the reference NCCOOHHHHH" in log
    )


#: A molecule no shipped config knows, declared the way config/README.md tells a user to:
#: n-butane, whose C-C-C-C dihedral turns between the anti and the gauche minimum.
BUTANE_CONFIG = """
seed: 5
levels:
  gfn2: {calculator: xtb, method: GFN2-xTB}
molecules:
  butane:
    level: gfn2
    collective_variables:
      cccc: {pattern: C-C-C-C}
      ccc: {atoms: [0, 1, 2], pattern: C-C-C}
    transition_coordinate: {cv: cccc}
    minima: {anti: geometries/butane_anti.xyz, gauche: geometries/butane_gauche.xyz}
    mep: {start: anti, end: gauche, methods: [neb], n_images: 5, driving_torsion: cccc}
    md:
      warm: {starts: [anti, gauche], temperature_K: 400, timestep_fs: 0.5, steps: 400, stride: 4, seed: 11}
      biased:
        starts: [anti]
        temperature_K: 300
        timestep_fs: 0.5
        steps: 400
        stride: 2
        seed: 21
        metadynamics: {cvs: [cccc], sigma: [0.3], height_kJ_mol: 4.0, pace: 20, biasfactor: 10}
datasets:
  butane: {molecule: butane, campaigns: [warm]}
  butane_biased: {molecule: butane, campaigns: [biased]}
training: {datasets: [butane], models: [sgdml], sizes: [20], n_folds: 3, n_valid: 20}
models:
  sgdml: {sigmas: [5, 10, 20]}
figures:
  learning_curves: {datasets: [butane]}
  phi_cluster_errors:
    evaluate_on: butane
    model: sgdml
    combined: {dataset: butane, n_train: 20}
    metadynamics: {dataset: butane_biased, sizes: [20]}
"""


def test_a_molecule_in_no_config_runs_from_its_config_entry_alone(checkout):
    from ase.build import molecule
    from ase.io import read, write

    from flexmlff.geometry import dihedral, moving_fragment

    # two xyz files of the user's own, no SMILES: anti butane and the same turned to gauche
    anti = molecule("trans-butane")
    gauche = anti.copy()
    gauche.set_dihedral(0, 1, 2, 3, 65.0, indices=moving_fragment(anti, (1, 2)))
    (checkout / "geometries").mkdir()
    write(checkout / "geometries/butane_anti.xyz", anti)
    write(checkout / "geometries/butane_gauche.xyz", gauche)
    (checkout / "butane.yaml").write_text(BUTANE_CONFIG)
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "butane.yaml"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = checkout / "results"
    cccc = (0, 1, 2, 3)  # what the pattern C-C-C-C finds in ASE's atom order
    ends = [dihedral(read(results / f"butane/minima/{name}.extxyz").positions, cccc) for name in ("anti", "gauche")]
    assert abs(ends[0]) > 170 and 50 < ends[1] < 80
    # the NEB was driven over the eclipsed barrier along the named dihedral, reported by name
    profile = pd.read_csv(results / "butane/mep/neb.csv")
    assert profile["cccc_deg"].between(100, 140).any() and 2 < profile["energy_kcal_mol"].max() < 8
    # metadynamics biased the named dihedral through PLUMED
    colvar = next((results / "butane/md/biased").rglob("COLVAR"))
    assert "cccc" in colvar.read_text().splitlines()[0]
    # clusters of |cccc| cover the dataset, in the table and in the held-out predictions
    data = read_dataset(results / "datasets/butane.npz")
    table = pd.read_csv(results / "butane/phi_clusters/butane/sgdml/n20.csv")
    assert table["n_frames"].sum() == len(data) == 202
    assert table.loc[17, "n_frames"] > 0 and table.loc[6, "n_frames"] > 0  # anti and gauche
    frames = read(results / "butane/models/sgdml/n20/fold0/predictions.extxyz", index=":")
    assert all(f.info["cluster"] == min(int(f.info["cccc_deg"] // 10), 17) for f in frames)
    curve = pd.read_csv(results / "tables/learning_curves.csv")
    assert curve.query("dataset == 'butane' and model == 'sgdml'")["n_train"].tolist() == [20]


def test_the_alanine_dipeptide_example_builds_its_minima_and_maps_errors_on_phi_psi(checkout):
    """The shipped example's molecule entry as it is (SMILES, CVs, built minima), run on a
    small budget: one path, short MD, sGDML only."""
    from ase.io import read

    from flexmlff.geometry import dihedral

    config = yaml.safe_load((checkout / "config/examples/alanine_dipeptide.yaml").read_text())
    molecule = config["molecules"]["alanine_dipeptide"]
    molecule["mep"].update(methods=["neb"], n_images=5)
    molecule["driven_paths"]["phi_psi"]["n_images"] = 3
    short = {"temperature_K": 300, "timestep_fs": 1.0, "steps": 100, "stride": 2}
    molecule["md"] = {
        "C7eq_300K": {"starts": ["C7eq"], "seed": 1, **short},
        "C7ax_300K": {"starts": ["C7ax"], "seed": 2, **short},
        "path_top": {"starts": ["neb:3"], "seed": 3, **short},
    }
    config["datasets"]["alanine_dipeptide"]["campaigns"] = list(molecule["md"])
    config["training"].update(models=["sgdml"], sizes=[20], n_folds=3, n_valid=20)
    config["models"] = {"sgdml": {"sigmas": [5, 10, 20]}}
    figures = config["figures"]
    config["figures"] = {
        "learning_curves": figures["learning_curves"],
        "cv_grid_errors": {**figures["cv_grid_errors"], "cell_deg": 60},
        "ml_md": {
            **figures["ml_md"],
            "models": ["sgdml"],
            "replicas": 1,
            "steps": 40,
            "stride": 4,
            "paths": {"neb": {"frames": [3], "dataset": "alanine_dipeptide", "coordinate": "phi"}},
        },
    }
    (checkout / "alanine_small.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "alanine_small.yaml"],
        cwd=checkout,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = checkout / "results"
    phi, psi = (1, 3, 4, 6), (3, 4, 6, 8)
    built = read(results / "alanine_dipeptide/minima/C7ax_built.xyz")
    assert dihedral(built.positions, phi) == pytest.approx(73, abs=0.5)
    assert dihedral(built.positions, psi) == pytest.approx(-58, abs=0.5)
    # relaxed freely at GFN2-xTB, each stays in its own basin
    c7eq, c7ax = (read(results / f"alanine_dipeptide/minima/{name}.extxyz") for name in ("C7eq", "C7ax"))
    assert dihedral(c7eq.positions, phi) < -60 and dihedral(c7eq.positions, psi) > 50
    assert dihedral(c7ax.positions, phi) > 50 and dihedral(c7ax.positions, psi) < -40
    assert 0 < (c7ax.get_potential_energy() - c7eq.get_potential_energy()) * 23.06 < 4  # kcal/mol
    # the driven path holds phi and psi at even steps between the relaxed minima, frames relaxed
    driven = pd.read_csv(results / "alanine_dipeptide/driven_paths/phi_psi.csv")
    ends = driven[["phi_deg", "psi_deg"]].to_numpy()[[0, -1]]
    expected = ends[0] + np.linspace(0, 1, 5)[:, None] * (ends[1] - ends[0])
    np.testing.assert_allclose(driven[["phi_deg", "psi_deg"]].to_numpy(), expected, atol=0.2)
    assert json.loads((results / "alanine_dipeptide/driven_paths/phi_psi.json").read_text())["converged"]
    barriers = pd.read_csv(results / "tables/alanine_dipeptide_mep_barriers.csv")
    assert barriers["method"].tolist() == ["neb", "phi_psi"] and (barriers["barrier_kcal_mol"] > 2).all()
    # every fold's held-out frames (two other folds of 20) land in the 6 x 6 cells once each
    table = pd.read_csv(results / "tables/alanine_dipeptide_cv_grid_errors.csv")
    assert len(table) == 36 and table["n_frames"].sum() == 3 * 40
    assert (table["x_cv"] == "phi").all() and (table["y_cv"] == "psi").all()
    c7eq_cell = table[(table["x_from_deg"] == -120) & (table["y_from_deg"] == 60)].iloc[0]
    assert c7eq_cell["n_frames"] > 0 and c7eq_cell["force_rmse"] > 0
    # the predictions' clusters are 10-degree bins of the signed phi (the molecule's
    # transition coordinate), so C7eq (phi < 0) and C7ax (phi > 0) never share one
    frames = read(results / "alanine_dipeptide/models/sgdml/n20/fold0/predictions.extxyz", index=":")
    assert [f.info["cluster"] for f in frames] == [int((f.info["phi_deg"] + 180) % 360 // 10) for f in frames]
    assert {f.info["cluster"] for f in frames if f.info["phi_deg"] < -60} <= set(range(12))
    # ML-driven MD from the path top, classed by the sign of phi
    outcome = json.loads((results / "ml_md/sgdml/neb/frame3/replica0/outcome.json").read_text())
    assert outcome["outcome_signed"] and outcome["ends_in"] in ("C7eq", "C7ax", "transition")
    assert outcome["outcome_ends_deg"]["C7eq"] < -30 < 30 < outcome["outcome_ends_deg"]["C7ax"]
