"""flexmlff's own GDML, over any descriptor: the families ``sgdml_ang`` ([1/r + ang], paper
Sec. IV/V) and ``gdml`` ([1/r], Fig. 6b's like-for-like baseline).

The ``sgdml`` package hard-wires inverse distances, so this is a GDML of our
own over any :class:`flexmlff.descriptors.Descriptor` x(R):

* The energy is a Gaussian process in descriptor space with the Matérn 5/2
  kernel k(x, x') = (1 + √5d/σ + 5d²/3σ²) exp(−√5d/σ), d = |x − x'|.
* Forces F = −∇_R E are its derivative, so their covariance is
  J(R)ᵀ H(x, x') J(R'), with J = dx/dR and H = ∇_x ∇_x'ᵀ k the kernel's Hessian
  H = (5/3σ²)[(1 + √5d/σ) e I − (5/σ²) e (x − x')(x − x')ᵀ], e = exp(−√5d/σ).
* Training solves (K + λI) α = F over the 3N force components of every
  training frame (sGDML's closed-form solver, no energy constraints); when that
  would exceed ``max_memory_gb``, by preconditioned conjugate gradients without
  storing K (:mod:`flexmlff.models.gdml_iterative`).
* The energy is the integral of that force field,
  E(R) = −Σ_j (5/3σ²)(1 + √5d_j/σ) e_j (x − x_j)·v_j + c, with v_j = J_j α_j
  and c the mean residual of the training energies (sGDML's constant).
  Predicted forces are the exact negative gradient of E (torch autograd).
* σ is chosen from a grid by the force RMSE on the validation set, as sGDML does.

* With ``use_sym`` the kernel is symmetrised as sGDML's: the permutations P of
  the training frames that the ``sgdml`` package finds (its bipartite matching
  and group completion) enter one side of every kernel entry,
  k_sym(R, R') = Σ_P k(x(R), x(P R')), so the model is invariant under them.
  Training still solves for one α_j per frame; every permuted copy of a frame
  carries it (v_j^P = J(P R_j) Π_P α_j).

Setting ``descriptor: inverse_distances`` gives sGDML's own model (``sgdml``
with the same ``use_sym``); the tests check that the two agree. Bonds for the
extended descriptor come from the lowest-energy training frame; the symmetries
found there map bonded angles and dihedrals onto each other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.linalg
import torch
from ase import Atoms

from flexmlff.data import Dataset
from flexmlff.descriptors import Descriptor
from flexmlff.models import gdml_iterative
from flexmlff.models._calculator import PredictorCalculator
from flexmlff.models._grid import best_on_validation, force_rmse
from flexmlff.models.gdml_iterative import kernel_weights

log = logging.getLogger(__name__)

DESCRIPTORS = ("extended", "inverse_distances")
SQRT5 = np.sqrt(5.0)
#: Bytes of one prediction batch's differences to the training descriptors (autograd keeps a few).
PREDICT_BATCH_BYTES = 64e6


@dataclass
class GDMLModel:
    """A trained GDML: descriptor, training descriptors x_j, v_j = J_j α_j, σ and c."""

    z: np.ndarray
    descriptor: Descriptor
    x_train: np.ndarray  # (n·P, D): every training frame under each of the P permutations
    v_train: np.ndarray  # (n·P, D)
    sigma: float
    c: float = 0.0

    def torch_energy(self, R: torch.Tensor) -> torch.Tensor:
        """Energies (kcal/mol) of positions R (M, N, 3) in Å, differentiable in R."""
        x = self.descriptor.torch_values(R)  # (M, D)
        x_train, v_train = torch.as_tensor(self.x_train), torch.as_tensor(self.v_train)
        diff = x[:, None, :] - x_train[None]  # (M, n, D)
        d = torch.sqrt((diff * diff).sum(-1) + 1e-300)
        scaled = SQRT5 * d / self.sigma
        weight = (5.0 / (3.0 * self.sigma**2)) * (1.0 + scaled) * torch.exp(-scaled)
        return -(weight * (diff * v_train[None]).sum(-1)).sum(-1) + self.c


def find_permutations(train_set: Dataset) -> np.ndarray:
    """The atom permutations (P, N) under which sGDML symmetrises, found by the ``sgdml``
    package on the training frames (at most 1000 of them, as sGDML does); row 0 is the identity."""
    from flexmlff.sgdml_package import import_sgdml

    import_sgdml()
    from sgdml.utils.perm import find_perms

    R = train_set.R
    if len(R) > 1000:
        R = R[np.random.default_rng(0).choice(len(R), 1000, replace=False)]
    perms = np.asarray(find_perms(R, train_set.z), dtype=int)
    identity = np.arange(len(train_set.z))
    rest = [p for p in perms if not np.array_equal(p, identity)]
    return np.array([identity, *rest])


def permuted_copies(descriptor: Descriptor, R: np.ndarray, perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Descriptors x(P R) and Jacobians J(P R) Π_P of the frames R with their atoms permuted
    by `perm` ((P R)_a = R_perm[a]); the Jacobians' columns in the original atom order."""
    permuted = R[:, perm]
    J = descriptor.jacobians(permuted)
    n, D, _ = J.shape
    in_original_order = np.empty_like(J.reshape(n, D, -1, 3))
    in_original_order[:, :, perm] = J.reshape(n, D, -1, 3)
    return descriptor.values(permuted), in_original_order.reshape(n, D, -1)


