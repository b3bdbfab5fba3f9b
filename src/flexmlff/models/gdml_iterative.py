"""A memory-bounded solve of GDML's (K + λI) α = F: conjugate gradients, Nyström-preconditioned.

The closed-form solve stores the (n·3N)² force kernel, and for the σ grid one more such block
per permutation: 41 GB a copy for azobenzene at n = 1000. Here the kernel is never stored.

* **K α without K.** With v_j^P = J_j^P α_j and d_ij^P = x_i − x_j^P, the kernel's Hessian
  H = a I − b d dᵀ gives
  (K α)_i = J_iᵀ Σ_P Σ_j [a_ij^P v_j^P − b_ij^P (d_ij^P · v_j^P) d_ij^P],
  a few (n × n)(n × D) products per permutation: O(P n² D) time, O(P n²) memory.
* **Preconditioner.** The columns of K for m inducing frames (farthest apart in descriptor
  space), C = K[:, m], give the Nyström approximation K ≈ C W⁻¹ Cᵀ = U Λ Uᵀ, W = K[m, m].
  Its inverse on that subspace and the identity off it,
  P⁻¹ = U diag((Λ_min + λ)/(Λ + λ)) Uᵀ + (I − U Uᵀ),
  is the Nyström PCG preconditioner of Frangella, Tropp & Udell (SIAM J. Matrix Anal. Appl.
  44, 718 (2023)). It holds two (n·3N) × (m·3N) arrays; m follows from the memory cap.
* CG stops at a relative residual ``tol`` of the force labels (sgdml's iterative solver
  stops at 1e-4 too).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

log = logging.getLogger(__name__)

SQRT5 = np.sqrt(5.0)
GB = 1e9
#: Bytes a chunk of (frames × frames × descriptor) differences may take.
CHUNK_BYTES = 256e6
#: A training process's memory beside the solve: Python, torch, the data, prediction batches (GB).
PROCESS_GB = 1.0
#: (n·3N) × (m·3N) arrays the preconditioner holds at its peak (C, then U beside it).
PRECONDITIONER_COPIES = 2
#: Nyström eigenvalues below this fraction of the largest are dropped (numerically zero).
RANK_CUTOFF = 1e-12
#: Diagonal shift of W = K[m, m] before its Cholesky factorisation, relative to its mean diagonal.
JITTER = 1e-8


def kernel_weights(d: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """a(d), b(d) of the Hessian H = a I − b (x − x')(x − x')ᵀ of the Matérn 5/2 kernel."""
    e = np.exp(-SQRT5 * d / sigma)
    return (5.0 / (3.0 * sigma**2)) * (1.0 + SQRT5 * d / sigma) * e, (25.0 / (3.0 * sigma**4)) * e


def _row_chunks(n_rows: int, n_cols: int, width: int):
    """Slices of rows such that rows × n_cols × width doubles stay under CHUNK_BYTES."""
    step = max(1, int(CHUNK_BYTES // (8 * max(1, n_cols) * max(1, width))))
    return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]


def pair_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """|x_i − y_j| for all i, j, exactly (no ‖x‖² + ‖y‖² − 2x·y cancellation), in chunks."""
    out = np.empty((len(x), len(y)))
    for rows in _row_chunks(len(x), len(y), x.shape[1]):
        out[rows] = np.linalg.norm(x[rows, None] - y[None], axis=-1)
    return out


def closed_form_memory_gb(n_train: int, n_dof: int, n_permutations: int) -> float:
    """Peak memory of a training process with the closed-form solve: one σ-independent block per
    permutation, the kernel, and a temporary of its size while it is summed (azobenzene, two
    permutations, n = 400: 27.3 GB measured, 27.5 GB by this formula)."""
    return PROCESS_GB + (n_permutations + 2) * (n_train * n_dof) ** 2 * 8 / GB


def iterative_memory_gb(n_train: int, n_dof: int, size: int, n_permutations: int, n_inducing: int) -> float:
    """Peak memory of a training process with the iterative solve: descriptors and Jacobians of
    every permuted copy, the a, b weights, the preconditioner's arrays and working chunks
    (azobenzene, n = 400 and 800, 50 inducing frames: 3.2 and 5.9 GB measured, 3.3 and 5.1 GB
    by this formula)."""
    copies = n_permutations * n_train * size * (n_dof + 1)
    weights = 3 * n_permutations * n_train**2
    preconditioner = PRECONDITIONER_COPIES * (n_train * n_dof) * (n_inducing * n_dof)
    # working chunks of the kernel's columns and of the distances, never more than the whole
    chunks = min(CHUNK_BYTES, 8 * n_train * max(1, n_inducing) * (size + 2 * n_dof**2)) + min(
        CHUNK_BYTES, 8 * n_train**2 * size
    )
    return PROCESS_GB + (8 * (copies + weights + preconditioner) + chunks) / GB


def inducing_frames_within(max_memory_gb: float, n_train: int, n_dof: int, size: int, n_permutations: int) -> int:
    """The most inducing frames whose preconditioner keeps the solve under `max_memory_gb`."""
    fixed = iterative_memory_gb(n_train, n_dof, size, n_permutations, 0)
    per_frame = iterative_memory_gb(n_train, n_dof, size, n_permutations, 1) - fixed
    m = int((max_memory_gb - fixed) // per_frame)
    if m < 1:
        raise MemoryError(
            f"max_memory_gb = {max_memory_gb} GB is below the iterative solver's fixed "
            f"{fixed:.2f} GB at n = {n_train}; raise it"
        )
    return min(m, n_train)


def farthest_frames(x: np.ndarray, m: int) -> np.ndarray:
    """Indices of `m` frames picked greedily farthest from those already picked (descriptor space),
    starting from frame 0: inducing points that cover the training set."""
    picked = [0]
    nearest = np.linalg.norm(x - x[0], axis=1)
    for _ in range(1, m):
        picked.append(int(np.argmax(nearest)))
        nearest = np.minimum(nearest, np.linalg.norm(x - x[picked[-1]], axis=1))
    return np.sort(np.array(picked))


class KernelOperator:
    """K + λI of GDML's force kernel as a matrix-free operator on α (n·3N,).

    `copies` holds (x, J) of the training frames under each permutation, the identity first;
    kernel entry (i, j) sums over them on j's side, as the closed-form kernel does.
    """

    def __init__(self, copies: list[tuple[np.ndarray, np.ndarray]], sigma: float, lam: float):
        self.x, self.J = copies[0]
        self.n, self.size, self.dof = self.J.shape
        self.copies, self.sigma, self.lam = copies, float(sigma), float(lam)
        self.weights = [kernel_weights(pair_distances(self.x, x_p), sigma) for x_p, _ in copies]

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n * self.dof, self.n * self.dof)

    def matvec(self, alpha: np.ndarray) -> np.ndarray:
        alpha = np.asarray(alpha).reshape(self.n, self.dof)
        g = np.zeros((self.n, self.size))
        for (x_p, J_p), (a, b) in zip(self.copies, self.weights):
            v = np.einsum("jdc,jc->jd", J_p, alpha)
            # s_ij = d_ij · v_j = x_i · v_j − x_j · v_j, then Σ_j b s (x_i − x_j)
            bs = b * (self.x @ v.T - np.einsum("jd,jd->j", x_p, v)[None])
            g += a @ v - bs.sum(1)[:, None] * self.x + bs @ x_p
        return (np.einsum("idc,id->ic", self.J, g) + self.lam * alpha).ravel()

    def columns(self, frames: np.ndarray) -> np.ndarray:
        """K[:, frames] (without λ) as an (n·3N) × (len(frames)·3N) array."""
        m, dof = len(frames), self.dof
        out = np.zeros((self.n, dof, m, dof))
        J_rows = self.J.transpose(0, 2, 1).reshape(self.n * dof, self.size)  # J_iᵀ stacked
        for (x_p, J_p), (a, b) in zip(self.copies, self.weights):
            J_cols = J_p[frames].transpose(1, 0, 2).reshape(self.size, m * dof)
            for rows in _row_chunks(self.n, m, self.size + 2 * dof * dof):
                r = rows.stop - rows.start
                gram = (J_rows[rows.start * dof : rows.stop * dof] @ J_cols).reshape(r, dof, m, dof)
                out[rows] += gram * a[rows][:, frames][:, None, :, None]
                diff = self.x[rows, None] - x_p[frames][None]  # (r, m, D)
                u = np.matmul(diff, self.J[rows])  # (r, m, dof): J_iᵀ d_ij
                w = np.matmul(diff.transpose(1, 0, 2), J_p[frames]).transpose(1, 0, 2)  # J_j^Pᵀ d_ij
                u *= b[rows][:, frames][..., None]
                out[rows] -= (u[..., :, None] * w[..., None, :]).transpose(0, 2, 1, 3)
        return out.reshape(self.n * dof, m * dof)


def nystrom_preconditioner(kernel: KernelOperator, frames: np.ndarray) -> scipy.sparse.linalg.LinearOperator:
    """P⁻¹ ≈ (K + λI)⁻¹ from the kernel's columns at `frames` (see the module's docstring)."""
    C = kernel.columns(frames)
    rows = (frames[:, None] * kernel.dof + np.arange(kernel.dof)[None]).ravel()
    W = C[rows]
    # W is numerically singular: a jitter of JITTER × its mean diagonal lets Cholesky through
    W[np.diag_indices_from(W)] += JITTER * np.trace(W) / len(W)
    L = scipy.linalg.cholesky(W, lower=True, overwrite_a=True, check_finite=False)
    # B = C L⁻ᵀ, so that B Bᵀ = C W⁻¹ Cᵀ; solved in place in C's memory
    B = scipy.linalg.solve_triangular(L, C.T, lower=True, overwrite_b=True, check_finite=False).T
    lam_hat, V = scipy.linalg.eigh(B.T @ B, check_finite=False)  # B = U Λ^{1/2} Vᵀ
    keep = lam_hat > RANK_CUTOFF * lam_hat.max()
    lam_hat = lam_hat[keep]
    U = B @ (V[:, keep] / np.sqrt(lam_hat))
    del B, C
    scale = (lam_hat.min() + kernel.lam) / (lam_hat + kernel.lam) - 1.0

    def apply(r: np.ndarray) -> np.ndarray:
        r = np.asarray(r).ravel()
        return r + U @ (scale * (U.T @ r))

    return scipy.sparse.linalg.LinearOperator(kernel.shape, matvec=apply, dtype=float)


def solve(
    copies: list[tuple[np.ndarray, np.ndarray]],
    forces: np.ndarray,
    sigma: float,
    lam: float,
    n_inducing: int,
    tol: float = 1e-4,
    max_iterations: int = 5000,
) -> tuple[np.ndarray, dict]:
    """α (n, 3N) solving (K + λI) α = F by preconditioned CG, and what the solve did."""
    start = time.perf_counter()
    kernel = KernelOperator(copies, sigma, lam)
    frames = farthest_frames(kernel.x, n_inducing)
    preconditioner = nystrom_preconditioner(kernel, frames)
    built = time.perf_counter() - start
    operator = scipy.sparse.linalg.LinearOperator(kernel.shape, matvec=kernel.matvec, dtype=float)
    y = np.asarray(forces, dtype=float).ravel()
    iterations = []
    alpha, status = scipy.sparse.linalg.cg(
        operator,
        y,
        rtol=tol,
        atol=0.0,
        maxiter=max_iterations,
        M=preconditioner,
        callback=lambda _: iterations.append(None),
    )
    residual = float(np.linalg.norm(kernel.matvec(alpha) - y) / np.linalg.norm(y))
    info = {
        "solver": "cg",
        "sigma": float(sigma),
        "n_inducing": int(n_inducing),
        "iterations": len(iterations),
        "relative_residual": residual,
        "converged": status == 0,
        "preconditioner_s": round(built, 2),
        "seconds": round(time.perf_counter() - start, 2),
    }
    log.info(
        "GDML sigma=%s: CG %s after %d iterations (relative residual %.1e, %d inducing frames, %.1f s)",
        sigma,
        "converged" if status == 0 else "did NOT converge",
        info["iterations"],
        residual,
        n_inducing,
        info["seconds"],
    )
    return alpha.reshape(kernel.n, kernel.dof), info
