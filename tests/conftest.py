"""Shared fixtures: the shipped glycine geometries, a small labelled glycine dataset, and the plans
of the smoke config and of the alanine dipeptide example."""

import copy
import logging
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from ase.io import read

from flexmlff.calculators import make_calculator
from flexmlff.data import Dataset
from flexmlff.planning import Plan, load_config
from flexmlff.units import ev_to_kcal_mol

ROOT = Path(__file__).resolve().parents[1]
GEOMETRIES = ROOT / "resources" / "geometries"


@pytest.fixture(scope="session")
def glycine_ip():
    return read(GEOMETRIES / "glycine_Ip.xyz")


@pytest.fixture(scope="session")
def glycine_iiip():
    return read(GEOMETRIES / "glycine_IIIp.xyz")


@pytest.fixture(scope="session")
def glycine_torsions():
    """τ1 = N–C–C–O(H) and τ2 = N–C–C=O as the default config declares them (paper Fig. 1),
    resolved and checked on the shipped Ip geometry: {name: atoms}."""
    from flexmlff.planning import Plan, load_config

    plan = Plan(load_config(ROOT / "config" / "config.yaml"), ROOT)
    return {name: tuple(atoms) for name, atoms in plan.cvs.atoms("glycine").items()}


@pytest.fixture(scope="session")
def glycine_dataset(glycine_ip):
    """300 random distortions of glycine Ip (0.06 Å Gaussian) labelled with GFN2-xTB."""
    rng = np.random.default_rng(0)
    calc = make_calculator("xtb")
    R, E, F = [], [], []
    for _ in range(300):
        atoms = glycine_ip.copy()
        atoms.positions += rng.normal(scale=0.06, size=atoms.positions.shape)
        atoms.calc = calc
        R.append(atoms.positions.copy())
        E.append(ev_to_kcal_mol(atoms.get_potential_energy()))
        F.append(ev_to_kcal_mol(atoms.get_forces()))
    return Dataset(glycine_ip.numbers, R, E, F, "glycine-distorted", "xtb GFN2-xTB")


@pytest.fixture(scope="module")
def smoke_config():
    return load_config(ROOT / "tests" / "config.yaml")


@pytest.fixture()
def smoke(smoke_config):
    return Plan(copy.deepcopy(smoke_config), basedir=ROOT)


@pytest.fixture(scope="module")
def alanine_dipeptide():
    return Plan(load_config(ROOT / "config/examples/alanine_dipeptide.yaml"), basedir=ROOT)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def still_running():
    """still_running(processes, timeout_s): those of `processes` alive after up to
    `timeout_s` of waiting for them to exit. A zombie counts as exited: a container's
    init may never reap an orphaned i-PI."""

    def wait(processes, timeout_s):
        deadline = time.monotonic() + timeout_s
        while True:
            alive = [p for p in processes if _alive(p)]
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.05)

    return wait


def pytest_unconfigure(config):
    # torch logs at interpreter exit through handlers bound to pytest's captured streams,
    # closed by then: drop those messages rather than print a traceback for each.
    logging.raiseExceptions = False
