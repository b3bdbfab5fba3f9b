"""The memory-bounded GDML solve against the stored kernel it avoids."""

import numpy as np
import pytest

from flexmlff.models import _gdml, gdml_iterative, sgdml_ang  # _gdml: the GDML implementation of sgdml_ang and gdml


@pytest.fixture(scope="module")
def copies(glycine_dataset):
    """Glycine's 40 first frames under sGDML's permutations (more than the identity)."""
    train = glycine_dataset.subset(range(40))
    descriptor = _gdml.make_descriptor("inverse_distances", train)
    perms = _gdml.find_permutations(train)
    assert len(perms) > 1
    return [_gdml.permuted_copies(descriptor, train.R, perm) for perm in perms]


def test_matrix_free_product_and_columns_equal_the_stored_kernel(copies):
    K = _gdml._KernelParts(copies).matrix(10.0)
    kernel = gdml_iterative.KernelOperator(copies, 10.0, lam=1e-3)
    alpha = np.random.default_rng(0).normal(size=K.shape[0])
    assert np.allclose(kernel.matvec(alpha), K @ alpha + 1e-3 * alpha, rtol=1e-10, atol=1e-10 * np.abs(K).max())
    frames = np.array([3, 17, 30])
    rows = (frames[:, None] * kernel.dof + np.arange(kernel.dof)).ravel()
    assert np.allclose(kernel.columns(frames), K[:, rows], atol=1e-12 * np.abs(K).max())


def test_preconditioned_cg_solves_the_closed_form_system(glycine_dataset, copies):
    forces = glycine_dataset.subset(range(40)).F
    exact = _gdml._closed_form(_gdml._KernelParts(copies), forces, 20.0, 1e-10)
    alpha, info = gdml_iterative.solve(copies, forces, 20.0, 1e-10, n_inducing=10, tol=1e-8)
    assert info["converged"] and info["relative_residual"] < 1e-7
    kernel = gdml_iterative.KernelOperator(copies, 20.0, 1e-10)
    # α itself is ill-determined at λ = 1e-10; the forces it reproduces are not
    assert np.allclose(kernel.matvec(alpha.ravel()), kernel.matvec(exact.ravel()), atol=1e-5 * np.abs(forces).max())


def test_training_under_a_memory_cap_uses_cg_and_gives_the_closed_form_model(glycine_dataset):
    train, valid, test = (
        glycine_dataset.subset(range(0, 100)),
        glycine_dataset.subset(range(100, 140)),
        glycine_dataset.subset(range(140, 200)),
    )
    settings = {"sigmas": [20], "descriptor": "inverse_distances", "inducing_frames": 20}
    record = {}
    exact = sgdml_ang.train(train, valid, settings, record=record)
    assert record["solves"] == [{"solver": "cholesky", "sigma": 20.0}]
    n_perms, dof = record["chosen"]["n_permutations"], 30
    closed = gdml_iterative.closed_form_memory_gb(100, dof, n_perms)
    iterative = gdml_iterative.iterative_memory_gb(100, dof, 45, n_perms, 20)
    assert iterative < closed
    record = {}
    capped = sgdml_ang.train(train, valid, {**settings, "max_memory_gb": (closed + iterative) / 2}, record=record)
    (solve,) = record["solves"]
    assert solve["solver"] == "cg" and solve["converged"] and solve["n_inducing"] == 20
    _, exact_forces = sgdml_ang.predict(exact, test.R)
    _, capped_forces = sgdml_ang.predict(capped, test.R)
    # a relative residual of 1e-4 on the training forces: test forces within 0.1 %
    assert np.sqrt(np.mean((capped_forces - exact_forces) ** 2)) < 1e-3 * np.sqrt(np.mean(exact_forces**2))


def test_memory_formulas_match_the_azobenzene_measurements_and_refuse_an_impossible_cap():
    # measured on azobenzene (24 atoms, 276 features, 2 permutations): closed form at n = 400
    # 27.3 GB; conjugate gradients with 50 inducing frames at n = 400 and 800: 3.2 and 5.9 GB
    assert gdml_iterative.closed_form_memory_gb(400, 72, 2) == pytest.approx(27.3, rel=0.05)
    assert gdml_iterative.iterative_memory_gb(400, 72, 276, 2, 50) == pytest.approx(3.2, rel=0.1)
    assert gdml_iterative.iterative_memory_gb(800, 72, 276, 2, 50) == pytest.approx(5.9, rel=0.15)
    assert gdml_iterative.inducing_frames_within(8, 1000, 72, 276, 2) >= 50
    with pytest.raises(MemoryError, match="max_memory_gb = 1"):
        gdml_iterative.inducing_frames_within(1, 1000, 72, 276, 2)
