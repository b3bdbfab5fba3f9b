import numpy as np
import pytest
from ase.build import minimize_rotation_and_translation

from flexmlff import geometry, mep
from flexmlff.calculators import make_calculator
from flexmlff.units import ev_to_kcal_mol


@pytest.fixture(scope="module")
def minima(glycine_ip, glycine_iiip):
    calc = lambda: make_calculator("xtb")  # noqa: E731
    ip, result_ip = mep.relax(glycine_ip, calc(), fmax=0.01, max_steps=300)
    iiip, result_iiip = mep.relax(glycine_iiip, calc(), fmax=0.01, max_steps=300)
    assert result_ip.converged and result_iiip.converged
    return ip, iiip


def test_relaxed_minima_keep_their_conformation(minima, glycine_ip, glycine_torsions):
    ip, iiip = minima
    torsions = glycine_torsions
    assert abs(geometry.dihedral(ip.positions, torsions["tau1"])) == pytest.approx(180.0, abs=5.0)
    assert geometry.dihedral(iiip.positions, torsions["tau1"]) == pytest.approx(0.0, abs=5.0)
    assert np.abs(ip.get_forces()).max() < 0.01
    # Ip is glycine's global minimum; GFN2-xTB puts IIIp about 1.2 kcal/mol above it
    gap = ev_to_kcal_mol(iiip.get_potential_energy() - ip.get_potential_energy())
    assert 0.3 < gap < 3.0


def test_torsion_interpolation_hits_both_ends_with_even_steps(minima, glycine_torsions):
    ip, iiip = minima
    quadruple = glycine_torsions["tau1"]
    frames = mep.interpolate_torsion(ip, iiip, quadruple, n_images=5)
    assert len(frames) == 7
    assert np.allclose(frames[0].positions, ip.positions)
    aligned = iiip.copy()
    minimize_rotation_and_translation(ip, aligned)
    assert np.allclose(frames[-1].positions, aligned.positions, atol=1e-8)
    taus = np.unwrap(np.radians([geometry.dihedral(f.positions, quadruple) for f in frames]))
    steps = np.degrees(np.diff(taus))
    assert np.allclose(np.abs(steps), 30.0, atol=3.0) and (np.sign(steps) == np.sign(steps[0])).all()
    # no atom pair collapses on the way (a Cartesian interpolation would merge the two oxygens)
    assert min(f.get_all_distances()[np.triu_indices(len(f), 1)].min() for f in frames) > 0.9


def test_neb_and_string_agree_on_the_glycine_barrier(minima, glycine_torsions):
    ip, iiip = minima
    quadruple = glycine_torsions["tau1"]
    barriers = {}
    for method in ("neb", "string"):
        images, result = mep.minimum_energy_path(
            ip,
            iiip,
            lambda: make_calculator("xtb"),
            method,
            n_images=7,
            fmax=0.05,
            max_steps=400,
            driving_torsion=quadruple,
        )
        assert result.converged and len(images) == 9
        profile = mep.path_profile(images, glycine_torsions)
        assert profile["energy_kcal_mol"].iloc[0] == 0.0
        barriers[method] = mep.highest_point(profile)["energy_kcal_mol"]
    assert 0.5 < barriers["neb"] < 10.0
    assert barriers["neb"] == pytest.approx(barriers["string"], abs=0.3)


def test_a_failing_calculation_ends_the_band_with_a_report(minima, glycine_torsions):
    """A band driven into nonsense makes the SCF fail (azobenzene): not a crash but a report."""
    from ase.calculators.calculator import CalculationFailed

    ip, iiip = minima
    budget = {"calls": 0}

    class Flaky(type(make_calculator("xtb"))):
        def calculate(self, *args, **kwargs):
            budget["calls"] += 1
            if budget["calls"] == 60:  # one image of a band update fails, as the SCF can
                raise CalculationFailed("SCF not converged in 250 cycles")
            super().calculate(*args, **kwargs)

    images, result = mep.minimum_energy_path(
        ip,
        iiip,
        lambda: Flaky(method="GFN2-xTB", verbosity=0),
        "neb",
        n_images=7,
        fmax=0.001,
        max_steps=400,
        driving_torsion=glycine_torsions["tau1"],
    )
    assert not result.converged and "SCF not converged" in result.failure
    assert 0 < result.steps < 20 and len(images) == 9
    assert np.isfinite([image.get_potential_energy() for image in images]).all()


