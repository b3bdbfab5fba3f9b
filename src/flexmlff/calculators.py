"""One factory for every reference level: :func:`make_calculator`.

Levels
------
``xtb``
    GFN2-xTB or GFN1-xTB through the ``tblite`` Python package; needs no
    external program. The default surrogates for the paper's PBE+TS: GFN2-xTB
    for glycine, GFN1-xTB for azobenzene (GFN2-xTB puts cis below trans).
``pyscf``
    Kohn–Sham DFT through PySCF (default PBE with D3(BJ) dispersion from
    ``pyscf-dispersion``, def2-SVP, density fitting); runs on a GPU through
    gpu4pyscf when that package is installed. Minutes per azobenzene frame on
    two CPU cores.
``aims``
    FHI-aims through ASE's calculator, for users who have the program
    (``command`` and ``species_dir`` options).

The workflow's config names levels (``levels.<name>: {calculator: xtb, method:
GFN1-xTB}``); :class:`Level` is one such entry, and :func:`level_label` gives the
name a table column or a plot title shows for one.

The calculators are plain ASE calculators, so the same object drives
optimisations, NEB and i-PI's socket client.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from ase.calculators.calculator import CalculationFailed, Calculator, all_changes

# tblite's OpenMP runtime reads this once when it is loaded: with more threads
# than free cores a GFN2-xTB call on a small molecule gets up to 50x slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")


#: D3(BJ) parameters of GFN1-xTB's dispersion (Grimme et al., JCTC 13, 1989 (2017)).
GFN1_D3BJ = {"s6": 1.0, "s8": 2.4, "a1": 0.63, "a2": 5.0, "s9": 0.0}


def _xtb(
    method: str = "GFN2-xTB", accuracy: float = 1.0, electronic_temperature: float = 300.0, dispersion: bool = True
) -> Calculator:
    try:
        from tblite.ase import TBLite
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "reference level 'xtb' needs the 'tblite' Python package "
            "(pip install tblite, or conda install -c conda-forge tblite-python)"
        ) from err
    calc = TBLite(method=method, accuracy=accuracy, electronic_temperature=electronic_temperature, verbosity=0)
    if dispersion:
        return calc
    # the paper's PBE vs PBE+TS test at the tight-binding level: take GFN1-xTB's
    # additive D3(BJ) term back out (GFN2-xTB's D4 is inside its SCF: not separable)
    if method != "GFN1-xTB":
        raise ValueError(
            "dispersion: false is available for GFN1-xTB only (its D3 term is additive; GFN2-xTB's D4 enters the SCF)"
        )
    try:
        from dftd3.ase import DFTD3
    except ImportError as err:
        raise RuntimeError("GFN1-xTB without dispersion needs simple-dftd3: pip install dftd3") from err
    from ase.calculators.mixing import LinearCombinationCalculator

    return LinearCombinationCalculator([calc, DFTD3(damping="d3bj", params_tweaks=GFN1_D3BJ)], [1.0, -1.0])


class PySCFCalculator(Calculator):
    """Energy and forces of a molecule from a PySCF Kohn–Sham calculation.

    Each call builds the molecule afresh (geometries change between calls)
    and starts the SCF from the previous density matrix when the atoms are
    the same.
    """

    implemented_properties = ["energy", "forces"]

    def __init__(
        self,
        xc: str = "pbe",
        dispersion: str | None = "d3bj",
        basis: str = "def2-svp",
        density_fit: bool = True,
        charge: int = 0,
        spin: int = 0,
        conv_tol: float = 1e-9,
        max_cycle: int = 100,
        max_memory_mb: int = 4000,
        gpu: str = "auto",
        **kwargs,
    ):
        super().__init__(**kwargs)
        try:
            import pyscf  # noqa: F401
        except ImportError as err:
            raise RuntimeError("reference level 'pyscf' needs PySCF: pip install pyscf pyscf-dispersion") from err
        self.settings = dict(
            xc=xc,
            dispersion=dispersion,
            basis=basis,
            density_fit=density_fit,
            charge=charge,
            spin=spin,
            conv_tol=conv_tol,
            max_cycle=max_cycle,
            max_memory_mb=max_memory_mb,
        )
        self.use_gpu = _gpu4pyscf_available() if gpu == "auto" else gpu in (True, "true", "yes")
        self._density = None

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        from ase.units import Bohr, Hartree
        from pyscf import dft, gto

        super().calculate(atoms, properties, system_changes)
        s = self.settings
        mol = gto.M(
            atom=[(a.symbol, a.position) for a in self.atoms],
            unit="Angstrom",
            basis=s["basis"],
            charge=s["charge"],
            spin=s["spin"],
            verbose=0,
            max_memory=s["max_memory_mb"],
        )
        mf = dft.RKS(mol, xc=s["xc"]) if s["spin"] == 0 else dft.UKS(mol, xc=s["xc"])
        if s["dispersion"]:
            mf.disp = s["dispersion"]
        if s["density_fit"]:
            mf = mf.density_fit()
        mf.conv_tol, mf.max_cycle = s["conv_tol"], s["max_cycle"]
        if self.use_gpu:
            mf = mf.to_gpu()
        guess = self._density if "numbers" not in system_changes else None
        energy = mf.kernel(dm0=guess)
        if not mf.converged:
            # e.g. a half-broken N=N bond: finish with the second-order (Newton) solver
            mf = mf.newton()
            energy = mf.kernel(dm0=mf.make_rdm1())
        if not mf.converged:
            raise CalculationFailed(f"PySCF SCF did not converge (energy {energy} Ha)")
        gradient = mf.nuc_grad_method().kernel()
        self._density = mf.make_rdm1()
        to_numpy = getattr(gradient, "get", None)  # cupy arrays on the GPU
        gradient = to_numpy() if to_numpy else gradient
        self.results = {"energy": float(energy) * Hartree, "forces": -np.asarray(gradient) * Hartree / Bohr}


def _gpu4pyscf_available() -> bool:
    try:
        import gpu4pyscf  # noqa: F401
    except ImportError:
        return False
    return True


def _pyscf(**options) -> Calculator:
    return PySCFCalculator(**options)


def _aims(
    command: str = "", species_dir: str = "", xc: str = "pbe", vdw_ts: bool = True, directory: str = "aims", **keywords
) -> Calculator:
    from ase.calculators.aims import Aims, AimsProfile

    if not command or not species_dir:
        raise ValueError(
            "reference level 'aims' needs the options 'command' (e.g. 'mpirun aims.x') "
            "and 'species_dir' (FHI-aims species defaults, e.g. .../tight)"
        )
    if vdw_ts:
        keywords["vdw_correction_hirshfeld"] = True
    return Aims(
        profile=AimsProfile(command, default_species_directory=species_dir),
        directory=directory,
        xc=xc,
        compute_forces=True,
        **keywords,
    )


LEVELS: dict[str, Callable[..., Calculator]] = {"xtb": _xtb, "pyscf": _pyscf, "aims": _aims}


def make_calculator(level: str, options: dict | None = None) -> Calculator:
    """A fresh ASE calculator for the reference `level` with its `options`.

    `options` are the keyword settings of that level from the config
    (e.g. ``{"method": "GFN2-xTB"}`` for ``xtb``).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown reference level {level!r}; known levels: {', '.join(sorted(LEVELS))}")
    try:
        return LEVELS[level](**(options or {}))
    except TypeError as err:
        raise ValueError(f"bad options for reference level {level!r}: {err}") from err


