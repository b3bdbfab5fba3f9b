import numpy as np
import pytest
from sgdml.utils.io import dataset_md5

from flexmlff import data


@pytest.fixture
def small(glycine_dataset):
    subset = glycine_dataset.subset(range(12))
    subset.info = {"source": np.array(["a"] * 6 + ["b"] * 6), "step": np.arange(12)}
    return subset


def test_npz_round_trip_is_exact_and_sgdml_compatible(small, tmp_path):
    path = tmp_path / "set.npz"
    data.write_sgdml_npz(small, path)
    back = data.read_dataset(path)
    for key in "zREF":
        assert np.array_equal(getattr(back, key), getattr(small, key))
    with np.load(path) as npz:
        assert str(npz["e_unit"]) == "kcal/mol" and str(npz["r_unit"]) == "Ang"
        assert npz["E"].shape == (12, 1)
        assert str(npz["md5"]) == dataset_md5(dict(npz)).decode()


def test_extxyz_round_trip_keeps_values_and_sources(small, tmp_path):
    path = tmp_path / "set.extxyz"
    data.write_extxyz(small, path)
    back = data.read_dataset(path)
    assert np.allclose(back.R, small.R, atol=1e-7)
    assert np.allclose(back.E, small.E, atol=1e-7)
    assert np.allclose(back.F, small.F, atol=1e-7)
    assert list(back.info["source"]) == list(small.info["source"])


def write_bare_xyz(dataset, path):
    with open(path, "w") as handle:
        for i in range(len(dataset)):
            handle.write(f"{len(dataset.z)}\n{dataset.E[i]:.8f}\n")
            for symbol, r, f in zip(dataset.symbols, dataset.R[i], dataset.F[i]):
                handle.write(f"{symbol} {r[0]:.8f} {r[1]:.8f} {r[2]:.8f} {f[0]:.8f} {f[1]:.8f} {f[2]:.8f}\n")


def test_reads_the_papers_bare_xyz(small, tmp_path):
    path = tmp_path / "paper.xyz"
    write_bare_xyz(small, path)
    back = data.read_dataset(path)
    assert len(back) == 12
    assert np.array_equal(back.z, small.z)
    assert np.allclose(back.E, small.E, atol=1e-8)
    assert np.allclose(back.F, small.F, atol=1e-8)


def test_nan_energy_is_reported_with_file_and_frame(small, tmp_path):
    small.E[4] = np.nan
    path = tmp_path / "broken.npz"
    data.write_sgdml_npz(small, path)
    with pytest.raises(data.DatasetError, match=r"broken\.npz.*E has NaN.*frame 4"):
        data.read_dataset(path)


def test_frame_with_other_atoms_is_rejected(small, tmp_path):
    path = tmp_path / "mixed.xyz"
    write_bare_xyz(small.subset([0, 1]), path)
    text = path.read_text().splitlines()
    text[-1] = text[-1].replace("H", "C", 1)
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(data.DatasetError, match="mixed.xyz.*different atoms"):
        data.read_dataset(path)


