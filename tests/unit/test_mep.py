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
            ip, iiip, lambda: make_calculator("xtb"), method, n_images=7, fmax=0.05,
            max_steps=400, driving_torsion=quadruple)
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
        ip, iiip, lambda: Flaky(method="GFN2-xTB", verbosity=0), "neb", n_images=7, fmax=0.001,
        max_steps=400, driving_torsion=glycine_torsions["tau1"])
    assert not result.converged and "SCF not converged" in result.failure
    assert 0 < result.steps < 20 and len(images) == 9
    assert np.isfinite([image.get_potential_energy() for image in images]).all()
