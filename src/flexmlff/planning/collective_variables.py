"""Collective variables: each molecule's named distances, angles and dihedrals resolved on its
atoms, the transition coordinate that tells its minima apart, and the values its built minima
are set to."""

from __future__ import annotations

from flexmlff.building import BuildError, require_mmff
from flexmlff.collective_variables import (
    ALL_KINDS,
    CollectiveVariable,
    CollectiveVariableError,
    molecule_collective_variables,
)
from flexmlff.config_error import ConfigError
from flexmlff.geometry import bond_graph, moving_fragment
from flexmlff.layout import Layout
from flexmlff.planning.molecules import Molecules
from flexmlff.planning.stage import Stage

#: Collective variables measured in degrees: what bands of |value| (Fig. 9's outcomes) need.
ANGULAR = ("angle", "dihedral")


class CollectiveVariables(Stage):
    """``molecules.<molecule>.collective_variables`` and ``.transition_coordinate``, and the
    collective-variable values of built minima."""

    def __init__(self, config: dict, layout: Layout, molecules: Molecules):
        super().__init__(config, layout)
        self.molecules = molecules
        self._resolved: dict[str, dict[str, CollectiveVariable]] = {}

    def checks(self) -> list[tuple]:
        return [(self._check, name) for name in self.config["molecules"]]

    def _check(self, name: str) -> None:
        self._check_collective_variables(name)
        self._check_built_minima(name)
        self._check_transition_coordinate(name)

    def build_settings(self, molecule: str, minimum: str) -> dict:
        """What the build job of a built minimum takes: the SMILES, the seed and each
        collective variable's name, atoms and value ([[name, atoms, value], ...])."""
        atoms = self.atoms(molecule)
        values = self.molecules.built_minimum(molecule, minimum)
        return {
            "smiles": self.molecules.settings(molecule)["smiles"],
            "seed": self.config["seed"],
            "values": [[name, atoms[name], float(value)] for name, value in values.items()],
        }

    def collective_variables(self, molecule: str) -> dict[str, CollectiveVariable]:
        """The molecule's named distances, angles and dihedrals (its ``collective_variables``),
        resolved on its reference atoms (:meth:`reference_atoms`) once per plan."""
        if molecule not in self._resolved:
            self._resolved[molecule] = molecule_collective_variables(
                self.molecules.settings(molecule)["collective_variables"], self.molecules.reference_atoms(molecule)
            )
        return self._resolved[molecule]

    def atoms(self, molecule: str, kinds=ALL_KINDS) -> dict[str, list[int]]:
        """The atoms of each collective variable of one of `kinds`, by name: what jobs measure
        (a rule parameter)."""
        return {name: list(cv.atoms) for name, cv in self.collective_variables(molecule).items() if cv.kind in kinds}

    def transition_coordinate(self, molecule: str) -> dict | None:
        """The CV that tells the molecule's minima apart, ``{"cv", "atoms", "signed"}``; None
        where the molecule names none."""
        settings = self.molecules.settings(molecule).get("transition_coordinate")
        if not settings:
            return None
        return {"cv": settings["cv"], "atoms": self.atoms(molecule)[settings["cv"]], "signed": settings["signed"]}

    def _check_transition_coordinate(self, name: str) -> None:
        """A dihedral or angle (a dihedral where signed) with bands in order; bands of a
        magnitude cannot be negative. Whether the minima lie in the outer bands is known
        only once they are relaxed: each ML-driven MD job checks it before its run."""
        settings = self.molecules.settings(name).get("transition_coordinate")
        key = f"molecules.{name}.transition_coordinate"
        if not settings:
            return
        self.must_be_cv(f"{key}.cv", name, settings["cv"], ("dihedral",) if settings["signed"] else ANGULAR)
        low, high = settings["bands_deg"]
        if not low < high:
            raise ConfigError(f"{key}.bands_deg", f"[{low}, {high}]: the first edge must be the lower")
        if low < 0 and not settings["signed"]:
            raise ConfigError(
                f"{key}.bands_deg",
                f"[{low}, {high}]: edges of |{settings['cv']}| cannot be "
                "negative (signed: true classes by the signed value)",
            )

    def _check_collective_variables(self, name: str) -> None:
        """Each collective variable's atoms exist, are bonded as declared and match its pattern."""
        try:
            self.collective_variables(name)
        except CollectiveVariableError as err:
            raise ConfigError(f"molecules.{name}.collective_variables.{err.name}", str(err)) from None

    def must_be_cv(self, key: str, molecule: str, name: str, kinds=ALL_KINDS) -> None:
        """`name` must be one of the molecule's collective variables, of one of `kinds`."""
        cvs = self.collective_variables(molecule)
        if name not in cvs:
            raise ConfigError(
                key,
                f"{name!r} is not a collective variable of {molecule} (molecules.{molecule}."
                f"collective_variables: {', '.join(cvs) or 'none'})",
            )
        if cvs[name].kind not in kinds:
            article = "an" if cvs[name].kind == "angle" else "a"
            raise ConfigError(
                key, f"{name!r} of {molecule} is {article} {cvs[name].kind}; this needs a {' or '.join(kinds)}"
            )

    def _check_built_minima(self, name: str) -> None:
        """The values a minimum is built at are of the molecule's collective variables, each
        one RDKit can set: the atoms bonded, the bond it turns or stretches in no ring; and
        MMFF94, which relaxes the built geometry, has parameters for the molecule."""
        minima, molecules = self.molecules.settings(name)["minima"], self.molecules
        built = [m for m in minima if molecules.built_minimum(name, m) is not None]
        if built:
            try:
                require_mmff(self.molecules.settings(name)["smiles"])
            except BuildError as err:
                raise ConfigError(f"molecules.{name}.smiles", str(err)) from None
        for minimum in built:
            key = f"molecules.{name}.minima.{minimum}"
            for cv in self.molecules.built_minimum(name, minimum):
                self.must_be_cv(key, name, cv)
                self.must_be_settable(key, name, cv)

    def must_be_settable(self, key: str, molecule: str, name: str) -> None:
        """The CV `name` can be set by moving one side of its last bond (a distance's bond, an
        angle's j-k, a dihedral's central j-k): bonded, and not in a ring."""
        atoms = self.collective_variables(molecule)[name].atoms
        bond = atoms[-2:] if len(atoms) < 4 else atoms[1:3]
        reference = self.molecules.reference_atoms(molecule)
        if bond[1] not in bond_graph(reference)[bond[0]]:
            raise ConfigError(key, f"{name!r}: atoms {bond[0]} and {bond[1]} are not bonded, so it cannot be set")
        try:
            moving_fragment(reference, bond)
        except ValueError as err:
            raise ConfigError(key, f"{name!r} cannot be set: {err}") from None
