"""A mixture of local sGDML models: the remedy the paper proposes and did not test (Sec. V:
"combine a set of local models into a global one, finding optimal descriptors, training sets,
and models for each part of the PES").

The configuration space is split into regions by bands of one or more of the molecule's
collective variables (the *gate*, e.g. |φ| for azobenzene's rotation, θ for its inversion);
a region of two gate CVs is a cell of their product. One GDML model (flexmlff's own,
symmetrised as sGDML) is trained per region on the training frames inside the region and
within ``overlap_deg`` of it, and each region chooses its own descriptor ([1/r] or
[1/r + ang], as the paper found the mechanisms need different ones) and kernel width on its
own validation frames. The regional energies are blended by a smooth partition of unity of
the gate coordinates, E(x) = Σ_k w_k(x) E_k(x), each band's weight a difference of quintic
smooth steps ``switch_deg`` wide centred on its edges; the forces are −dE/dx by automatic
differentiation, the weights' derivatives included, so that MD with the mixture conserves
energy. Without a gate the mixture is one region: a GDML that picks its descriptor.

The gate names CVs (``gate: [{cv: phi, edges_deg: [60, 120]}]``); the workflow's plan
gives each its atoms from the trained dataset's molecule before a job runs.
"""

from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from flexmlff.models import Family, kernel_training_memory_gb, kernel_training_seconds

log = logging.getLogger(__name__)

#: Seconds to train one GDML at n = 100 (every σ of the default grid) by atom count (sgdml_ang's).
TRAIN_100_S = {10: 11.0, 24: 55.0}
#: Copies of the largest region's (n·3N)² kernel a solve holds (sgdml_ang's).
KERNEL_COPIES = 4

FAMILY = Family(
    name="local_sgdml",
    label="local sGDML mixture",
    colour="#000000",
    model_file="model.npz",
    env="sgdml",
    selection="kernel",
    settings=yaml.safe_load("""
type: object
description: >-
  A mixture of local GDML models over bands of the molecule's collective variables (paper
  Sec. V's proposal): one model per region, each with its own descriptor and kernel width,
  blended by a smooth partition of unity whose derivatives enter the forces.
additionalProperties: false
default: {}
properties:
  gate:
    type: array
    default: []
    description: >-
      The CVs that split the configuration space, each {cv: a collective variable of the
      molecule (angle or dihedral), edges_deg: band edges in degrees, magnitude: a
      dihedral's |value| (default true)}; a region is a cell of the bands' product. []: one
      region.
    items:
      type: object
      additionalProperties: false
      required: [cv, edges_deg]
      properties:
        cv: {type: string}
        edges_deg: {type: array, items: {type: number}, minItems: 1}
        magnitude: {type: boolean, default: true}
        atoms: {type: array, items: {type: integer, minimum: 0}, description: Filled in by the plan.}
  switch_deg:
    type: number
    exclusiveMinimum: 0
    default: 20.0
    description: >-
      Width of each edge's switching region, degrees: the weights go from 0 to 1 over
      edge ± switch_deg/2 (a quintic smooth step). Edges must lie further apart than this.
  overlap_deg:
    type: number
    minimum: 0
    default: 15.0
    description: >-
      A region trains on its own frames and those within this many degrees of it (at least
      the switching half-width, so that every frame a model is weighted on is in its reach).
  min_frames:
    $ref: '#/$defs/positive_int'
    default: 20
    description: >-
      A region with fewer training frames is merged into its neighbour (the band edge between
      them dropped), with a line in the log and the training record.
  descriptors:
    type: array
    items: {type: string, enum: [inverse_distances, extended]}
    minItems: 1
    default: [inverse_distances, extended]
    description: >-
      Descriptors each region tries, keeping the one of lower validation energy and force
      RMSE, each over its baseline ([1/r] and [1/r + ang]; paper Sec. IV: inversion needs the
      first, rotation the second).
  sigmas:
    type: array
    items: {type: number, exclusiveMinimum: 0}
    minItems: 1
    default: [2, 5, 10, 20, 40, 80, 160]
    description: Kernel widths each region tries; the lowest validation force RMSE wins.
  lam: {type: number, exclusiveMinimum: 0, default: 1.0e-10, description: Regularisation strength.}
  use_sym: {type: boolean, default: true, description: Symmetrise each kernel over the atom permutations.}
"""),
    # every region tries every descriptor; the regions split the set (their overlaps aside)
    # and a kernel's cost grows faster than its frames: one full kernel per descriptor bounds it
    # (rotation, n = 100, two regions, two descriptors, four sigmas: 14 s measured)
    training_seconds=lambda n, atoms, settings: (
        len(settings.get("descriptors", [1, 2])) * kernel_training_seconds(TRAIN_100_S, n, atoms)
    ),
    training_memory_gb=lambda n, atoms, settings: kernel_training_memory_gb(KERNEL_COPIES, n, atoms, {}),
    md_steps_per_s=60.0,  # two regional GDMLs at a switching region, sgdml_ang's rate each (estimate)
    threads=8,
)
#: Settings understood by :func:`train` (config section ``models.local_sgdml``).
DEFAULTS = FAMILY.defaults
#: The files whose change makes a training another training.
CODE_FILES = (Path(__file__), Path(__file__).with_name("_gdml.py"))
#: The settings of each regional GDML that come from the mixture's.
GDML_KEYS = ("sigmas", "lam", "use_sym")


