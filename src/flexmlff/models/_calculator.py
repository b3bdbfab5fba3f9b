"""One ASE calculator for every family whose model predicts in kcal/mol through a function."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from flexmlff.units import kcal_mol_to_ev

#: predict(R (M, N, 3) in Å, z (N,)) -> energies (M,) in kcal/mol, forces (M, N, 3) in kcal/(mol Å)
Predictor = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class PredictorCalculator(Calculator):
    """ASE calculator (eV, eV/Å) around a model's kcal/mol `predict` function."""

    implemented_properties = ["energy", "forces"]

    def __init__(self, predict: Predictor, **kwargs):
        super().__init__(**kwargs)
        self.predict = predict

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        energies, forces = self.predict(self.atoms.positions[None], self.atoms.numbers)
        self.results = {"energy": float(kcal_mol_to_ev(energies[0])), "forces": kcal_mol_to_ev(forces[0])}
