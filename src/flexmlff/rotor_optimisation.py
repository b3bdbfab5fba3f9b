"""The paper's optimised rotation path (Sec. II.B.1): at each fixed φ, "the values of θ, θ′,
and a and b that minimize the energy", every other coordinate kept as the driven path has it.

The five rotor coordinates (θ, θ′ in degrees; the two C–N bonds a, a′ and N=N b in Å) are set
on a frame by moving rigid fragments (:func:`set_rotor_coordinates`), and the energy is
minimised over them alone with L-BFGS; its gradient is the calculator's forces projected on
how each coordinate moves the atoms. The other variant, every Cartesian coordinate relaxed but
φ, is :func:`flexmlff.mep.optimise_at_fixed_torsion`.
"""

from __future__ import annotations

import logging

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator

from flexmlff.geometry import AzobenzeneAtoms, azobenzene_coordinates, moving_fragment
from flexmlff.mep import OptimisationResult, freeze_results

log = logging.getLogger(__name__)

#: The coordinates the paper optimised at each φ: θ, θ′ (degrees), a, a′, b (Å).
ROTOR_COORDINATES = ("theta", "theta_prime", "a", "a_prime", "b")
#: Step of the finite differences of the atoms' positions against each coordinate.
_STEP = {"theta": 1e-3, "theta_prime": 1e-3, "a": 1e-5, "a_prime": 1e-5, "b": 1e-5}


def rotor_coordinates(atoms: Atoms, rotor: AzobenzeneAtoms) -> dict[str, float]:
    """θ, θ′ (degrees) and a, a′, b (Å) of `atoms`."""
    values = azobenzene_coordinates(atoms.positions, rotor)
    return {name: float(values[name]) for name in ROTOR_COORDINATES}


def set_rotor_coordinates(atoms: Atoms, rotor: AzobenzeneAtoms, values: dict[str, float]) -> Atoms:
    """A copy of `atoms` with the rotor coordinates in `values` set, each by moving the rigid
    fragment on one side of it (the X1 side for a and θ, the N3 half for b, the X4 side for a′
    and θ′): bond lengths and angles inside the fragments, and φ, stay as they were."""
    out = atoms.copy()
    first = moving_fragment(out, (rotor.n2, rotor.c1))
    second = moving_fragment(out, (rotor.n3, rotor.c4))
    half = moving_fragment(out, (rotor.n2, rotor.n3))
    phi = out.get_dihedral(*rotor.phi)
    out.set_distance(rotor.n2, rotor.n3, values["b"], fix=0, indices=half)
    out.set_distance(rotor.n2, rotor.c1, values["a"], fix=0, indices=first)
    out.set_distance(rotor.n3, rotor.c4, values["a_prime"], fix=0, indices=second)
    # an angle is turned about the normal of its own plane: the dihedral φ does not move
    out.set_angle(rotor.n3, rotor.n2, rotor.c1, values["theta"], indices=first)
    out.set_angle(rotor.n2, rotor.n3, rotor.c4, values["theta_prime"], indices=second)
    out.set_dihedral(*rotor.phi, phi, indices=second)  # round-off only
    return out


def _jacobian(atoms: Atoms, rotor: AzobenzeneAtoms, values: dict[str, float]) -> np.ndarray:
    """d(positions)/d(coordinate), (5, N, 3), by central differences of the geometry."""
    columns = []
    for name in ROTOR_COORDINATES:
        h = _STEP[name]
        up = set_rotor_coordinates(atoms, rotor, {**values, name: values[name] + h}).positions
        down = set_rotor_coordinates(atoms, rotor, {**values, name: values[name] - h}).positions
        columns.append((up - down) / (2 * h))
    return np.array(columns)


def optimise_rotor(
    atoms: Atoms, calc: Calculator, rotor: AzobenzeneAtoms, gtol: float, max_steps: int
) -> tuple[Atoms, OptimisationResult]:
    """Minimise the energy of `atoms` over the rotor coordinates alone (:data:`ROTOR_COORDINATES`),
    everything else as it is. `gtol` bounds the largest component of the energy's gradient
    against them at convergence (eV/Å for a bond, eV/radian for an angle); the result's
    ``max_force_eV_per_A`` is the largest Cartesian force left, which the frozen coordinates
    hold."""
    from scipy.optimize import minimize

    start = rotor_coordinates(atoms, rotor)
    # the optimiser's variables: angles in radians, bonds in Å, so that one gradient tolerance
    # means a comparable force on both
    scale = np.array([np.pi / 180 if name.startswith("theta") else 1.0 for name in ROTOR_COORDINATES])
    x0 = np.array([start[name] for name in ROTOR_COORDINATES]) * scale
    calls = []

    def coordinates(x) -> dict[str, float]:
        return dict(zip(ROTOR_COORDINATES, map(float, np.asarray(x) / scale)))

    def energy_and_gradient(x):
        values = coordinates(x)
        frame = set_rotor_coordinates(atoms, rotor, values)
        frame.calc = calc
        energy, forces = frame.get_potential_energy(), frame.get_forces()
        calls.append(1)
        gradient = -np.einsum("kna,na->k", _jacobian(atoms, rotor, values), forces) / scale
        return energy, gradient

    options = {"gtol": gtol, "maxiter": max_steps}
    found = minimize(energy_and_gradient, x0, jac=True, method="L-BFGS-B", options=options)
    frame = set_rotor_coordinates(atoms, rotor, coordinates(found.x))
    frame.calc = calc
    forces = frame.get_forces()
    result = OptimisationResult(bool(found.success), len(calls), float(np.sqrt((forces**2).sum(axis=-1)).max()))
    log.info(
        "rotor coordinates %s -> %s in %d evaluations (%s)",
        {k: round(v, 3) for k, v in start.items()},
        {k: round(v, 3) for k, v in coordinates(found.x).items()},
        len(calls),
        found.message,
    )
    return freeze_results(frame), result