def smooth_step(t):
    """0 below 0, 1 above 1, the quintic 6t⁵ − 15t⁴ + 10t³ between: C² at both ends."""
    import torch

    t = torch.clamp(t, 0.0, 1.0)
    return t * t * t * (t * (6.0 * t - 15.0) + 10.0)


@dataclass
class GateAxis:
    """One CV of the gate: its atoms (three: an angle, four: a dihedral), band edges (degrees)
    and whether a dihedral counts by its magnitude."""

    cv: str
    atoms: tuple[int, ...]
    edges_deg: list[float]
    magnitude: bool = True

    def torch_degrees(self, R):
        """The CV (degrees) of positions R (M, N, 3), differentiable in R."""
        import torch

        if len(self.atoms) == 3:
            a, b, c = self.atoms
            u, v = R[:, a] - R[:, b], R[:, c] - R[:, b]
            return torch.rad2deg(torch.atan2(torch.linalg.norm(torch.linalg.cross(u, v), dim=-1), (u * v).sum(-1)))
        a, b, c, d = self.atoms
        b1, b2, b3 = R[:, b] - R[:, a], R[:, c] - R[:, b], R[:, d] - R[:, c]
        n1, n2 = torch.linalg.cross(b1, b2), torch.linalg.cross(b2, b3)
        m1 = torch.linalg.cross(n1, b2 / torch.linalg.norm(b2, dim=-1, keepdim=True))
        phi = torch.rad2deg(torch.atan2((m1 * n2).sum(-1), (n1 * n2).sum(-1)))
        return torch.abs(phi) if self.magnitude else phi

    def degrees(self, R: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.torch_degrees(torch.as_tensor(np.asarray(R, dtype=float))).numpy()

    def torch_band_weights(self, values, switch_deg: float):
        """(M, bands) weights of the bands between edges: a partition of unity in the CV."""
        import torch

        above = [smooth_step((values - edge) / switch_deg + 0.5) for edge in self.edges_deg]  # each edge's step
        steps = [torch.ones_like(values), *above, torch.zeros_like(values)]
        return torch.stack([steps[k] - steps[k + 1] for k in range(len(self.edges_deg) + 1)], dim=-1)

    def bands(self, values: np.ndarray, margin_deg: float = 0.0) -> np.ndarray:
        """(M, bands): whether each value lies in each band widened by `margin_deg` either side."""
        bounds = [-np.inf, *self.edges_deg, np.inf]
        return np.stack(
            [
                (values >= bounds[k] - margin_deg) & (values < bounds[k + 1] + margin_deg)
                for k in range(len(bounds) - 1)
            ],
            axis=-1,
        )


@dataclass
class LocalMixture:
    """Regional GDML models blended over the cells of the gate's bands."""

    z: np.ndarray
    axes: list[GateAxis]
    switch_deg: float
    regions: list = field(default_factory=list)  # GDMLModel per cell, in itertools.product order of bands

    @property
    def cells(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(len(axis.edges_deg) + 1) for axis in self.axes)))

    def torch_weights(self, R):
        """(M, regions) blending weights of positions R: products of each axis's band weights."""
        import torch

        weights = torch.ones(R.shape[0], 1, dtype=R.dtype)
        for axis in self.axes:
            band = axis.torch_band_weights(axis.torch_degrees(R), self.switch_deg)
            weights = (weights[:, :, None] * band[:, None, :]).reshape(R.shape[0], -1)
        return weights

    def torch_energy(self, R):
        """Σ_k w_k(R) E_k(R), kcal/mol; a region whose weight is zero for every frame is not evaluated."""
        weights = self.torch_weights(R)
        energy = 0.0
        for k, region in enumerate(self.regions):
            if bool((weights[:, k] > 0).any()):
                energy = energy + weights[:, k] * region.torch_energy(R)
        return energy


