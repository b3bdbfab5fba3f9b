"""Datasets: where each one's frames come from (MD campaigns, a user's file, another dataset
relabelled), its level, its cross-validation splits, and the figures of its frames (Figs. 2, 3)."""

from __future__ import annotations

from flexmlff.calculators import Level
from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.collective_variables import CollectiveVariables
from flexmlff.planning.molecules import Molecules
from flexmlff.planning.sampling import Sampling
from flexmlff.planning.stage import Stage, figure_list, known


class Datasets(Stage):
    """``datasets`` and the dataset figures ``figures.energy_distributions`` and
    ``figures.distance_distributions``."""

    def __init__(
        self, config: dict, layout: Layout, molecules: Molecules, cvs: CollectiveVariables, sampling: Sampling
    ):
        super().__init__(config, layout)
        self.molecules = molecules
        self.cvs = cvs
        self.sampling = sampling

    def settings(self, dataset: str) -> dict:
        """The dataset's config entry, ``datasets.<dataset>``."""
        return self.config["datasets"][dataset]

    def molecule(self, dataset: str) -> str:
        return self.settings(dataset)["molecule"]

    def level(self, dataset: str) -> Level:
        """The level of a dataset's labels: its own `level`, else its molecule's."""
        settings = self.settings(dataset)
        return self.molecules.level(settings["level"] or self.molecules.settings(settings["molecule"])["level"])

    def campaign_runs(self, dataset: str) -> list[tuple[str, str]]:
        """(campaign, run) of every MD run of a dataset, in order."""
        settings = self.settings(dataset)
        return [
            (campaign, run.run)
            for campaign in settings["campaigns"]
            for run in self.sampling.campaign_runs(settings["molecule"], campaign)
        ]

    def sources(self, dataset: str) -> list[str]:
        """A user's dataset file, the relabelled chunks, or the labelled frames of its runs."""
        settings = self.settings(dataset)
        if settings["file"]:
            return [self.molecules.input_path(settings["file"])]
        if settings["relabel_of"]:
            return [self.layout.dataset_relabel_chunk(dataset, k) for k in range(settings["relabel_jobs"])]
        return [
            self.sampling.labelled_frames(settings["molecule"], campaign, run)
            for campaign, run in self.campaign_runs(dataset)
        ]

    def source_names(self, dataset: str) -> list[str]:
        """What each source of a dataset is: an MD campaign, "file" or "relabelled"."""
        settings = self.settings(dataset)
        if settings["file"]:
            return ["file"]
        if settings["relabel_of"]:
            return ["relabelled"] * settings["relabel_jobs"]
        return [campaign for campaign, _ in self.campaign_runs(dataset)]

    def atom_order(self, dataset: str) -> str | list:
        """The geometry a user's dataset file must match atom for atom (its molecule's first
        minimum: collective variables index its atoms); none for sampled datasets, whose
        frames start from the minima, and for a molecule without minima, whose atoms are the
        file's."""
        settings = self.settings(dataset)
        minima = self.molecules.settings(settings["molecule"])["minima"]
        return self.molecules.first_minimum_file(settings["molecule"]) if settings["file"] and minima else []

    def same_size_manifest(self, dataset: str) -> str | list:
        """The manifest of the dataset whose size this one must match; none is an empty input."""
        other = self.settings(dataset)["same_size_as"]
        return self.layout.dataset(other, "json") if other else []

    def split_file(self, dataset: str, n_train) -> str:
        """The CV split of a dataset; a relabelled dataset (same frames, other level) shares
        its source's split, so both are trained and tested on the same tasks (paper Sec. V)."""
        source = self.settings(dataset)["relabel_of"] or dataset
        return self.layout.split(source, n_train)

    def cluster_coordinate(self, dataset: str) -> dict | None:
        """The transition coordinate of a dataset's molecule, ``{"cv", "atoms", "signed"}``,
        whose bins cluster the frames of its prediction files and per-cluster figures; None
        where the molecule names none."""
        return self.cvs.transition_coordinate(self.molecule(dataset))

    def transition_outcome(self, dataset: str) -> dict:
        """How an ML-driven run of a dataset's models is classed: its molecule's
        ``transition_coordinate`` (``cv``, ``signed``, ``bands_deg``)."""
        return dict(self.molecules.settings(self.molecule(dataset))["transition_coordinate"])

    # -- the audit against another level -------------------------------------------------------
    def audited(self) -> list[str]:
        """The datasets with an ``audit``, in config order."""
        return [name for name, settings in self.config["datasets"].items() if settings.get("audit")]

    def audit(self, dataset: str) -> dict:
        """``datasets.<dataset>.audit``: the audit `level`'s name, `frames` and `jobs`."""
        return self.settings(dataset)["audit"]

    def audit_level(self, dataset: str) -> Level:
        """The level a dataset's audit relabels its frames at."""
        return self.molecules.level(self.audit(dataset)["level"])

    def audit_jobs(self, dataset: str) -> int:
        """Relabelling jobs of an audit: at most one a frame."""
        audit = self.audit(dataset)
        return min(audit["jobs"], audit["frames"])

    def audit_chunks(self, dataset: str) -> list[str]:
        """The relabelled part of every audit job, in order."""
        return [self.layout.audit_chunk(dataset, k) for k in range(self.audit_jobs(dataset))]

    def audit_tables(self) -> list[str]:
        """The table of every audited dataset (the summary's input)."""
        return [self.layout.table(f"{name}_audit") for name in self.audited()]

    # -- Figs. 2 and 3 -----------------------------------------------------------------------
    def energy_distribution_inputs(self) -> dict:
        settings = self.config["figures"]["energy_distributions"]
        molecule = self.molecule(settings["datasets"][0])
        return {
            "datasets": [self.layout.dataset(name, "extxyz") for name in settings["datasets"]],
            "reference": self.layout.relaxed(molecule, settings["reference_minimum"]),
        }

    def distance_distribution_inputs(self) -> list[str]:
        return [self.layout.dataset(name) for name in self.config["figures"]["distance_distributions"]["datasets"]]

    def targets(self) -> list[str]:
        targets = [self.layout.dataset(name) for name in self.config["datasets"]]
        if self.config["figures"].get("energy_distributions"):
            targets += self.layout.figure("fig2_energy_distributions")
        if self.config["figures"].get("distance_distributions"):
            targets += self.layout.figure("fig3_distance_distributions")
        for name in self.audited():
            targets += [self.layout.table(f"{name}_audit"), *self.layout.figure(f"{name}_audit")]
        return targets

    # -- checks --------------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        return [*((self._check_dataset, name) for name in self.config["datasets"]), (self._check_figures,)]

    def must_have_transition_coordinate(self, key: str, dataset: str, magnitude: bool = False) -> None:
        """The dataset's molecule names the CV that tells its minima apart; where the figure
        bins a dihedral's magnitude (Figs. 7 and 8, the training-set optimisation), an
        unsigned dihedral."""
        molecule = self.molecule(dataset)
        settings = self.molecules.settings(molecule).get("transition_coordinate")
        if not settings:
            raise ConfigError(
                key,
                f"{dataset!r} is of {molecule}, which has no transition_coordinate "
                f"(molecules.{molecule}.transition_coordinate: {{cv: ...}})",
            )
        if magnitude and settings["signed"]:
            raise ConfigError(
                key, f"this figure bins |{settings['cv']}|; molecules.{molecule}.transition_coordinate is signed"
            )
        if magnitude:
            self.cvs.must_be_cv(
                f"molecules.{molecule}.transition_coordinate.cv", molecule, settings["cv"], ("dihedral",)
            )

    def _check_dataset(self, name: str) -> None:
        datasets, dataset, key = self.config["datasets"], self.settings(name), f"datasets.{name}"
        molecule = dataset["molecule"]
        known(f"{key}.molecule", molecule, self.config["molecules"], "molecule")
        for campaign in dataset["campaigns"]:
            if campaign not in self.molecules.settings(molecule)["md"]:
                raise ConfigError(f"{key}.campaigns", f"unknown MD campaign {campaign!r} of {molecule}")
        for field in ("same_size_as", "relabel_of"):
            other = dataset[field]
            if other and (other not in datasets or other == name):
                raise ConfigError(f"{key}.{field}", f"unknown dataset {other!r}")
            if other and datasets[other]["molecule"] != molecule:
                raise ConfigError(f"{key}.{field}", f"{other!r} is of another molecule")
        if dataset["level"]:
            known(f"{key}.level", dataset["level"], self.config["levels"], "level")
        if not any(dataset[field] for field in ("file", "campaigns", "relabel_of")):
            raise ConfigError(key, "needs campaigns, file or relabel_of")
        for field in ("units", "theory"):
            if dataset[field] and not dataset["file"]:
                raise ConfigError(f"{key}.{field}", "describes a dataset `file`; this dataset has none")
        audit = dataset.get("audit")
        if audit:
            known(f"{key}.audit.level", audit["level"], self.config["levels"], "level")
            if self.level(name).label == self.audit_level(name).label:
                raise ConfigError(f"{key}.audit.level", f"{audit['level']!r} is the dataset's own level")

    def _check_figures(self) -> None:
        figures = self.config["figures"]
        for key in ("energy_distributions", "distance_distributions"):
            for name in figure_list(figures, key, "datasets"):
                known(f"figures.{key}.datasets", name, self.config["datasets"], "dataset")
        settings = figures.get("energy_distributions")
        if settings:
            molecules = {self.molecule(name) for name in settings["datasets"]}
            if len(molecules) != 1:
                raise ConfigError("figures.energy_distributions.datasets", "must all be of one molecule")
            known(
                "figures.energy_distributions.reference_minimum",
                settings["reference_minimum"],
                self.molecules.settings(molecules.pop())["minima"],
                "minimum",
            )
