"""Starting geometries built from a SMILES string, with chosen values of collective variables.

A molecule entry may give ``smiles`` instead of geometry files; each minimum is then the
collective variables it sits at (``C7eq: {phi: -83, psi: 73}``). RDKit embeds the
molecule with explicit hydrogens (ETKDG, the config seed), sets each collective variable
and relaxes the rest in MMFF94 with those values held; the workflow then relaxes that
geometry at the molecule's level of theory like any other minimum.

The atom order is RDKit's: the heavy atoms in the order the SMILES writes them, then the
hydrogens (each after the heavy atoms, in the order of the atoms they are bonded to). It
depends only on the SMILES, so the collective variables' atom indices are known before any
geometry is built (:func:`embedded`, which the plan's checks use).
"""

from __future__ import annotations

from ase import Atoms

#: Force constant (kcal/mol per degree², or per Å²) holding a collective variable at its
#: value while MMFF94 relaxes the rest: stiff enough to leave it within ~0.1°.
RESTRAINT_FORCE_CONSTANT = 1.0e4


class BuildError(ValueError):
    """A SMILES that RDKit cannot read or embed, or a value it cannot set."""


def _with_hydrogens(smiles: str):
    """RDKit's molecule of `smiles` with explicit hydrogens, no geometry."""
    from rdkit import Chem

    molecule = Chem.MolFromSmiles(smiles)
    if molecule is None:
        raise BuildError(f"RDKit cannot read the SMILES {smiles!r}")
    return Chem.AddHs(molecule)


def _embedded_molecule(smiles: str, seed: int):
    """RDKit's molecule of `smiles` with its hydrogens and one 3-D conformer (ETKDG, `seed`)."""
    from rdkit.Chem import AllChem

    molecule = _with_hydrogens(smiles)
    parameters = AllChem.ETKDGv3()
    parameters.randomSeed = int(seed)
    if AllChem.EmbedMolecule(molecule, parameters) != 0:
        raise BuildError(f"RDKit could not embed {smiles!r} in 3-D (seed {seed})")
    return molecule


def _to_atoms(molecule) -> Atoms:
    positions = molecule.GetConformer().GetPositions()
    return Atoms([atom.GetSymbol() for atom in molecule.GetAtoms()], positions=positions)


def _mmff_properties(molecule, smiles: str):
    """MMFF94's parameters of `molecule`; BuildError where it has none for some atom (boron,
    selenium, xenon, ...): such a molecule needs its minima as geometry files."""
    from rdkit.Chem import AllChem

    properties = AllChem.MMFFGetMoleculeProperties(molecule)
    if properties is None:
        raise BuildError(
            f"MMFF94 has no parameters for {smiles!r}, so no minimum can be built from it: give "
            "the minima as geometry files"
        )
    return properties


def require_mmff(smiles: str) -> None:
    """BuildError unless MMFF94 can relax `smiles` (atom typing needs no 3-D geometry): the
    plan's check for a molecule with minima to build, before any job runs."""
    _mmff_properties(_with_hydrogens(smiles), smiles)


def embedded(smiles: str, seed: int) -> Atoms:
    """The molecule of `smiles` with its hydrogens, embedded in 3-D (RDKit ETKDG, `seed`):
    its atoms in the order every geometry built from the SMILES has."""
    return _to_atoms(_embedded_molecule(smiles, seed))


def _set_value(conformer, atoms: tuple[int, ...], value: float) -> None:
    from rdkit.Chem import rdMolTransforms as transforms

    setter = {2: transforms.SetBondLength, 3: transforms.SetAngleDeg, 4: transforms.SetDihedralDeg}[len(atoms)]
    setter(conformer, *atoms, float(value))


def _restrain(force_field, atoms: tuple[int, ...], value: float) -> None:
    add = {
        2: force_field.MMFFAddDistanceConstraint,
        3: force_field.MMFFAddAngleConstraint,
        4: force_field.MMFFAddTorsionConstraint,
    }[len(atoms)]
    add(*atoms, False, float(value), float(value), RESTRAINT_FORCE_CONSTANT)


def build_geometry(smiles: str, values: dict[tuple[int, ...], float], seed: int, max_iterations: int = 2000) -> Atoms:
    """A geometry of `smiles` with each collective variable at its value.

    `values` maps a CV's atoms (2: distance, Å; 3: angle, 4: dihedral, degrees) to its
    value. The embedded molecule (:func:`embedded`) has each value set by moving the atoms
    on one side of the bond, angle or dihedral, then MMFF94 relaxes it with all of them
    held. A bond in a ring cannot be turned this way: RDKit refuses it (BuildError).
    """
    from rdkit.Chem import AllChem

    molecule = _embedded_molecule(smiles, seed)
    conformer = molecule.GetConformer()
    for atoms, value in values.items():
        try:
            _set_value(conformer, tuple(atoms), value)
        except (ValueError, RuntimeError) as err:
            raise BuildError(f"cannot set atoms {list(atoms)} of {smiles!r} to {value}: {err}") from None
    force_field = AllChem.MMFFGetMoleculeForceField(molecule, _mmff_properties(molecule, smiles))
    for atoms, value in values.items():
        _restrain(force_field, tuple(atoms), value)
    force_field.Minimize(maxIts=max_iterations)
    return _to_atoms(molecule)