def includes_dispersion(calculator: str, options: dict | None = None) -> bool:
    """Whether a level's energies hold a dispersion correction (each calculator's default:
    xTB's D3/D4, PySCF's D3(BJ), aims' TS)."""
    options = options or {}
    if calculator == "xtb":
        return bool(options.get("dispersion", True))
    if calculator == "pyscf":
        return bool(options.get("dispersion", "d3bj"))
    if calculator == "aims":
        return bool(options.get("vdw_ts", True))
    return False


def level_label(calculator: str, options: dict | None = None) -> str:
    """A short human-readable name of a level, e.g. ``GFN1-xTB`` or ``PBE-D3BJ/def2-SVP``."""
    options = options or {}
    if calculator == "xtb":
        method = options.get("method", "GFN2-xTB")
        return method if includes_dispersion(calculator, options) else f"{method} without D3"
    if calculator == "pyscf":
        xc = options.get("xc", "pbe").upper()
        dispersion = options.get("dispersion", "d3bj")
        basis = options.get("basis", "def2-svp").replace("svp", "SVP").replace("tzvp", "TZVP")
        return f"{xc}-{dispersion.upper()}/{basis}" if dispersion else f"{xc}/{basis}"
    if calculator == "aims":
        xc = options.get("xc", "pbe").upper()
        return f"FHI-aims {xc}+TS" if includes_dispersion(calculator, options) else f"FHI-aims {xc}"
    return calculator


class Level(NamedTuple):
    """A named level of theory of the config: a calculator kind and its settings.

    `label` is what datasets and tables record (``GFN1-xTB``), `identity` a string
    that changes whenever any setting does, and `make()` a fresh ASE calculator. A tuple,
    so that Snakemake records it as a rule parameter: a changed setting reruns its jobs.
    """

    name: str
    calculator: str
    options: dict

    @classmethod
    def from_config(cls, name: str, settings: dict) -> "Level":
        """The level `name` of the config's `levels` (``{"calculator": ..., **options}``)."""
        options = dict(settings)
        return cls(name, options.pop("calculator"), options)

    @property
    def label(self) -> str:
        return level_label(self.calculator, self.options)

    @property
    def includes_dispersion(self) -> bool:
        """Whether its energies hold a dispersion term (xTB's D3/D4, DFT's D3(BJ), aims' TS)."""
        return includes_dispersion(self.calculator, self.options)

    @property
    def identity(self) -> str:
        return json.dumps({"calculator": self.calculator, **self.options}, sort_keys=True)

    def make(self) -> Calculator:
        return make_calculator(self.calculator, self.options)
