"""Unit conversion between ASE (eV, Å) and the paper's units (kcal/mol, Å).

Every conversion in the project goes through this module so that there is a
single place where the eV ↔ kcal/mol factor is defined (taken from ASE's CODATA
constants, the same ones the socket client uses to talk to i-PI).
"""

from __future__ import annotations

from ase import units as _ase_units

#: kcal/mol in eV.
KCAL_MOL_IN_EV = _ase_units.kcal / _ase_units.mol
#: 1 eV expressed in kcal/mol (≈ 23.06).
EV_IN_KCAL_MOL = 1.0 / KCAL_MOL_IN_EV
#: 1 Hartree expressed in kcal/mol (≈ 627.5); i-PI reports energies in Hartree.
HARTREE_IN_KCAL_MOL = _ase_units.Hartree * EV_IN_KCAL_MOL

ENERGY_UNIT = "kcal/mol"
FORCE_UNIT = "kcal/(mol*Angstrom)"
LENGTH_UNIT = "Angstrom"


def ev_to_kcal_mol(value):
    """Convert an energy (or force, per Å) from eV to kcal/mol."""
    return value * EV_IN_KCAL_MOL


def kcal_mol_to_ev(value):
    """Convert an energy (or force, per Å) from kcal/mol to eV."""
    return value * KCAL_MOL_IN_EV


def hartree_to_kcal_mol(value):
    """Convert an energy from Hartree (i-PI's internal unit) to kcal/mol."""
    return value * HARTREE_IN_KCAL_MOL


#: Energy units a dataset file or its config entry may state, in kcal/mol (labels lower-cased).
ENERGY_UNITS_IN_KCAL_MOL = {
    "kcal/mol": 1.0,
    "ev": EV_IN_KCAL_MOL,
    "hartree": HARTREE_IN_KCAL_MOL,
    "ha": HARTREE_IN_KCAL_MOL,
    "kj/mol": 1.0 / 4.184,
}
#: Length units likewise, in Å ("au" is the bohr, as in sGDML's ``r_unit``).
LENGTH_UNITS_IN_ANGSTROM = {
    "angstrom": 1.0,
    "ang": 1.0,
    "a": 1.0,
    "å": 1.0,
    "bohr": _ase_units.Bohr,
    "au": _ase_units.Bohr,
    "a.u.": _ase_units.Bohr,
    "nm": 10.0,
}


def unit_factor(table: dict[str, float], label: str) -> float | None:
    """The factor of unit `label` in `table` (:data:`ENERGY_UNITS_IN_KCAL_MOL` or
    :data:`LENGTH_UNITS_IN_ANGSTROM`), or None for an unknown label."""
    return table.get(str(label).strip().lower())