def gate_axes(gate: list[dict]) -> list[GateAxis]:
    """The gate's axes; each entry must carry its CV's atoms (the plan fills them in)."""
    axes = []
    for entry in gate:
        if "atoms" not in entry:
            raise ValueError(f"gate: the CV {entry['cv']!r} has no atoms (the plan gives them)")
        if len(entry["atoms"]) not in (3, 4):
            raise ValueError(f"gate: {entry['cv']!r} is not an angle or a dihedral")
        axes.append(
            GateAxis(entry["cv"], tuple(entry["atoms"]), sorted(entry["edges_deg"]), entry.get("magnitude", True))
        )
    return axes


def check_edges(axes: list[GateAxis], switch_deg: float) -> None:
    """Edges closer than the switching width would make a band's weight negative."""
    for axis in axes:
        gaps = np.diff(axis.edges_deg)
        if len(gaps) and gaps.min() <= switch_deg:
            raise ValueError(
                f"gate: the edges of {axis.cv!r} ({axis.edges_deg}) lie closer than "
                f"switch_deg ({switch_deg:g}); their switching regions would overlap"
            )


def check_settings(settings: dict) -> None:
    """What the plan checks before any job: the gate's edges lie further apart than the
    switching width (the CVs themselves are checked against the molecule by the plan)."""
    s = {**DEFAULTS, **settings}
    check_edges(
        [GateAxis(entry["cv"], tuple(entry.get("atoms", ())), sorted(entry["edges_deg"])) for entry in s["gate"]],
        s["switch_deg"],
    )


def cell_members(axes: list[GateAxis], R: np.ndarray, margin_deg: float) -> np.ndarray:
    """(M, cells): the frames in each cell of the gate, its bands widened by `margin_deg`."""
    members = np.ones((len(R), 1), dtype=bool)
    for axis in axes:
        band = axis.bands(axis.degrees(R), margin_deg)
        members = (members[:, :, None] & band[:, None, :]).reshape(len(R), -1)
    return members


def merge_small_regions(axes: list[GateAxis], R: np.ndarray, min_frames: int, dataset: str) -> list[dict]:
    """Drop band edges until every cell has `min_frames` training frames of its own: the
    smallest cell is merged into its larger neighbour along its axis. Returns what was merged."""
    merged = []
    while any(axis.edges_deg for axis in axes):
        counts = cell_members(axes, R, 0.0).sum(axis=0)
        smallest = int(np.argmin(counts))
        if counts[smallest] >= min_frames:
            break
        cell = list(itertools.product(*(range(len(axis.edges_deg) + 1) for axis in axes)))[smallest]
        # the axis with edges; of its two neighbours' edges, the one towards more frames
        for a, axis in enumerate(axes):
            if not axis.edges_deg:
                continue
            band, n_bands = cell[a], len(axis.edges_deg) + 1
            per_band = axis.bands(axis.degrees(R)).sum(axis=0)
            neighbours = [b for b in (band - 1, band + 1) if 0 <= b < n_bands]
            into = max(neighbours, key=lambda b: per_band[b])
            edge = axis.edges_deg[min(band, into)]
            merged.append(
                {"dataset": dataset, "cv": axis.cv, "band": band, "frames": int(counts[smallest]), "edge_dropped": edge}
            )
            log.warning(
                "%s: region %s of the gate holds %d training frames (< %d): merged into its neighbour "
                "across %s = %g deg",
                dataset,
                cell,
                counts[smallest],
                min_frames,
                axis.cv,
                edge,
            )
            axis.edges_deg = [e for e in axis.edges_deg if e != edge]
            break
    return merged


