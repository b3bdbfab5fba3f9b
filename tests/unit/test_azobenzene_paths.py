import numpy as np
import pytest
from ase.build import minimize_rotation_and_translation
from ase.io import read
from conftest import GEOMETRIES

from flexmlff import azobenzene_paths, geometry, mep
from flexmlff.calculators import make_calculator
from flexmlff.units import ev_to_kcal_mol

AZOBENZENE_LEVEL = {"method": "GFN1-xTB"}  # the workflow's default for azobenzene


@pytest.fixture(scope="module")
def minima():
    calc = make_calculator("xtb", AZOBENZENE_LEVEL)
    cis, _ = mep.relax(read(GEOMETRIES / "azobenzene_cis.xyz"), calc, fmax=0.01, max_steps=500)
    trans, _ = mep.relax(read(GEOMETRIES / "azobenzene_trans.xyz"), calc, fmax=0.01, max_steps=500)
    return cis, trans


@pytest.fixture(scope="module")
def mechanisms(minima):
    cis, trans = minima
    calc = make_calculator("xtb", AZOBENZENE_LEVEL)
    return {
        m: mep.single_points(azobenzene_paths.azobenzene_path(cis, trans, m, n_images=15), calc)
        for m in azobenzene_paths.MECHANISMS
    }


def coordinates(frames):
    ids = geometry.azobenzene_atoms(frames[0])
    return geometry.azobenzene_coordinates(np.array([f.positions for f in frames]), ids)


@pytest.mark.parametrize("mechanism", azobenzene_paths.MECHANISMS)
def test_every_path_runs_from_cis_to_trans_in_17_frames(minima, mechanisms, mechanism):
    cis, trans = minima
    frames = mechanisms[mechanism]
    assert len(frames) == 17
    assert np.allclose(frames[0].positions, cis.positions)
    aligned = trans.copy()
    minimize_rotation_and_translation(frames[-1], aligned)
    assert np.allclose(frames[-1].positions, aligned.positions, atol=1e-8)
    # a continuous path: no atom jumps between neighbouring frames (a flipped ring would)
    for before, after in zip(frames, frames[1:]):
        assert np.linalg.norm(after.positions - before.positions, axis=1).max() < 1.5
    # no atoms pushed through each other, bonds kept
    for frame in frames:
        distances = frame.get_all_distances()[np.triu_indices(len(frame), 1)]
        assert distances.min() > 0.95
    energies = ev_to_kcal_mol(np.array([f.get_potential_energy() for f in frames]))
    barrier = energies.max() - energies[0]
    assert 10.0 < barrier < 60.0, barrier
    # one barrier: energy rises to the top and falls from it (a glitched frame makes a spike)
    top = int(np.argmax(energies))
    assert (np.diff(energies[: top + 1]) > -0.5).all() and (np.diff(energies[top:]) < 0.5).all()


def test_rotation_drives_phi_evenly_and_keeps_theta(mechanisms):
    c = coordinates(mechanisms["rotation"])
    steps = np.diff(np.unwrap(np.radians(c["phi"])))
    assert np.allclose(np.degrees(steps), np.degrees(steps).mean(), atol=0.5)
    assert abs(np.degrees(steps).sum()) > 160
    assert c["theta"].max() < 130


def test_inversion_passes_through_linear_nnc_at_constant_phi(mechanisms):
    c = coordinates(mechanisms["inversion"])
    assert c["theta"].max() > 174
    assert int(np.argmax(c["theta"])) in (7, 8, 9)
    # φ does not turn: it only changes label (cis ~0°, trans ~180°) at the linear point
    assert np.all(np.abs(geometry.wrap_degrees(c["phi"][:7])) < 20)
    assert np.all(np.abs(geometry.wrap_degrees(c["phi"][10:] - 180)) < 20)


def test_rotation_inversion_drives_both(mechanisms):
    c = coordinates(mechanisms["rotation_inversion"])
    assert c["theta"][8] == pytest.approx(155.0, abs=1.0)
    assert abs(np.degrees(np.diff(np.unwrap(np.radians(c["phi"])))).sum()) > 160


def test_fixed_torsion_optimisation_keeps_phi_and_lowers_energy(mechanisms):
    frame = mechanisms["rotation"][8]
    ids = geometry.azobenzene_atoms(frame)
    relaxed, result = mep.optimise_at_fixed_torsion(
        frame, make_calculator("xtb", AZOBENZENE_LEVEL), ids.phi, fmax=0.05, max_steps=300
    )
    assert result.converged
    assert geometry.dihedral(relaxed.positions, ids.phi) == pytest.approx(
        geometry.dihedral(frame.positions, ids.phi), abs=0.01
    )
    assert relaxed.get_potential_energy() < frame.get_potential_energy()


def test_rotor_coordinates_are_set_by_rigid_fragments_and_phi_is_kept(mechanisms):
    from flexmlff.rotor_optimisation import rotor_coordinates, set_rotor_coordinates

    frame = mechanisms["rotation"][8]
    ids = geometry.azobenzene_atoms(frame)
    start = rotor_coordinates(frame, ids)
    wanted = {**start, "theta": start["theta"] + 7.0, "theta_prime": start["theta_prime"] - 4.0, "a": 1.45, "b": 1.30}
    moved = set_rotor_coordinates(frame, ids, wanted)
    assert rotor_coordinates(moved, ids) == pytest.approx(wanted, abs=1e-6)
    assert geometry.dihedral(moved.positions, ids.phi) == pytest.approx(geometry.dihedral(frame.positions, ids.phi))
    # everything else as it was: each phenyl ring is moved whole
    ring = geometry.moving_fragment(frame, (ids.n2, ids.c1))
    inside = frame.get_all_distances()[np.ix_(ring, ring)]
    assert np.allclose(moved.get_all_distances()[np.ix_(ring, ring)], inside, atol=1e-9)


def test_the_papers_rotor_optimisation_moves_only_its_five_coordinates_to_their_minimum(mechanisms):
    from flexmlff.rotor_optimisation import ROTOR_COORDINATES, optimise_rotor, rotor_coordinates, set_rotor_coordinates

    frame = mechanisms["rotation"][8]
    ids = geometry.azobenzene_atoms(frame)
    calc = make_calculator("xtb", AZOBENZENE_LEVEL)
    optimised, result = optimise_rotor(frame, calc, ids, gtol=1e-3, max_steps=200)
    assert result.converged and optimised.get_potential_energy() < frame.get_potential_energy()
    assert geometry.dihedral(optimised.positions, ids.phi) == pytest.approx(
        geometry.dihedral(frame.positions, ids.phi), abs=1e-6
    )
    # what the frame had and the optimised frame has differ only by its five coordinates
    values = rotor_coordinates(optimised, ids)
    assert np.allclose(set_rotor_coordinates(frame, ids, values).positions, optimised.positions, atol=1e-8)
    # a minimum along each coordinate: a step either way raises the energy
    energy = optimised.get_potential_energy()
    for name in ROTOR_COORDINATES:
        for step in (-0.5, 0.5) if name.startswith("theta") else (-0.005, 0.005):
            nudged = set_rotor_coordinates(frame, ids, {**values, name: values[name] + step})
            nudged.calc = calc
            assert nudged.get_potential_energy() > energy - 1e-6, name
    # the paper's variant relaxes less than every coordinate but phi: its frame lies higher
    everything, _ = mep.optimise_at_fixed_torsion(frame, calc, ids.phi, fmax=0.05, max_steps=300)
    assert everything.get_potential_energy() < optimised.get_potential_energy()
