"""GDML with the extended descriptor ``[1/r + ang]`` of paper Sec. IV/V.

The ``sgdml`` package hard-wires inverse distances, so this is a GDML of our
own over any :class:`flexmlff.descriptors.Descriptor` x(R):

* The energy is a Gaussian process in descriptor space with the Matérn 5/2
  kernel k(x, x') = (1 + √5d/σ + 5d²/3σ²) exp(−√5d/σ), d = |x − x'|.
* Forces F = −∇_R E are its derivative, so their covariance is
  J(R)ᵀ H(x, x') J(R'), with J = dx/dR and H = ∇_x ∇_x'ᵀ k the kernel's Hessian
  H = (5/3σ²)[(1 + √5d/σ) e I − (5/σ²) e (x − x')(x − x')ᵀ], e = exp(−√5d/σ).
* Training solves (K + λI) α = F over the 3N force components of every
  training frame (sGDML's closed-form solver, no energy constraints).
* The energy is the integral of that force field,
  E(R) = −Σ_j (5/3σ²)(1 + √5d_j/σ) e_j (x − x_j)·v_j + c, with v_j = J_j α_j
  and c the mean residual of the training energies (sGDML's constant).
  Predicted forces are the exact negative gradient of E (torch autograd).
* σ is chosen from a grid by the force RMSE on the validation set, as sGDML does.

Setting ``descriptor: inverse_distances`` gives sGDML's own model without
permutational symmetries (``sgdml`` with ``use_sym=False``); the tests check
that the two agree. Symmetrisation over atom permutations is not implemented.
Bonds for the extended descriptor come from the lowest-energy training frame.
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
from flexmlff.models._calculator import PredictorCalculator

log = logging.getLogger(__name__)

#: Settings understood by :func:`train` (config section ``models.sgdml_ang``).
DEFAULTS = {"descriptor": "extended", "sigmas": [2, 5, 10, 20, 40, 80, 160], "lam": 1e-10}
DESCRIPTORS = ("extended", "inverse_distances")
SQRT5 = np.sqrt(5.0)


@dataclass
class GDMLModel:
    """A trained GDML: descriptor, training descriptors x_j, v_j = J_j α_j, σ and c."""

    z: np.ndarray
    descriptor: Descriptor
    x_train: np.ndarray  # (n, D)
    v_train: np.ndarray  # (n, D)
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


def _kernel_weights(d: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """a(d), b(d) of the Hessian H = a I − b (x − x')(x − x')ᵀ of the Matérn 5/2 kernel."""
    e = np.exp(-SQRT5 * d / sigma)
    return (5.0 / (3.0 * sigma**2)) * (1.0 + SQRT5 * d / sigma) * e, (25.0 / (3.0 * sigma**4)) * e


class _KernelParts:
    """σ-independent pieces of the force–force kernel of a training set."""

    def __init__(self, x: np.ndarray, J: np.ndarray):
        n, D, dof = J.shape
        self.n, self.dof, self.x, self.J = n, dof, x, J
        flat = J.transpose(1, 0, 2).reshape(D, n * dof)
        self.gram = (flat.T @ flat).reshape(n, dof, n, dof)  # J_iᵀ J_j
        Jx = np.einsum("idc,jd->icj", J, x)  # J_iᵀ x_j, (n, dof, n)
        own = np.einsum("ici->ic", Jx)
        self.u = own[:, None, :] - Jx.transpose(0, 2, 1)  # J_iᵀ (x_i − x_j), (n, n, dof)
        self.w = Jx.transpose(2, 0, 1) - own[None, :, :]  # J_jᵀ (x_i − x_j), (n, n, dof)
        self.distances = np.linalg.norm(x[:, None] - x[None], axis=-1)

    def matrix(self, sigma: float) -> np.ndarray:
        a, b = _kernel_weights(self.distances, sigma)
        K = self.gram * a[:, None, :, None]
        K -= np.einsum("ij,ija,ijb->iajb", b, self.u, self.w)
        return K.reshape(self.n * self.dof, self.n * self.dof)


def _fit(parts: _KernelParts, forces: np.ndarray, sigma: float, lam: float) -> np.ndarray:
    """v_j = J_j α_j for the coefficients α solving (K + λI) α = F."""
    K = parts.matrix(sigma)
    K[np.diag_indices_from(K)] += lam
    alpha = scipy.linalg.cho_solve(scipy.linalg.cho_factor(K, overwrite_a=True), forces.ravel())
    return np.einsum("jdc,jc->jd", parts.J, alpha.reshape(parts.n, parts.dof))


def make_descriptor(name: str, train_set: Dataset) -> Descriptor:
    """The named descriptor, its bonds taken from the lowest-energy training frame."""
    if name == "inverse_distances":
        return Descriptor.inverse_distances(len(train_set.z))
    if name == "extended":
        lowest = int(np.argmin(train_set.E))
        return Descriptor.extended(Atoms(numbers=train_set.z, positions=train_set.R[lowest]))
    raise ValueError(f"models.sgdml_ang.descriptor: unknown descriptor {name!r} (known: {', '.join(DESCRIPTORS)})")


def train(train_set: Dataset, validation: Dataset, settings: dict | None = None, threads: int = 1,
          record: dict | None = None) -> GDMLModel:
    """Train GDML on `train_set` for every σ of the grid; keep the best on `validation`.

    `record`, when given, receives ``scan`` (the validation force RMSE of every σ)
    and ``chosen`` (the σ kept).
    """
    s = {**DEFAULTS, **(settings or {})}
    torch.set_num_threads(threads)
    descriptor = make_descriptor(s["descriptor"], train_set)
    log.info("descriptor %s: %d features (%d angles, %d dihedrals)", s["descriptor"], descriptor.size,
             len(descriptor.angles), len(descriptor.dihedrals))
    x = descriptor.values(train_set.R)
    parts = _KernelParts(x, descriptor.jacobians(train_set.R))
    best, scan = None, []
    for sigma in s["sigmas"]:
        model = GDMLModel(train_set.z, descriptor, x, _fit(parts, train_set.F, sigma, s["lam"]), float(sigma))
        energies, _ = predict(model, train_set.R)
        model.c = float(np.mean(train_set.E - energies))
        _, forces = predict(model, validation.R)
        rmse = float(np.sqrt(np.mean((forces - validation.F) ** 2)))
        log.info("GDML sigma=%s: validation force RMSE %.4f kcal/(mol A)", sigma, rmse)
        scan.append({"sigma": sigma, "valid_force_rmse": rmse})
        if best is None or rmse < best[0]:
            best = (rmse, model)
    log.info("GDML chose sigma=%s (validation force RMSE %.4f)", best[1].sigma, best[0])
    if record is not None:
        record.update(scan=scan, chosen={"sigma": best[1].sigma, "valid_force_rmse": best[0]})
    return best[1]


def predict(model: GDMLModel, R: np.ndarray, z: np.ndarray | None = None,
            batch_size: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3)."""
    energies, forces = [], []
    for start in range(0, len(R), batch_size):
        positions = torch.tensor(np.asarray(R[start:start + batch_size], dtype=float), requires_grad=True)
        energy = model.torch_energy(positions)
        (gradient,) = torch.autograd.grad(energy.sum(), positions)
        energies.append(energy.detach().numpy())
        forces.append(-gradient.numpy())
    return np.concatenate(energies), np.concatenate(forces)


def save(model: GDMLModel, path: str | Path) -> None:
    with open(path, "wb") as handle:
        np.savez_compressed(handle, z=model.z, n_atoms=model.descriptor.n_atoms, angles=model.descriptor.angles,
                            dihedrals=model.descriptor.dihedrals, x_train=model.x_train,
                            v_train=model.v_train, sigma=model.sigma, c=model.c)


def load(path: str | Path) -> GDMLModel:
    with np.load(path) as npz:
        descriptor = Descriptor(int(npz["n_atoms"]), npz["angles"], npz["dihedrals"])
        return GDMLModel(npz["z"], descriptor, npz["x_train"], npz["v_train"], float(npz["sigma"]), float(npz["c"]))


def calculator(model: GDMLModel) -> PredictorCalculator:
    """An ASE calculator (eV, eV/Å) of the model."""
    return PredictorCalculator(lambda R, z: predict(model, R, z))
