import numpy as np
import pytest

from flexmlff import units


def test_kcal_mol_per_ev_matches_codata():
    assert units.EV_IN_KCAL_MOL == pytest.approx(23.0605, abs=1e-3)
    assert units.HARTREE_IN_KCAL_MOL == pytest.approx(627.5095, abs=1e-3)


def test_conversions_round_trip():
    values = np.array([-1.5, 0.0, 2.25])
    assert np.allclose(units.kcal_mol_to_ev(units.ev_to_kcal_mol(values)), values)
    assert units.hartree_to_kcal_mol(1.0) == pytest.approx(units.ev_to_kcal_mol(27.211386), rel=1e-6)
