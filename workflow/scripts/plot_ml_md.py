"""Fig. 9: the monitored coordinate along the first replica of every ML-driven MD run and the
reference level's (rule plot_fig9_ml_md)."""

import json
from pathlib import Path

from flexmlff.plots import ml_md_traces, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    outcomes = [json.loads(Path(f).read_text()) for f in snakemake.input.outcomes]
    save_figure(ml_md_traces(outcomes), snakemake.output[:2])
    log.info("drew %d runs from %d starts", len(outcomes), len({o["start"] for o in outcomes}))
