"""Highest point of each path above the start minimum (rule mep_barrier_table)."""

import json

import pandas as pd

from flexmlff.mep import MEP_METHODS, highest_point
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    level = snakemake.params.level
    rows = []
    for method, profile_file, summary_file in zip(
        snakemake.params.methods, snakemake.input.profiles, snakemake.input.summaries
    ):
        profile = pd.read_csv(profile_file)
        with open(summary_file) as handle:
            summary = json.load(handle)
        top = highest_point(profile)
        row = {
            "method": method,
            "level": level.label,
            "converged": summary["converged"],
            # an SCF that failed on the way: a band stopped there, a driven frame kept unrelaxed
            "failure": summary.get("failure") or "",
            "optimiser_steps": summary["steps"],
            "final_max_force_eV_per_A": round(summary["max_force_eV_per_A"], 4),
            "highest_image": int(top["image"]),
            "barrier_kcal_mol": round(float(top["energy_kcal_mol"]), 2),
            "end_minimum_kcal_mol": round(float(profile["energy_kcal_mol"].iloc[-1]), 2),
        }
        row.update({c: round(float(top[c]), 1) for c in profile.columns if c.endswith("_deg")})
        # the literature barrier is the MEP's: a driven path's top is a scan's, not a saddle
        row["paper_PBE_TS_kcal_mol"] = snakemake.params.reference if method in MEP_METHODS else None
        rows.append(row)
    table = pd.DataFrame(rows)
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.csv, index=False)
    with open(snakemake.output.markdown, "w") as handle:
        handle.write(
            f"Highest point of each {snakemake.wildcards.molecule} path (minimum-energy paths by "
            "method, then the driven paths by name) above the start minimum (kcal/mol); torsions of "
            "that image in degrees.\n\n"
        )
        handle.write(table.astype(object).fillna("").to_markdown(index=False) + "\n")