@pytest.fixture(scope="module")
def alanine_dipeptide_minima():
    """C7eq and C7ax of alanine dipeptide as the example config builds them (unrelaxed)."""
    from flexmlff.building import build_geometry

    smiles, phi, psi = "CC(=O)N[C@@H](C)C(=O)NC", (1, 3, 4, 6), (3, 4, 6, 8)
    return (
        build_geometry(smiles, {phi: -83.0, psi: 73.0}, seed=1),
        build_geometry(smiles, {phi: 73.0, psi: -58.0}, seed=1),
        phi,
        psi,
    )


def test_two_dihedrals_turn_together_in_even_steps(alanine_dipeptide_minima):
    c7eq, c7ax, phi, psi = alanine_dipeptide_minima
    frames = mep.interpolate_dihedrals(c7eq, c7ax, [phi, psi], n_images=3)
    values = np.array([[geometry.dihedral(f.positions, q) for q in (phi, psi)] for f in frames])
    # phi -83 -> 73 and psi 73 -> -58, the shortest way, a quarter of the turn per frame
    np.testing.assert_allclose(values[:, 0], [-83, -44, -5, 34, 73], atol=0.5)
    np.testing.assert_allclose(values[:, 1], [73, 40.25, 7.5, -25.25, -58], atol=0.5)
    # no heavy atoms collide (at phi, psi ~ 0 the acetyl O meets the amide H: the constrained
    # optimisation of a driven path moves it away)
    heavy = [i for i, z in enumerate(c7eq.numbers) if z > 1]
    assert min(f[heavy].get_all_distances()[np.triu_indices(len(heavy), 1)].min() for f in frames) > 1.1
    # one dihedral, as blended, is the MEP's driving torsion
    one = mep.interpolate_dihedrals(c7eq, c7ax, [phi], n_images=3, impose=False)
    np.testing.assert_allclose(one[2].positions, mep.interpolate_torsion(c7eq, c7ax, phi, 3)[2].positions)


def test_a_driven_path_relaxes_each_frame_at_its_driven_values(alanine_dipeptide_minima):
    c7eq, c7ax, phi, psi = alanine_dipeptide_minima
    plain, _ = mep.driven_path(c7eq, c7ax, lambda: make_calculator("xtb"), [phi, psi], n_images=1, optimise=False)
    frames, result = mep.driven_path(
        c7eq, c7ax, lambda: make_calculator("xtb"), [phi, psi], n_images=1, fmax=0.05, max_steps=300
    )
    assert len(frames) == 3 and result.converged and result.steps > 0
    middle = frames[1]
    assert geometry.dihedral(middle.positions, phi) == pytest.approx(-5.0, abs=0.1)
    assert geometry.dihedral(middle.positions, psi) == pytest.approx(7.5, abs=0.1)
    # relaxed at those values: lower than the interpolated frame, its residual force small
    assert middle.get_potential_energy() < plain[1].get_potential_energy() - 0.1
    assert result.max_force_eV_per_A < 0.05
    # the end frames are the minima as given, evaluated
    np.testing.assert_allclose(frames[0].positions, c7eq.positions)


def test_a_frame_whose_relaxation_fails_is_kept_as_interpolated_and_reported(alanine_dipeptide_minima):
    """The SCF failing part-way through a frame's constrained relaxation does not end the path."""
    from ase.calculators.calculator import CalculationFailed

    c7eq, c7ax, phi, psi = alanine_dipeptide_minima
    calls = {"n": 0}

    class Flaky(type(make_calculator("xtb"))):
        def calculate(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 4:  # the second step of the middle frame's relaxation
                raise CalculationFailed("SCF not converged in 250 cycles")
            super().calculate(*args, **kwargs)

    frames, result = mep.driven_path(
        c7eq, c7ax, lambda: Flaky(method="GFN2-xTB", verbosity=0), [phi, psi], n_images=1, fmax=0.05, max_steps=300
    )
    assert len(frames) == 3 and not result.converged
    assert result.failure.startswith("frame 1: calculation failed while relaxing") and "SCF not" in result.failure
    plain = mep.interpolate_dihedrals(c7eq, c7ax, [phi, psi], n_images=1)[1]
    np.testing.assert_allclose(frames[1].positions, plain.positions)
    assert np.isfinite(frames[1].get_potential_energy()) and result.max_force_eV_per_A > 0.05
