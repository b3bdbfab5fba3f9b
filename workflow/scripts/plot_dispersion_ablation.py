"""One family's learning curves with and without dispersion, same CV tasks (rule plot_dispersion_ablation)."""

import pandas as pd

from flexmlff.evaluate import learning_curve
from flexmlff.plots import learning_curve_panels, model_label, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    settings = snakemake.params.settings
    curves = {
        label: learning_curve(pd.read_csv(file), snakemake.params.selection)
        for label, file in (
            (f"{settings['dataset']} (with dispersion)", snakemake.input.with_dispersion),
            (f"{settings['without_dispersion']} (without)", snakemake.input.without_dispersion),
        )
    }
    table = pd.concat(curves.values(), ignore_index=True)
    log.info("\n%s", table.round(3).to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    title = f"{model_label(settings['model'])}, {settings['dataset']}"
    save_figure(learning_curve_panels({title: curves}, "mean"), snakemake.output[:2])
