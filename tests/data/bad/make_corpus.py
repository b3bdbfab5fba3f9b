"""Writes the bad-input corpus beside this file (run once; the files are committed).

Each file is one mistake a user makes: broken geometries, broken datasets in each
format the workflow reads (extended XYZ, sGDML npz, the paper's bare XYZ), and config overlays
(merged onto tests/config.yaml as ``--configfile`` merges them) with a wrong key, type or reference.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
GLYCINE = (HERE.parents[2] / "resources" / "geometries" / "glycine_Ip.xyz").read_text().splitlines()
ATOMS = GLYCINE[2:]


def xyz(lines, comment="glycine"):
    return "\n".join([str(len(lines)), comment, *lines]) + "\n"


def extxyz_frames(
    n=4, energy=lambda i: -11218.3 + i, nan_force_frame=None, drop_atom_in=None, other_atoms_in=None, forces=True
):
    out = []
    for i in range(n):
        atoms = [line.split() for line in ATOMS]
        if other_atoms_in == i:
            atoms[0][0] = "C"
        rows = [f"{a[0]} {a[1]} {a[2]} {a[3]}" + (" 0.1 -0.2 0.3" if forces else "") for a in atoms]
        if nan_force_frame == i:
            rows[3] = rows[3].rsplit(" ", 1)[0] + " nan"
        count = len(rows)
        if drop_atom_in == i:
            rows = rows[:-1]
        props = "species:S:1:pos:R:3" + (":forces:R:3" if forces else "")
        header = f'Properties={props} energy={energy(i)} energy_unit=kcal/mol pbc="F F F"'
        out += [str(count), header, *rows]
    return "\n".join(out) + "\n"


def paper_format(n=3, energy_of=lambda i: f"{-11218.3 + i}", short_atom_in=None):
    """The paper's bare XYZ: atom count, energy, then 'El x y z fx fy fz' per atom."""
    out = []
    for i in range(n):
        rows = [f"{line} 0.1 -0.2 0.3" for line in ATOMS]
        if short_atom_in == i:
            rows[4] = rows[4].rsplit(" ", 1)[0]
        out += [str(len(rows)), energy_of(i), *rows]
    return "\n".join(out) + "\n"


def npz(path, **overrides):
    z = np.array([7, 6, 6, 8, 8, 1, 1, 1, 1, 1])
    R = np.array([[float(v) for v in line.split()[1:]] for line in ATOMS])
    data = dict(
        z=z,
        R=np.stack([R, R + 0.01, R - 0.01]),
        E=np.array([[-1.0], [-2.0], [-3.0]]),
        F=np.zeros((3, 10, 3)),
        e_unit="kcal/mol",
        r_unit="Ang",
        name="glycine",
        theory="test",
    )
    data.update(overrides)
    np.savez(path, **{k: v for k, v in data.items() if v is not None})


def main():
    g, d, c = HERE / "geometries", HERE / "datasets", HERE / "configs"
    for folder in (g, d, c):
        folder.mkdir(exist_ok=True)
    (g / "unknown_element.xyz").write_text(xyz(["Xx" + ATOMS[0][1:], *ATOMS[1:]]))
    (g / "overlapping_atoms.xyz").write_text(xyz([ATOMS[0], ATOMS[0].replace("N ", "C ", 1), *ATOMS[2:]]))
    (g / "empty.xyz").write_text("")
    (g / "truncated.xyz").write_text(xyz(ATOMS)[: -len(ATOMS[-1]) * 3 - 3])
    (g / "atoms_reordered.xyz").write_text(xyz([ATOMS[1], ATOMS[0], *ATOMS[2:]]))

    (d / "nan_forces.extxyz").write_text(extxyz_frames(nan_force_frame=2))
    (d / "wrong_atom_count.extxyz").write_text(extxyz_frames(drop_atom_in=2))
    (d / "truncated.extxyz").write_text(extxyz_frames()[:-120])
    (d / "no_forces.extxyz").write_text(extxyz_frames(forces=False))
    (d / "other_atoms_in_a_frame.extxyz").write_text(extxyz_frames(other_atoms_in=2))
    npz(d / "energies_in_eV.npz", e_unit="eV")
    npz(d / "forces_of_wrong_shape.npz", F=np.zeros((3, 9, 3)))
    npz(d / "nan_energy.npz", E=np.array([[-1.0], [np.nan], [-3.0]]))
    npz(d / "missing_forces.npz", F=None)
    (d / "not_a_dataset.extxyz").write_text("energy,force\n1,2\n")
    (d / "paper_format_missing_force.xyz").write_text(paper_format(short_atom_in=1))
    (d / "paper_format_bad_energy.xyz").write_text(paper_format(energy_of=lambda i: "n/a" if i == 2 else "-11218.3"))

    overlays = {
        "top_level_typo.yaml": "trainig:\n  sizes: [10]\n",
        "wrong_type.yaml": "molecules:\n  glycine:\n    md:\n      Ip_500K:\n        steps: many\n",
        "unknown_level.yaml": "molecules:\n  glycine:\n    level: gfn9\n",
        "unknown_campaign.yaml": "datasets:\n  glycine:\n    campaigns: [Ip_900K]\n",
        "negative_temperature.yaml": "molecules:\n  glycine:\n    md:\n      Ip_500K:\n        temperature_K: -5\n",
        "unknown_model.yaml": "training:\n  models: [sgdml, nequip]\n",
        "missing_geometry_file.yaml": "molecules:\n  glycine:\n    minima:\n      Ip: no/such/file.xyz\n",
        "cv_unknown_atom.yaml": "molecules:\n  glycine:\n    collective_variables:\n"
        "      tau1: {atoms: [0, 1, 2, 13]}\n",
        "cv_not_bonded.yaml": "molecules:\n  glycine:\n    collective_variables:\n      n_c_o: {atoms: [0, 1, 3]}\n",
        "cv_wrong_elements.yaml": "molecules:\n  azobenzene:\n    collective_variables:\n"
        "      theta: {atoms: [0, 1, 2], pattern: N=N-C}\n",
        "cv_bad_pattern.yaml": "molecules:\n  azobenzene:\n    collective_variables:\n      phi: {pattern: C-N=N=Q}\n",
        "cv_unknown_name.yaml": "molecules:\n  glycine:\n    mep:\n      driving_torsion: tau3\n",
        "settings_on_unknown_key.yaml": "training:\n  settings_on:\n    glycine:\n      gap: {n_sparce: 400}\n",
        "settings_on_wrong_type.yaml": "training:\n  settings_on:\n    glycine:\n      schnet: {max_epochs: many}\n",
        "settings_on_not_trained.yaml": "training:\n  settings_on:\n    rotation:\n      gap: {n_sparse: 400}\n",
    }
    for name, text in overlays.items():
        (c / name).write_text(text)


if __name__ == "__main__":
    main()
