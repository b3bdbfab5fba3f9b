"""What an i-PI MD run is: its settings (:class:`MDSettings`, with
:class:`Metadynamics` for a PLUMED bias) and the names of the files it keeps."""

from __future__ import annotations

from dataclasses import dataclass, fields

#: i-PI output prefix; its files are ``md.out`` (properties), ``md.energy`` (conserved
#: quantity) and ``md.pos_0.extxyz`` (positions).
PREFIX = "md"
PROPERTIES = ["step", "time{picosecond}", "temperature{kelvin}", "potential"]
#: Written every `trajectory_stride` steps only: the conserved quantity alone costs
#: i-PI about a tenth of its per-step time.
DIAGNOSTICS = ["step", "time{picosecond}", "conserved", "kinetic_md", "potential"]
#: The run's identity and the frames recorded so far, kept beside i-PI's checkpoints.
RUN_RECORD = "run.json"
PARTIAL_FRAMES = "frames.partial.extxyz"
#: i-PI's standard output and error, in the run's directory.
_IPI_LOG = "ipi.log"
#: PLUMED input file in the i-PI working directory (metadynamics runs).
PLUMED_FILE = "plumed.dat"
#: Edge of the (non-periodic) box i-PI is given for a molecule, Å.
BOX_A = 50.0


@dataclass
class Metadynamics:
    """Well-tempered metadynamics through PLUMED (i-PI's ``ffplumed`` bias and
    ``smotion mode='metad'``), in PLUMED's units: kJ/mol, radians for angles.

    `cvs` maps a name to its atoms (0-based): four atoms make a torsion, three
    an angle, two a distance (nm). The config schema states the defaults (a
    campaign's ``metadynamics``).
    """

    cvs: dict[str, tuple[int, ...]]
    sigma: list[float]
    height_kJ_mol: float
    pace: int
    biasfactor: float

    def __post_init__(self):
        if len(self.sigma) != len(self.cvs):
            raise ValueError(f"metadynamics: {len(self.cvs)} collective variables but {len(self.sigma)} sigmas")
        for name, atoms in self.cvs.items():
            if len(atoms) not in PLUMED_CV_KINDS:
                raise ValueError(f"metadynamics: CV {name!r} has {len(atoms)} atoms (2, 3 or 4 allowed)")


#: PLUMED action of a collective variable, by its number of atoms.
PLUMED_CV_KINDS = {2: "DISTANCE", 3: "ANGLE", 4: "TORSION"}


#: The ensembles a run may sample.
ENSEMBLES = ("nvt", "nve")


@dataclass
class MDSettings:
    """One MD run, constant-temperature unless `ensemble` is "nve" (the paper's units: K, fs).

    A workflow's runs are built from their protocol in the validated config
    (:meth:`from_protocol`), whose schema states the defaults.
    """

    temperature_K: float
    timestep_fs: float
    steps: int
    stride: int
    seed: int
    thermostat: str
    thermostat_tau_fs: float
    checkpoint_stride: int = 1000  # the schema has no default for it: stated here only
    trajectory_stride: int | None = None  # i-PI's position trajectory; default ~100 steps
    metadynamics: Metadynamics | None = None
    #: "nvt" (the thermostat acts) or "nve" (it does not: the conserved quantity checks a
    #: model's forces against its energy)
    ensemble: str = "nvt"

    def __post_init__(self):
        if self.ensemble not in ENSEMBLES:
            raise ValueError(f"ensemble {self.ensemble!r} is not one of {', '.join(ENSEMBLES)}")
        if self.steps < 1 or self.stride < 1 or self.steps % self.stride:
            raise ValueError(f"steps ({self.steps}) must be a positive multiple of stride ({self.stride})")
        if self.trajectory_stride is None:
            self.trajectory_stride = self.stride * max(1, 100 // self.stride)
        if self.temperature_K <= 0 or self.timestep_fs <= 0:
            raise ValueError("temperature_K and timestep_fs must be positive")

    @classmethod
    def from_protocol(cls, protocol: dict, **given) -> MDSettings:
        """The settings of a run from its protocol in the validated config (a molecule's
        ``md`` campaign, ``figures.ml_md``: the schema has filled in the defaults), with
        `given` (the run's seed) on top.

        The protocol's keys that are not settings (``starts``, ``models``, ``paths``) are
        left out; its ``metadynamics``, CVs as {name: atoms}, becomes :class:`Metadynamics`.
        """
        names = {field.name for field in fields(cls)}
        settings = {**{key: value for key, value in protocol.items() if key in names}, **given}
        if settings.get("metadynamics"):
            settings["metadynamics"] = Metadynamics(**settings["metadynamics"])
        return cls(**settings)

    @property
    def n_frames(self) -> int:
        """Frames i-PI writes: every `stride`-th step, step 0 included."""
        return self.steps // self.stride + 1