class _KernelParts:
    """σ-independent pieces of the force–force kernel of a training set.

    `copies` holds (x, J) of the training frames under each permutation, the
    identity first; kernel entry (i, j) sums over them on j's side. The pieces of
    each copy are computed once and reused for every σ of the grid: one
    (n·3N)² block per permutation is held.
    """

    def __init__(self, copies: list[tuple[np.ndarray, np.ndarray]]):
        x, J = copies[0]
        n, D, dof = J.shape
        self.n, self.dof, self.x, self.J, self.copies = n, dof, x, J, copies
        self.flat = J.transpose(1, 0, 2).reshape(D, n * dof)
        self.own = np.einsum("idc,id->ic", J, x)  # J_iᵀ x_i
        self.pieces = [self._pieces(x_p, J_p) for x_p, J_p in copies]

    def _pieces(self, x_p: np.ndarray, J_p: np.ndarray):
        """J_iᵀ J_j^P, J_iᵀ (x_i − x_j^P), J_j^Pᵀ (x_i − x_j^P) and |x_i − x_j^P|."""
        n, D, dof = J_p.shape
        gram = (self.flat.T @ J_p.transpose(1, 0, 2).reshape(D, n * dof)).reshape(n, dof, n, dof)
        u = self.own[:, None, :] - np.einsum("idc,jd->ijc", self.J, x_p)
        w = np.einsum("jdc,id->ijc", J_p, self.x) - np.einsum("jdc,jd->jc", J_p, x_p)[None]
        return gram, u, w, np.linalg.norm(self.x[:, None] - x_p[None], axis=-1)

    def matrix(self, sigma: float) -> np.ndarray:
        K = np.zeros((self.n, self.dof, self.n, self.dof))
        for gram, u, w, distances in self.pieces:
            a, b = kernel_weights(distances, sigma)
            K += gram * a[:, None, :, None]
            K -= np.einsum("ij,ija,ijb->iajb", b, u, w)
        return K.reshape(self.n * self.dof, self.n * self.dof)


def _closed_form(parts: _KernelParts, forces: np.ndarray, sigma: float, lam: float) -> np.ndarray:
    """α (n, 3N) solving (K + λI) α = F by a Cholesky factorisation of the stored kernel."""
    K = parts.matrix(sigma)
    K[np.diag_indices_from(K)] += lam
    alpha = scipy.linalg.cho_solve(scipy.linalg.cho_factor(K, overwrite_a=True), forces.ravel())
    return alpha.reshape(parts.n, parts.dof)


def _solver(copies: list[tuple[np.ndarray, np.ndarray]], settings: dict):
    """solve(forces, σ) -> (α, what the solve did): closed form, or iterative when the closed
    form's memory would exceed ``max_memory_gb``."""
    n, size, dof = copies[0][1].shape
    cap, closed_gb = settings["max_memory_gb"], gdml_iterative.closed_form_memory_gb(n, dof, len(copies))
    if cap is None or closed_gb <= cap:
        parts = _KernelParts(copies)
        return lambda forces, sigma: (
            _closed_form(parts, forces, sigma, settings["lam"]),
            {"solver": "cholesky", "sigma": float(sigma)},
        )
    m = min(settings["inducing_frames"], gdml_iterative.inducing_frames_within(cap, n, dof, size, len(copies)))
    log.info(
        "closed-form solve would need %.1f GB > max_memory_gb = %s: conjugate gradients with %d inducing "
        "frames (~%.1f GB)",
        closed_gb,
        cap,
        m,
        gdml_iterative.iterative_memory_gb(n, dof, size, len(copies), m),
    )
    return lambda forces, sigma: gdml_iterative.solve(
        copies, forces, sigma, settings["lam"], m, tol=settings["solver_tol"]
    )


