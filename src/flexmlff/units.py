"""Unit conversion between ASE (eV, Å) and the paper's units (kcal/mol, Å).

Every conversion in the project goes through this module so that there is a
single place where the eV ↔ kcal/mol factor is defined (taken from ASE's CODATA
constants, the same ones the socket client uses to talk to i-PI).
"""

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
