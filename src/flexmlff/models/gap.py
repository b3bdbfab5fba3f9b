"""GAP with a SOAP descriptor, trained by ``gap_fit`` and evaluated through quippy.

Settings follow the paper group's GAP/SOAP models: SOAP with a 5 Å cutoff,
n_max 12, l_max 6, atom_sigma 0.3; dot-product covariance with zeta 2 and
delta 0.25; sparse points chosen by CUR; e0 the average energy per atom.
The regularisation of energies (σ_E, eV) is fixed; that of forces (σ_F, eV/Å)
is chosen from a grid by the force RMSE on the validation frames, as sGDML
chooses its σ: one gap_fit per grid value.
``gap_fit`` works in eV, so frames are written in eV and predictions converted
back to kcal/mol. A trained model is ``gap_fit``'s XML and its sparseX files,
kept together in one tar archive.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from ase import Atoms
from ase.io import write

from flexmlff.data import Dataset
from flexmlff.models import Family, by_atoms
from flexmlff.models._grid import best_on_validation, force_rmse
from flexmlff.runlog import die_with_parent, sigterm_as_exit
from flexmlff.units import ev_to_kcal_mol, kcal_mol_to_ev

log = logging.getLogger(__name__)

#: Seconds of one gap_fit at n = 100 with 200 sparse points, by atom count: two training jobs
#: side by side on 2 cores, as the default run has them, less start-up and the test (default
#: run, 2026-12-05; alone on the machine 60 and 150 s, 2026-11-27).
GAP_FIT_100_S = {10: 105.0, 24: 175.0}
#: gap_fit's peak memory, GB, by force rows n·3N, measured on glycine: 3.0 at n = 100 and 9.6 at
#: n = 400, with 200 and with 400 sparse points alike (2026-12-06/07). The line through them
#: bounds the other measurements: glycine at n = 200, 5.0 GB (line: 5.2); azobenzene at
#: n = 200 (14 400 rows), 8.6 GB (line: 11.4).
GAP_MEMORY_GB = {3000: 3.0, 12000: 9.6}


def training_seconds(n_train: int, n_atoms: int, settings: dict) -> float:
    """One gap_fit per σ_F tried, each linear in n and in the sparse points."""
    per_fit = by_atoms(GAP_FIT_100_S, n_atoms) * settings["n_sparse"] / 200
    return per_fit * (n_train / 100) * len(settings["force_sigmas_eV_per_A"])


def training_memory_gb(n_train: int, n_atoms: int, settings: dict) -> float:
    """Linear in the force rows n·3N; the sparse points (200 or 400) did not change it."""
    (r1, m1), (r2, m2) = sorted(GAP_MEMORY_GB.items())
    rows = n_train * 3 * n_atoms
    return m1 + (m2 - m1) / (r2 - r1) * (rows - r1)


FAMILY = Family(
    name="gap",
    label="GAP/SOAP",
    colour="#cc78bc",
    model_file="model.tar.gz",
    settings=yaml.safe_load("""