def test_missing_and_non_sgdml_files_are_named(tmp_path):
    with pytest.raises(data.DatasetError, match="nothere.npz: dataset file not found"):
        data.read_dataset(tmp_path / "nothere.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(data.DatasetError, match="other.npz.*missing keys"):
        data.read_dataset(tmp_path / "other.npz")


def test_concatenate_keeps_order_and_refuses_other_molecules(small):
    both = data.concatenate([small.subset([0, 1]), small.subset([5])], "both")
    assert np.array_equal(both.E, small.E[[0, 1, 5]])
    other = small.subset([0])
    other.z = other.z[::-1]
    with pytest.raises(data.DatasetError, match="different atoms"):
        data.concatenate([small, other], "x")


def test_drop_duplicates_keeps_first_occurrences_in_order(small):
    repeated = data.concatenate([small.subset([0, 1, 2]), small.subset([1, 3, 0])], "rep")
    unique, dropped = data.drop_duplicates(repeated)
    assert dropped == 2
    assert np.array_equal(unique.E, small.E[[0, 1, 2, 3]])
    assert list(unique.info["step"]) == [0, 1, 2, 3]


def test_relabel_replaces_labels_in_kcal_mol_and_keeps_geometries(small):
    from ase import Atoms
    from ase.calculators.emt import (
        EMT,  # any ASE calculator: EMT is quick and deterministic
    )

    from flexmlff.units import ev_to_kcal_mol

    calls = []
    again = data.relabel(small.subset(range(3)), EMT(), "EMT", progress=calls.append)
    assert again.theory == "EMT" and calls == [0, 1, 2]
    assert np.array_equal(again.R, small.R[:3]) and list(again.info["step"]) == [0, 1, 2]
    atoms = Atoms(numbers=small.z, positions=small.R[2], calculator=EMT())
    assert again.E[2] == pytest.approx(ev_to_kcal_mol(atoms.get_potential_energy()))
    assert np.allclose(again.F[2], ev_to_kcal_mol(atoms.get_forces()))


def test_concatenate_keeps_the_info_keys_in_order_so_files_are_reproducible(small, tmp_path):
    """A set's order depends on the hash seed: two runs would write different files."""
    keys = ["source", "run", "start", "step", "time_ps", "cluster"]
    parts = []
    for first in (0, 6):
        part = small.subset(range(first, first + 6))
        part.info = {k: np.arange(6) for k in keys}
        parts.append(part)
    parts[1].info = dict(reversed(parts[1].info.items()))
    parts[1].info["only_here"] = np.arange(6)
    both = data.concatenate(parts, "both")
    assert list(both.info) == keys
    data.write_extxyz(both, tmp_path / "set.extxyz")
    header = (tmp_path / "set.extxyz").read_text().splitlines()[1]
    assert [header.index(f"{k}=") for k in keys] == sorted(header.index(f"{k}=") for k in keys)


def _npz_in(small, path, energy_factor, length_factor, e_unit, r_unit):
    """`small` written as an sGDML npz with its values scaled into other units and labelled so."""
    np.savez(
        path,
        z=small.z,
        R=small.R / length_factor,
        E=small.E[:, None] / energy_factor,
        F=small.F / (energy_factor / length_factor),
        e_unit=e_unit,
        r_unit=r_unit,
        theory="PBE0",
    )


@pytest.mark.parametrize("energy, energy_factor", [("eV", 23.060548), ("Hartree", 627.509474), ("kJ/mol", 1 / 4.184)])
def test_stated_energy_units_are_converted_to_kcal_mol(small, tmp_path, energy, energy_factor):
    path = tmp_path / "published.npz"
    _npz_in(small, path, energy_factor, 1.0, energy, "Ang")
    with pytest.raises(data.DatasetError, match=rf"labelled '{energy}' \(the file's e_unit\).*datasets.mine.units"):
        data.read_dataset(path, config_key="datasets.mine.units")
    back = data.read_dataset(path, units={"energy": energy})
    assert np.allclose(back.E, small.E, rtol=1e-6) and np.allclose(back.F, small.F, rtol=1e-6)
    assert np.allclose(back.R, small.R)


def test_bohr_positions_are_converted_and_forces_rescaled(small, tmp_path):
    path = tmp_path / "bohr.npz"
    _npz_in(small, path, 1.0, 0.52917721, "kcal/mol", "au")
    # sGDML's "au" label is the bohr: refused unless stated, never read as Å
    with pytest.raises(data.DatasetError, match=r"length unit labelled 'au' \(the file's r_unit\)"):
        data.read_dataset(path)
    back = data.read_dataset(path, units={"length": "bohr"}, theory="CCSD(T)")
    assert np.allclose(back.R, small.R, rtol=1e-6) and np.allclose(back.F, small.F, rtol=1e-6)
    assert np.allclose(back.E, small.E) and back.theory == "CCSD(T)"


def test_a_wrong_label_is_overridden_by_the_stated_unit(small, tmp_path):
    # kcal/mol and Å data labelled eV and bohr, as some published files are
    path = tmp_path / "mislabelled.npz"
    _npz_in(small, path, 1.0, 1.0, "eV", "au")
    back = data.read_dataset(path, units={"energy": "kcal/mol", "length": "Angstrom"})
    assert np.array_equal(back.E, small.E) and np.array_equal(back.R, small.R)
    assert back.theory == "PBE0"  # the file's own, when none is stated


def test_extxyz_unit_labels_are_checked_too(small, tmp_path):
    path = tmp_path / "ev.extxyz"
    data.write_extxyz(small, path)
    text = path.read_text().replace("energy_unit=kcal/mol", "energy_unit=eV")
    path.write_text(text)
    with pytest.raises(data.DatasetError, match=r"labelled 'eV' \(the file's energy_unit\)"):
        data.read_dataset(path)
    assert np.allclose(data.read_dataset(path, units={"energy": "eV"}).E, small.E * 23.060548, rtol=1e-6)