def make_descriptor(name: str, train_set: Dataset) -> Descriptor:
    """The named descriptor, its bonds taken from the lowest-energy training frame."""
    if name == "inverse_distances":
        return Descriptor.inverse_distances(len(train_set.z))
    if name == "extended":
        lowest = int(np.argmin(train_set.E))
        return Descriptor.extended(Atoms(numbers=train_set.z, positions=train_set.R[lowest]))
    raise ValueError(f"models.sgdml_ang.descriptor: unknown descriptor {name!r} (known: {', '.join(DESCRIPTORS)})")


def train(
    train_set: Dataset, validation: Dataset, settings: dict, threads: int = 1, record: dict | None = None
) -> GDMLModel:
    """Train GDML on `train_set` for every σ of the grid; keep the best on `validation`.

    `record`, when given, receives ``scan`` (the validation force RMSE of every σ),
    ``solves`` (each σ's solver and, for CG, its iterations and residual) and ``chosen``
    (the σ kept).
    """
    s = settings  # every default filled in (flexmlff.models.sgdml_ang.train)
    torch.set_num_threads(threads)
    descriptor = make_descriptor(s["descriptor"], train_set)
    log.info(
        "descriptor %s: %d features (%d angles, %d dihedrals)",
        s["descriptor"],
        descriptor.size,
        len(descriptor.angles),
        len(descriptor.dihedrals),
    )
    perms = find_permutations(train_set) if s["use_sym"] else np.arange(len(train_set.z))[None]
    log.info("%d permutation(s) of the atoms symmetrise the kernel", len(perms))
    copies = [permuted_copies(descriptor, train_set.R, perm) for perm in perms]
    solve = _solver(copies, s)
    x_copies = np.concatenate([x_p for x_p, _ in copies])
    solves = []

    def fit(sigma):
        alpha, solved = solve(train_set.F, sigma)
        solves.append(solved)
        v_copies = np.concatenate([np.einsum("jdc,jc->jd", J_p, alpha) for _, J_p in copies])
        model = GDMLModel(train_set.z, descriptor, x_copies, v_copies, float(sigma))
        energies, _ = predict(model, train_set.R)
        model.c = float(np.mean(train_set.E - energies))
        return model

    model = best_on_validation(
        s["sigmas"],
        fit,
        lambda model: force_rmse(predict(model, validation.R)[1], validation),
        "sigma",
        "GDML",
        log,
        record,
    )
    if record is not None:
        record["solves"] = solves
        record["chosen"]["n_permutations"] = len(perms)
    return model


def predict(
    model: GDMLModel, R: np.ndarray, z: np.ndarray | None = None, batch_size: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3).

    Frames go in batches whose (frames × training copies × features) differences take about
    PREDICT_BATCH_BYTES, so that prediction stays small beside a large model.
    """
    if batch_size is None:
        batch_size = max(1, int(PREDICT_BATCH_BYTES // (8 * model.x_train.size)))
    return energies_and_forces(model.torch_energy, R, batch_size)


def energies_and_forces(torch_energy, R: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Energies of a differentiable ``torch_energy(R)`` and forces −dE/dR by autograd, in
    batches of `batch_size` frames (units as the energy's: kcal/mol, kcal/(mol Å))."""
    energies, forces = [], []
    for start in range(0, len(R), batch_size):
        positions = torch.tensor(np.asarray(R[start : start + batch_size], dtype=float), requires_grad=True)
        energy = torch_energy(positions)
        (gradient,) = torch.autograd.grad(energy.sum(), positions)
        energies.append(energy.detach().numpy())
        forces.append(-gradient.numpy())
    return np.concatenate(energies), np.concatenate(forces)


def to_arrays(model: GDMLModel) -> dict[str, np.ndarray]:
    """The arrays a saved model is made of."""
    return {
        "z": model.z,
        "n_atoms": np.asarray(model.descriptor.n_atoms),
        "angles": model.descriptor.angles,
        "dihedrals": model.descriptor.dihedrals,
        "x_train": model.x_train,
        "v_train": model.v_train,
        "sigma": np.asarray(model.sigma),
        "c": np.asarray(model.c),
    }


def from_arrays(arrays) -> GDMLModel:
    """The model of :func:`to_arrays`' arrays (a mapping, e.g. an open .npz)."""
    descriptor = Descriptor(int(arrays["n_atoms"]), arrays["angles"], arrays["dihedrals"])
    return GDMLModel(
        arrays["z"], descriptor, arrays["x_train"], arrays["v_train"], float(arrays["sigma"]), float(arrays["c"])
    )


def save(model: GDMLModel, path: str | Path) -> None:
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **to_arrays(model))


def load(path: str | Path) -> GDMLModel:
    with np.load(path) as npz:
        return from_arrays(npz)


def calculator(model: GDMLModel) -> PredictorCalculator:
    """An ASE calculator (eV, eV/Å) of the model."""
    return PredictorCalculator(lambda R, z: predict(model, R, z))
