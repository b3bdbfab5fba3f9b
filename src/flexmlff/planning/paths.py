"""The reference paths between a molecule's minima: minimum-energy paths (NEB, string),
paths driven along dihedrals, and the isomerisation mechanisms with their single points."""

from __future__ import annotations

from flexmlff.calculators import Level
from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.collective_variables import CollectiveVariables
from flexmlff.planning.molecules import Molecules
from flexmlff.planning.stage import Stage, known

#: The two ways of optimising the rotation path at fixed φ, each the other's comparison.
OTHER_RELAXATION = {"all": "paper", "paper": "all"}


class Paths(Stage):
    """``molecules.<molecule>.mep``, ``.driven_paths`` and ``.isomerisation``."""

    def __init__(self, config: dict, layout: Layout, molecules: Molecules, cvs: CollectiveVariables):
        super().__init__(config, layout)
        self.molecules = molecules
        self.cvs = cvs

    def _settings(self, molecule: str) -> dict:
        return self.molecules.settings(molecule)

    def _endpoints(self, molecule: str, settings: dict) -> dict[str, str]:
        """The relaxed minima a path's `settings` name as its start and end."""
        return {end: self.layout.relaxed(molecule, settings[end]) for end in ("start", "end")}

    # -- minimum-energy and driven paths ----------------------------------------------------
    def mep_methods(self, molecule: str) -> list[str]:
        mep = self._settings(molecule).get("mep")
        return mep["methods"] if mep else []

    def mep_endpoints(self, molecule: str) -> dict[str, str]:
        return self._endpoints(molecule, self._settings(molecule)["mep"])

    def mep_outputs(self, molecule: str, ext: str) -> list[str]:
        return [self.layout.mep(molecule, method, ext) for method in self.mep_methods(molecule)]

    def driven_path_names(self, molecule: str) -> list[str]:
        return list(self._settings(molecule)["driven_paths"])

    def driven_path_settings(self, molecule: str, name: str) -> dict:
        """A driven path's settings, its driven dihedrals resolved to {name: atoms}."""
        settings = self._settings(molecule)["driven_paths"][name]
        atoms = self.cvs.atoms(molecule)
        return {**settings, "drive": {cv: atoms[cv] for cv in settings["drive"]}}

    def driven_path_endpoints(self, molecule: str, name: str) -> dict[str, str]:
        return self._endpoints(molecule, self._settings(molecule)["driven_paths"][name])

    def table_rows(self, molecule: str) -> list[str]:
        """The paths of the molecule's barrier table and profile figure: the MEP methods,
        then the driven paths."""
        return [*self.mep_methods(molecule), *self.driven_path_names(molecule)]

    def table_inputs(self, molecule: str, ext: str) -> list[str]:
        """Profile (csv) or summary (json) of every path in :meth:`table_rows`."""
        return [
            *self.mep_outputs(molecule, ext),
            *(self.layout.driven_path(molecule, name, ext) for name in self.driven_path_names(molecule)),
        ]

    # -- isomerisation mechanisms -----------------------------------------------------------
    def isomerisation_rotor(self, molecule: str) -> list[int]:
        """The dihedral X1-N2=N3-X4 the isomerisation paths turn (``isomerisation.torsion``)."""
        return self.cvs.atoms(molecule)[self._settings(molecule)["isomerisation"]["torsion"]]

    def isomerisation_endpoints(self, molecule: str) -> dict[str, str]:
        return self._endpoints(molecule, self._settings(molecule)["isomerisation"])

    def isomerisation_paths(self, molecule: str) -> list[str]:
        """The driven mechanisms, then the optimised rotation path when asked for."""
        settings = self._settings(molecule)["isomerisation"]
        names, optimised = list(settings["mechanisms"]), settings["optimised_rotation"]
        if optimised["enabled"] and "rotation" in names:
            names.append("optimised_rotation")
            if optimised["compare"]:
                names.append(f"optimised_rotation_{OTHER_RELAXATION[optimised['relax']]}")
        return names

    def optimised_rotation_relax(self, molecule: str, path: str) -> str:
        """What the optimised rotation path `path` relaxes at each φ: ``all`` or ``paper``
        (``optimised_rotation`` is the configured one, ``optimised_rotation_<variant>`` the other)."""
        if path == "optimised_rotation":
            return self._settings(molecule)["isomerisation"]["optimised_rotation"]["relax"]
        return path.removeprefix("optimised_rotation_")

    def optimised_rotation_variants(self, molecule: str) -> dict[str, str]:
        """{optimised rotation path: what it relaxes (``all`` or ``paper``)} of the molecule."""
        return {
            name: self.optimised_rotation_relax(molecule, name)
            for name in self.isomerisation_paths(molecule)
            if name.startswith("optimised_rotation")
        }

    def isomerisation_profiles(self, molecule: str) -> list[str]:
        return [self.layout.path(molecule, name, "csv") for name in self.isomerisation_paths(molecule)]

    def isomerisation_ends(self, molecule: str) -> list[str]:
        settings = self._settings(molecule)["isomerisation"]
        return [settings["start"], settings["end"]]

    def single_point_levels(self, molecule: str) -> dict[str, Level]:
        names = self._settings(molecule)["isomerisation"]["single_point_levels"]
        return {name: self.molecules.level(name) for name in names}

    def isomerisation_single_points(self, molecule: str) -> list[str]:
        """Per level: the two end minima, then the highest frame of every path."""
        points = [f"minimum_{end}" for end in self.isomerisation_ends(molecule)]
        points += [f"{path}_highest" for path in self.isomerisation_paths(molecule)]
        return [
            self.layout.single_point(molecule, level, name)
            for level in self.single_point_levels(molecule)
            for name in points
        ]

    # -- any path ----------------------------------------------------------------------------
    def reference_paths(self, molecule: str) -> list[str]:
        """Every path of a molecule: the MEP methods, the driven paths, the isomerisation paths."""
        isomerisation = self.isomerisation_paths(molecule) if self._settings(molecule).get("isomerisation") else []
        return [*self.table_rows(molecule), *isomerisation]

    def path_file(self, molecule: str, name: str) -> str:
        """Frames of a path: an MEP method, a driven path or an isomerisation path."""
        if name in self.mep_methods(molecule):
            return self.layout.mep(molecule, name)
        if name in self._settings(molecule)["driven_paths"]:
            return self.layout.driven_path(molecule, name)
        return self.layout.path(molecule, name)

    def frame_counts(self, molecule: str) -> dict[str, int]:
        """Frames (end points included) of every path an MD start may name."""
        settings = self._settings(molecule)
        counts = {}
        if settings.get("isomerisation"):
            n_frames = settings["isomerisation"]["n_images"] + 2
            counts.update({name: n_frames for name in self.isomerisation_paths(molecule)})
        if settings.get("mep"):
            n_frames = settings["mep"]["n_images"] + 2
            counts.update({name: n_frames for name in self.mep_methods(molecule)})
        counts.update({name: path["n_images"] + 2 for name, path in settings["driven_paths"].items()})
        return counts

    def molecule_ends(self, molecule: str, path: str | None = None) -> tuple[str, str]:
        """The two minima a transition connects: those `path` joins (a driven path), else the
        isomerisation's, else the MEP's."""
        settings = self._settings(molecule)
        ends = settings["driven_paths"].get(path) or settings.get("isomerisation") or settings.get("mep")
        return ends["start"], ends["end"]

    def targets(self) -> list[str]:
        targets = []
        for molecule, settings in self.config["molecules"].items():
            if settings.get("mep") or settings["driven_paths"]:
                targets += [
                    self.layout.table(f"{molecule}_mep_barriers"),
                    *self.layout.figure(f"{molecule}_mep_profiles"),
                ]
            if settings.get("isomerisation"):
                targets += [
                    self.layout.table(f"{molecule}_isomerisation_barriers"),
                    *self.layout.figure(f"{molecule}_isomerisation_profiles"),
                ]
        return targets

    # -- checks --------------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        return [(self._check_paths, name) for name in self.config["molecules"]]

    def _check_paths(self, name: str) -> None:
        """Each path starts and ends at known minima, is turned by a dihedral and has a name
        of its own; single points are at known levels."""
        molecule, key = self._settings(name), f"molecules.{name}"
        for section in ("mep", "isomerisation"):
            for end in ("start", "end"):
                if molecule.get(section):
                    known(f"{key}.{section}.{end}", molecule[section][end], molecule["minima"], "minimum")
        for level in molecule["isomerisation"]["single_point_levels"] if molecule.get("isomerisation") else []:
            known(f"{key}.isomerisation.single_point_levels", level, self.config["levels"], "level")
        if molecule.get("mep") and molecule["mep"]["driving_torsion"]:
            self.cvs.must_be_cv(f"{key}.mep.driving_torsion", name, molecule["mep"]["driving_torsion"], ("dihedral",))
        if molecule.get("isomerisation"):
            self.cvs.must_be_cv(
                f"{key}.isomerisation.torsion", name, molecule["isomerisation"]["torsion"], ("dihedral",)
            )
        self._check_driven_paths(name)

    def _check_driven_paths(self, name: str) -> None:
        """A driven path joins two known minima by dihedrals, under a name no other path has."""
        molecule, key = self._settings(name), f"molecules.{name}.driven_paths"
        others = self.isomerisation_paths(name) if molecule.get("isomerisation") else []
        for path, settings in molecule["driven_paths"].items():
            if path in others or path in molecule["minima"]:
                raise ConfigError(f"{key}.{path}", "an isomerisation path or a minimum has this name")
            for end in ("start", "end"):
                known(f"{key}.{path}.{end}", settings[end], molecule["minima"], "minimum")
            if settings["start"] == settings["end"]:
                raise ConfigError(f"{key}.{path}.end", "the path must end at another minimum than it starts")
            for cv in settings["drive"]:
                self.cvs.must_be_cv(f"{key}.{path}.drive", name, cv, ("dihedral",))
                self.cvs.must_be_settable(f"{key}.{path}.drive", name, cv)
