"""Fig. 9: the monitored coordinate along every ML-driven MD run, and where each ended (rule plot_fig9_ml_md)."""

import json
from pathlib import Path

import pandas as pd

from flexmlff.plots import ml_md_traces, model_label, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    outcomes = [json.loads(Path(f).read_text()) for f in snakemake.input.outcomes]
    save_figure(ml_md_traces(outcomes), snakemake.output[:2])
    finals = sorted({name for o in outcomes for name in o["final_deg"]})
    table = pd.DataFrame(
        [
            {
                "start": o["start"],
                "model": model_label(o.get("drove", o["model"])),
                "best_fold": o["best_fold"],
                "steps": o["steps"],
                "ends_in": o["ends_in"],
                **{f"final_{name}_deg": round(o["final_deg"].get(name, float("nan")), 1) for name in finals},
                "physical": o["physical"],
                "failure": o.get("failure", ""),
                "failure_time_fs": o.get("failure_time_fs"),
                "max_bond_stretch": round(o["max_bond_stretch"], 2),
                "min_distance_A": round(o["min_distance_A"], 2),
                "steps_per_s": round(o["steps_per_s"], 1),
            }
            for o in outcomes
        ]
    )
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    with open(snakemake.output.markdown, "w") as handle:
        # one sentence per molecule's transition coordinate (paths of several molecules may share a figure)
        classings = {}
        for o in outcomes:
            classings.setdefault(
                (
                    o["outcome_coordinate"],
                    tuple(o["outcome_bands_deg"]),
                    o["outcome_signed"],
                    tuple(o["outcome_ends_deg"].items()),
                ),
                [],
            ).append(o["start"].split(":")[0])
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
            "1.5x, a new bond formed (closer than 1.2x the covalent radii) or an atom left the molecule."
        )
        if any(o["start"].split(":")[0] in ("inversion", "optimised_rotation") for o in outcomes):
            handle.write(
                " Paper Fig. 9 (50 000 steps, 1000 training points): from inversion:7 GAP and SchNet "
                "end trans and sGDML cis; from inversion:9, rotation:8 and rotation:10 all models end "
                "trans, cis and trans."
            )
        handle.write("\n\n")
        handle.write(table.to_markdown(index=False) + "\n")