type: object
description: GAP/SOAP through gap_fit (quippy-ase); the paper group's settings.
additionalProperties: false
default: {}
properties:
  cutoff_A:
    type: number
    exclusiveMinimum: 0
    default: 5.0
    description: >-
      SOAP cutoff radius, Å (Fig. 6a scans 5-10).
  cutoff_transition_width_A:
    type: number
    exclusiveMinimum: 0
    default: 0.5
    description: >-
      Width of the cutoff's smooth switch-off, Å.
  seed: {type: integer, default: 1, description: gap_fit's rnd_seed (the CUR choice of sparse points).}
  n_max: {$ref: "#/$defs/positive_int", default: 12, description: SOAP radial basis functions.}
  l_max: {$ref: "#/$defs/positive_int", default: 6, description: SOAP angular momentum channels.}
  atom_sigma:
    type: number
    exclusiveMinimum: 0
    default: 0.3
    description: >-
      Gaussian smearing of the atom density, Å.
  zeta: {$ref: "#/$defs/positive_int", default: 2, description: Power of the dot-product kernel.}
  delta: {type: number, exclusiveMinimum: 0, default: 0.25, description: "Energy scale of the GAP, eV."}
  n_sparse:
    $ref: "#/$defs/positive_int"
    default: 200
    description: Sparse points (CUR); memory and time grow with it.
  energy_sigma_eV:
    type: number
    exclusiveMinimum: 0
    default: 0.001
    description: >-
      Regularisation of energies (gap_fit's default_sigma for energies), eV.
  force_sigmas_eV_per_A:
    type: array
    items: {type: number, exclusiveMinimum: 0}
    minItems: 1
    default: [0.1, 0.03, 0.01, 0.003]
    description: >-
      Regularisation of forces (gap_fit's default_sigma for forces), eV/Å: one fit per value,
      the lowest validation force RMSE wins.
"""),
    training_seconds=training_seconds,
    training_memory_gb=training_memory_gb,
    md_steps_per_s=9.4,  # i-PI with a rotation n = 100 model, one thread (scripts/benchmark_md.py)
    threads=8,
)
#: Settings understood by :func:`train` (config section ``models.gap``).
DEFAULTS = FAMILY.defaults
#: Edge of the box a molecule is written in: gap_fit ignores the energies of frames without a lattice.
BOX_A = 50.0
XML = "gap.xml"


@dataclass
class GAPModel:
    """A trained GAP: the folder holding gap_fit's XML and sparseX files.

    The folder is temporary (a fit's or a load's, in the job's scratch): it is removed with
    the model object, at the latest when the process exits.
    """

    folder: Path

    def __post_init__(self):
        weakref.finalize(self, shutil.rmtree, self.folder, True)

    @property
    def xml(self) -> Path:
        return self.folder / XML


def find_gap_fit() -> str:
    found = shutil.which("gap_fit")
    if not found:
        import sys

        found = shutil.which("gap_fit", path=os.path.dirname(sys.executable))
    if not found:
        raise RuntimeError("the 'gap_fit' program was not found: pip install quippy-ase (it ships gap_fit)")
    return found


def gap_command(settings: dict, n_train: int, at_file: str, force_sigma: float) -> list[str]:
    """The gap_fit command line for a SOAP GAP fitted to energies and forces, the forces
    regularised by `force_sigma` (eV/Å)."""
    s = {**DEFAULTS, **settings}
    soap = (
        f"soap cutoff={s['cutoff_A']} cutoff_transition_width={s['cutoff_transition_width_A']} "
        f"n_max={s['n_max']} l_max={s['l_max']} atom_sigma={s['atom_sigma']} zeta={s['zeta']} "
        f"delta={s['delta']} covariance_type=dot_product "
        f"n_sparse={min(s['n_sparse'], 10 * n_train)} sparse_method=cur_points add_species=T"
    )
    # energies, forces, virials, Hessians: molecules in a box have no virials
    sigma = f"{s['energy_sigma_eV']:g} {force_sigma:g} 0 0"
    return [
        find_gap_fit(),
        f"at_file={at_file}",
        f"gap={{{soap}}}",
        f"default_sigma={{{sigma}}}",
        "e0_method=average",
        "energy_parameter_name=energy",
        "force_parameter_name=forces",
        # a fixed seed: CUR picks the same sparse points on every run
        "sparse_jitter=1.0e-8",
        f"rnd_seed={s['seed']}",
        f"gp_file={XML}",
    ]


def _frames_in_ev(data: Dataset) -> list[Atoms]:
    frames = []
    for R, E, F in zip(data.R, data.E, data.F):
        atoms = Atoms(numbers=data.z, positions=R, cell=np.eye(3) * BOX_A, pbc=False)
        atoms.info["energy"] = float(kcal_mol_to_ev(E))
        atoms.arrays["forces"] = kcal_mol_to_ev(F)
        frames.append(atoms)
    return frames


def _fit(train_set: Dataset, settings: dict, force_sigma: float, threads: int) -> GAPModel:
    """One gap_fit run in a fresh temporary folder, which the model returned owns (and a
    failure removes)."""
    model = GAPModel(Path(tempfile.mkdtemp(prefix="flexmlff-gap-")))
    write(model.folder / "train.xyz", _frames_in_ev(train_set), format="extxyz")
    command = gap_command(settings, len(train_set), "train.xyz", force_sigma)
    log.info("gap_fit on %d frames: %s", len(train_set), " ".join(command[1:]))
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    # subprocess.run kills gap_fit on the SystemExit of a SIGTERM; the parent-death signal on a SIGKILL
    with sigterm_as_exit():
        result = subprocess.run(
            command, cwd=model.folder, capture_output=True, text=True, env=env, preexec_fn=die_with_parent
        )
    if result.returncode != 0 or not model.xml.exists():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        raise RuntimeError(f"gap_fit failed (status {result.returncode}):\n{tail}")
    (model.folder / "train.xyz").unlink()
    return model


def train(
    train_set: Dataset, validation: Dataset, settings: dict | None = None, threads: int = 1, record: dict | None = None
) -> GAPModel:
    """Fit a GAP to `train_set` for every σ_F of the grid; keep the best on `validation`.

    `record`, when given, receives ``scan`` (the validation force RMSE of every σ_F)
    and ``chosen`` (the σ_F kept).
    """
    s = {**DEFAULTS, **(settings or {})}
    return best_on_validation(
        s["force_sigmas_eV_per_A"],
        lambda force_sigma: _fit(train_set, s, force_sigma, threads),
        lambda model: force_rmse(predict(model, validation.R, validation.z)[1], validation),
        "force_sigma_eV_per_A",
        "GAP",
        log,
        record,
    )


def save(model: GAPModel, path: str | Path) -> None:
    """One archive with the XML and every sparseX file it refers to."""
    with tarfile.open(path, "w:gz") as archive:
        for file in sorted(model.folder.iterdir()):
            if file.name.startswith(XML):
                archive.add(file, arcname=file.name)


def load(path: str | Path) -> GAPModel:
    """The model of a :func:`save` archive, unpacked into a temporary folder that goes with it."""
    model = GAPModel(Path(tempfile.mkdtemp(prefix="flexmlff-gap-")))
    with tarfile.open(path) as archive:
        archive.extractall(model.folder, filter="data")
    if not model.xml.exists():
        raise ValueError(f"{path}: not a GAP archive (no {XML})")
    return model


def calculator(model: GAPModel):
    """An ASE calculator (quippy's Potential) answering in eV and eV/Å."""
    from quippy.potential import Potential

    return Potential(param_filename=str(model.xml))


def predict(model: GAPModel, R: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3)."""
    calc = calculator(model)
    energies, forces = [], []
    atoms = Atoms(numbers=z, positions=R[0], cell=np.eye(3) * BOX_A, pbc=False)
    for positions in R:
        atoms.positions = positions
        atoms.calc = calc
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces().copy())
    return ev_to_kcal_mol(np.array(energies)), ev_to_kcal_mol(np.array(forces))
