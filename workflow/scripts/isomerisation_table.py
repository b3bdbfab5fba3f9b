"""Highest point of every azobenzene path above cis, beside the paper's Table I (rule isomerisation_table)."""

import json
from pathlib import Path

import pandas as pd

from flexmlff.mep import highest_point
from flexmlff.paper import PAPER_BARRIERS_KCAL_MOL
from flexmlff.runlog import snakemake_step


def single_point_energies(files):
    """{level: {name: kcal/mol}} from the single-point files, named `minimum_<m>` or `<path>_highest`."""
    energies = {}
    for file in files:
        point = json.loads(Path(file).read_text())
        name = Path(file).stem.removesuffix("_highest")
        energies.setdefault(point["level"], {})[name] = point["energy_kcal_mol"]
    return energies


with snakemake_step(snakemake) as log:
    level_name = snakemake.params.level.label
    rows = []
    for name, path in zip(snakemake.params.paths, snakemake.input.profiles):
        profile = pd.read_csv(path)
        top = highest_point(profile)
        rows.append(
            {
                "path": name,
                "highest_image": int(top["image"]),
                f"dE_{level_name}_kcal_mol": round(float(top["energy_kcal_mol"]), 1),
                # the paper's optimised rotation relaxed theta, theta', a, a' and b alone (relax: paper)
                "dE_paper_PBE_TS_kcal_mol": PAPER_BARRIERS_KCAL_MOL.get(name.removesuffix("_paper"))
                if snakemake.params.relaxed.get(name, "paper") == "paper"
                else None,
                "relaxed": {"all": "all but phi", "paper": "theta, theta', a, a', b"}.get(
                    snakemake.params.relaxed.get(name)
                ),
                "phi_deg": round(float(top["phi_deg"]), 1),
                "theta_deg": round(float(top["theta_deg"]), 1),
                "theta_prime_deg": round(float(top["theta_prime_deg"]), 1),
                "trans_minus_cis_kcal_mol": round(float(profile["energy_kcal_mol"].iloc[-1]), 1),
                "converged": bool(profile["converged"].all()) if "converged" in profile else None,
            }
        )
    for path, summary_file in zip(snakemake.input.mep_profiles, snakemake.input.mep_summaries):
        summary = json.loads(Path(summary_file).read_text())
        top = highest_point(pd.read_csv(path))
        rows.append(
            {
                "path": f"{summary['method']} (cis to trans)",
                "highest_image": int(top["image"]),
                f"dE_{level_name}_kcal_mol": round(float(top["energy_kcal_mol"]), 1),
                "converged": summary["converged"],
                "note": summary.get("failure")
                or (f"{summary['steps']} steps, final max force {summary['max_force_eV_per_A']:.3f} eV/A"),
            }
        )
    table = pd.DataFrame(rows)
    start, end = snakemake.params.ends
    for level, energies in single_point_energies(snakemake.input.single_points).items():
        # "A//B": level A at the geometries of level B
        column = f"{snakemake.params.single_point_levels[level].label}//{level_name}"
        cis = energies[f"minimum_{start}"]
        table[f"dE_{column}_kcal_mol"] = table["path"].map(
            {name: round(energy - cis, 1) for name, energy in energies.items()}
        )
        table[f"trans_minus_cis_{column}_kcal_mol"] = round(energies[f"minimum_{end}"] - cis, 1)
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.csv, index=False)
    with open(snakemake.output.markdown, "w") as handle:
        handle.write(
            f"Highest-energy structure of each cis->trans path of {snakemake.wildcards.molecule}: "
            f"energy above the cis minimum at {level_name} (kcal/mol) beside the paper's PBE+TS "
            "values (Table I; rotation+inversion has two peaks, 27.5 and 27.6; optimised rotation "
            "26.1), and its phi, theta, theta' in degrees. NEB and string rows report whether the "
            "band converged (the paper states they fail for azobenzene). A column 'A//B' holds "
            "single points at level A on the structures of level B.\n\n"
        )
        handle.write(table.astype(object).fillna("").to_markdown(index=False) + "\n")
