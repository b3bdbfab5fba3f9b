import numpy as np

from flexmlff.ipi import energy_and_forces, file_identity


def test_a_model_files_identity_is_its_content(tmp_path):
    (tmp_path / "a").write_bytes(b"weights 1")
    (tmp_path / "b").write_bytes(b"weights 2")
    assert file_identity(tmp_path / "a") != file_identity(tmp_path / "b")
    assert file_identity(tmp_path / "a").startswith("sha256:")


def test_the_client_computes_each_geometry_once_with_the_getters_results(glycine_ip):
    """energy_and_forces, what the i-PI client answers with: one calculation per geometry,
    the same numbers as ASE's getters, and a new calculation after a move."""
    from ase.calculators.emt import EMT

    class CountingEMT(EMT):
        calls = 0

        def calculate(self, *args, **kwargs):
            CountingEMT.calls += 1
            super().calculate(*args, **kwargs)

    atoms = glycine_ip.copy()
    atoms.calc = CountingEMT()
    first = energy_and_forces(atoms)
    energy, forces = first["energy"], first["forces"].copy()
    assert energy_and_forces(atoms)["energy"] == energy and CountingEMT.calls == 1
    reference = glycine_ip.copy()
    reference.calc = EMT()
    assert energy == reference.get_potential_energy()
    np.testing.assert_array_equal(forces, reference.get_forces())
    atoms.positions[0, 0] += 0.05
    assert energy_and_forces(atoms)["energy"] != energy and CountingEMT.calls == 2
