"""Shared fixtures: the shipped glycine geometries and a small labelled glycine dataset."""

import logging
from pathlib import Path

import numpy as np
import pytest
from ase.io import read

from flexmlff.calculators import make_calculator
from flexmlff.data import Dataset
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


def pytest_unconfigure(config):
    # torch logs at interpreter exit through handlers bound to pytest's captured streams,
    # closed by then: drop those messages rather than print a traceback for each.
    logging.raiseExceptions = False
