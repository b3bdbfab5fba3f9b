"""MD sampling campaigns: each run's start and seed, the frames it keeps, and the jobs that
relabel them at the molecule's reference level."""

from __future__ import annotations

import math

from flexmlff.campaigns import MDStart, expand_starts
from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.collective_variables import CollectiveVariables
from flexmlff.planning.molecules import Molecules
from flexmlff.planning.paths import Paths
from flexmlff.planning.stage import Stage


class Sampling(Stage):
    """``molecules.<molecule>.md``: the campaigns of MD runs that sample the datasets."""

    def __init__(self, config: dict, layout: Layout, molecules: Molecules, cvs: CollectiveVariables, paths: Paths):
        super().__init__(config, layout)
        self.molecules = molecules
        self.cvs = cvs
        self.paths = paths

    def campaign_runs(self, molecule: str, campaign: str) -> list[MDStart]:
        """The runs of an MD campaign, each with its start and seed."""
        settings = self.molecules.settings(molecule)
        md = settings["md"][campaign]
        return expand_starts(md["starts"], list(settings["minima"]), self.paths.frame_counts(molecule), md["seed"])

    def run_start(self, molecule: str, campaign: str, run: str) -> MDStart:
        return next(s for s in self.campaign_runs(molecule, campaign) if s.run == run)

    def start_file(self, molecule: str, campaign: str, run: str) -> str:
        """The relaxed minimum or the path a run starts from."""
        start = self.run_start(molecule, campaign, run)
        if start.frame is None:
            return self.layout.relaxed(molecule, start.source)
        return self.paths.path_file(molecule, start.source)

    def protocol(self, molecule: str, campaign: str) -> dict:
        return self.molecules.settings(molecule)["md"][campaign]

    def run_settings(self, molecule: str, campaign: str) -> dict:
        """A campaign's protocol as its runs take it: metadynamics CVs named by the config
        become {name: atoms}."""
        protocol = self.protocol(molecule, campaign)
        metadynamics = protocol.get("metadynamics")
        if not metadynamics:
            return protocol
        atoms = self.cvs.atoms(molecule)
        return {**protocol, "metadynamics": {**metadynamics, "cvs": {cv: atoms[cv] for cv in metadynamics["cvs"]}}}

    def frame_count(self, molecule: str, campaign: str) -> int:
        """Frames one run of the campaign keeps (step 0 included)."""
        md = self.protocol(molecule, campaign)
        return md["steps"] // md["stride"] + 1

    def n_relabel_chunks(self, molecule: str, campaign: str) -> int:
        """Relabelling jobs of one run: its frames in chunks of `relabel_chunk_frames`."""
        size = self.molecules.settings(molecule)["relabel_chunk_frames"]
        return math.ceil(self.frame_count(molecule, campaign) / size)

    def relabel_chunks(self, molecule: str, campaign: str, run: str) -> list[str]:
        return [
            self.layout.md_relabel_chunk(molecule, campaign, run, k)
            for k in range(self.n_relabel_chunks(molecule, campaign))
        ]

    def labelled_frames(self, molecule: str, campaign: str, run: str) -> str:
        """Frames of a run labelled at the molecule's level (after relabelling, if any)."""
        if self.molecules.relabelled(molecule):
            return self.layout.md_labelled(molecule, campaign, run)
        return self.layout.md_frames(molecule, campaign, run)

    def checks(self) -> list[tuple]:
        return [(self._check_campaigns, name) for name in self.config["molecules"]]

    def _check_campaigns(self, name: str) -> None:
        """Each campaign's starts exist, its stride divides its steps, and its metadynamics
        biases collective variables of the molecule, one width each."""
        key = f"molecules.{name}.md"
        for campaign, settings in self.molecules.settings(name)["md"].items():
            try:
                self.campaign_runs(name, campaign)
            except ValueError as err:
                raise ConfigError(f"{key}.{campaign}.starts", str(err)) from None
            if settings["steps"] % settings["stride"]:
                raise ConfigError(f"{key}.{campaign}.stride", "must divide steps")
            metadynamics = settings.get("metadynamics")
            if metadynamics:
                for cv in metadynamics["cvs"]:
                    self.cvs.must_be_cv(f"{key}.{campaign}.metadynamics.cvs", name, cv)
                if len(metadynamics["sigma"]) != len(metadynamics["cvs"]):
                    raise ConfigError(
                        f"{key}.{campaign}.metadynamics.sigma",
                        f"{len(metadynamics['sigma'])} widths for {len(metadynamics['cvs'])} cvs",
                    )