def train(train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None):
    """One GDML per region of the gate on the region's frames and its overlap, each with the
    descriptor and σ of lowest validation force RMSE on the region's validation frames (all
    validation frames where the region has fewer than 5). `record` receives every region's
    trials (``region_trials``), its frames and choice (``regions``), any merges (``merged``) and the
    mixture's validation force RMSE (``chosen``)."""
    from flexmlff.models import _gdml
    from flexmlff.models._grid import force_rmse

    s = {**DEFAULTS, **(settings or {})}
    axes = gate_axes(s["gate"])
    check_edges(axes, s["switch_deg"])
    merged = merge_small_regions(axes, train_set.R, s["min_frames"], train_set.name)
    margin = max(s["overlap_deg"], s["switch_deg"] / 2)
    training, validating = cell_members(axes, train_set.R, margin), cell_members(axes, validation.R, margin)
    mixture = LocalMixture(train_set.z, axes, s["switch_deg"])
    regions, scan = [], []
    for k, cell in enumerate(mixture.cells):
        own_train = train_set.subset(np.flatnonzero(training[:, k]))
        chosen_validation = (
            validation.subset(np.flatnonzero(validating[:, k])) if validating[:, k].sum() >= 5 else validation
        )
        trials = []
        for descriptor in s["descriptors"]:
            model = _gdml.train(own_train, chosen_validation, {**_gdml_settings(s), "descriptor": descriptor}, threads)
            trials.append({"model": model, "descriptor": descriptor, **validation_score(model, chosen_validation)})
            scan.append({"cell": list(cell), "descriptor": descriptor, "sigma": model.sigma, **trials[-1]})
            del scan[-1]["model"]
            log.info(
                "region %s (%d frames): %s, sigma %g, validation energy RMSE %.3f, force RMSE %.3f (score %.3f)",
                cell,
                len(own_train),
                descriptor,
                model.sigma,
                trials[-1]["valid_energy_rmse"],
                trials[-1]["valid_force_rmse"],
                trials[-1]["score"],
            )
        best = min(trials, key=lambda trial: trial["score"])
        mixture.regions.append(best.pop("model"))
        regions.append(
            {
                "cell": list(cell),
                "train_frames": len(own_train),
                "validation_frames": len(chosen_validation),
                "sigma": mixture.regions[-1].sigma,
                **best,
            }
        )
    if record is not None:
        record["regions"] = regions
        record["region_trials"] = scan
        record["merged"] = merged
        record["gate"] = [{"cv": a.cv, "edges_deg": a.edges_deg, "magnitude": a.magnitude} for a in axes]
        record["chosen"] = {"valid_force_rmse": force_rmse(predict(mixture, validation.R)[1], validation)}
    return mixture


def validation_score(model, validation) -> dict[str, float]:
    """A regional model's validation errors and the score that chooses its descriptor: energy
    and force RMSE each over its baseline (the spread of the region's validation energies about
    their mean; its RMS force), summed. Forces alone would choose [1/r] for a rotation region
    whose energies it misses by several kcal/mol (rotation set, n = 100: 8.5 against ~2)."""
    from flexmlff.models import _gdml

    energies, forces = _gdml.predict(model, validation.R)
    energy_rmse = float(np.sqrt(np.mean((energies - validation.E) ** 2)))
    force_rmse = float(np.sqrt(np.mean((forces - validation.F) ** 2)))
    energy_spread = max(float(np.std(validation.E)), 1e-6)
    force_spread = max(float(np.sqrt(np.mean(validation.F**2))), 1e-6)
    return {
        "valid_energy_rmse": energy_rmse,
        "valid_force_rmse": force_rmse,
        "score": energy_rmse / energy_spread + force_rmse / force_spread,
    }


def _gdml_settings(settings: dict) -> dict:
    """A regional GDML's settings: the mixture's kernel settings over sgdml_ang's defaults."""
    from flexmlff.models.sgdml_ang import DEFAULTS as GDML_DEFAULTS

    return {**GDML_DEFAULTS, **{key: settings[key] for key in GDML_KEYS}}


def predict(model: LocalMixture, R: np.ndarray, z=None, batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) = −dE/dR in kcal/(mol Å)."""
    from flexmlff.models._gdml import energies_and_forces

    return energies_and_forces(model.torch_energy, R, batch_size)


def save(model: LocalMixture, path) -> None:
    """One .npz: the gate as JSON and each region's GDML arrays under ``region<k>_``."""
    from flexmlff.models import _gdml

    gate = {
        "switch_deg": model.switch_deg,
        "axes": [
            {"cv": a.cv, "atoms": list(a.atoms), "edges_deg": a.edges_deg, "magnitude": a.magnitude} for a in model.axes
        ],
    }
    arrays = {"z": model.z, "gate": np.asarray(json.dumps(gate))}
    for k, region in enumerate(model.regions):
        arrays.update({f"region{k}_{key}": value for key, value in _gdml.to_arrays(region).items()})
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def load(path) -> LocalMixture:
    from flexmlff.models import _gdml

    with np.load(path) as npz:
        gate = json.loads(str(npz["gate"]))
        axes = [GateAxis(a["cv"], tuple(a["atoms"]), a["edges_deg"], a["magnitude"]) for a in gate["axes"]]
        mixture = LocalMixture(npz["z"], axes, gate["switch_deg"])
        mixture.regions = [
            _gdml.from_arrays({key.split("_", 1)[1]: npz[key] for key in npz.files if key.startswith(f"region{k}_")})
            for k in range(len(mixture.cells))
        ]
    return mixture


def calculator(model: LocalMixture):
    from flexmlff.models._calculator import PredictorCalculator

    return PredictorCalculator(lambda R, z: predict(model, R, z))
