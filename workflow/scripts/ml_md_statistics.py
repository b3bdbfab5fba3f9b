"""Every ML-driven MD run in one table, and the runs as statistics against the reference
level's: outcome fractions with Wilson intervals, survival and the coordinate's distribution
(rule ml_md_statistics)."""

import json
from pathlib import Path

import pandas as pd

from flexmlff.md_statistics import statistics_markdown, statistics_table
from flexmlff.plots import ml_md_survival, model_label, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    outcomes = [json.loads(Path(f).read_text()) for f in snakemake.input.outcomes]
    for o in outcomes:
        if o.get("failure") and o["failure_frame"] == 0:
            log.warning(
                "%s from %s, replica %s: failed at its first frame (%s)",
                o["model"],
                o["start"],
                o["replica"],
                o["failure"],
            )
    save_figure(ml_md_survival(outcomes), snakemake.output[:2])
    finals = sorted({name for o in outcomes for name in o["final_deg"]})
    runs = pd.DataFrame(
        [
            {
                "start": o["start"],
                "model": model_label(o.get("drove", o["model"])),
                "replica": o["replica"],
                "seed": o["seed"],
                "best_fold": o["best_fold"],
                "steps": o["steps"],
                "steps_run": o["steps_run"],
                "ends_in": o["ends_in"],
                **{f"final_{name}_deg": round(o["final_deg"].get(name, float("nan")), 1) for name in finals},
                "physical": o["physical"],
                "failure": o["failure"],
                "failure_time_fs": o["failure_time_fs"],
                "max_bond_stretch": round(o["max_bond_stretch"], 2),
                "min_distance_A": round(o["min_distance_A"], 2),
                "steps_per_s": round(o["steps_per_s"], 1),
            }
            for o in outcomes
        ]
    )
    runs["best_fold"] = runs["best_fold"].astype("Int64")  # none for the reference level's runs
    runs.to_csv(snakemake.output.runs, index=False)
    with open(snakemake.output.runs_markdown, "w") as handle:
        # one sentence per molecule's transition coordinate (paths of several molecules may share a table)
        classings = {}
        for o in outcomes:
            key = (
                o["outcome_coordinate"],
                tuple(o["outcome_bands_deg"]),
                o["outcome_signed"],
                tuple(o["outcome_ends_deg"].items()),
            )
            classings.setdefault(key, []).append(o["start"].split(":")[0])
        for (name, (low, high), signed, ends), paths in classings.items():
            measure = (lambda v: v) if signed else abs
            shown = name if signed else f"|{name}|"
            handle.write(
                f"Where each ML-driven MD run from {', '.join(dict.fromkeys(paths))} ended, by the mean {shown} "
                f"over its last 10 % of frames: up to {low:g}° and from {high:g}° the minimum that lies there "
                f"({', '.join(f'{k} {measure(v):.0f}°' for k, v in ends)}), in between 'transition'; the final "
                f"values are those means ({'signed' if signed else 'a dihedral’s magnitude'}). "
            )
        handle.write(
            "Physical: no starting bond stretched beyond 1.5x, no atoms closer than 0.6 Å. Failure: the "
            "first kept frame at which two atoms came closer than 0.6 Å, a starting bond stretched beyond "
            "1.5x, a new bond formed (closer than 1.2x the covalent radii) or an atom left the molecule "
            "(the run ends there), or the temperature exceeded figures.ml_md.max_temperature_factor times "
            "the thermostat's. Model 'reference': the dataset's reference level from the same start and seed."
        )
        if any(o["start"].split(":")[0] in ("inversion", "optimised_rotation") for o in outcomes):
            handle.write(
                " Paper Fig. 9 (50 000 steps, 1000 training points, one run a start): from inversion:7 GAP and "
                "SchNet end trans and sGDML cis; from inversion:9, rotation:8 and rotation:10 all models end "
                "trans, cis and trans."
            )
        handle.write("\n\n" + runs.to_markdown(index=False) + "\n")
    table = statistics_table(outcomes)
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    Path(snakemake.output.markdown).write_text(
        "Fraction of runs from each start ending in each class (a failed run is 'failed', whatever "
        "its end), with 95 % Wilson intervals; * where a model's interval and the reference level's "
        "are disjoint (the table's `verdict`: 'differs'; overlapping: 'undecided'). JS distance: "
        "Jensen–Shannon distance (base 2; 0 the same, 1 disjoint) between the transition coordinate's "
        "distribution over the intact frames of the model's runs and of the reference's (10° bins).\n\n"
        + statistics_markdown(table)
    )
