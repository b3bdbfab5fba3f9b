"""Every family's errors per cell of a grid of two dihedrals, held-out frames of all folds
pooled (rule cv_grid_errors)."""

import pandas as pd

from flexmlff.evaluate import coordinate_degrees, error_metrics, grid_errors
from flexmlff.exports import read_predictions
from flexmlff.plots import grid_error_maps, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    params = snakemake.params
    (x, x_atoms), (y, y_atoms) = params.cvs.items()
    tables = []
    for model in snakemake.input.keys():
        predictions = read_predictions(snakemake.input[model])
        x_deg, y_deg = (coordinate_degrees(predictions.positions, atoms) for atoms in (x_atoms, y_atoms))
        table = grid_errors(
            x_deg,
            y_deg,
            predictions.predicted_energies,
            predictions.energies,
            predictions.predicted_forces,
            predictions.forces,
            params.cell_deg,
        )
        overall = error_metrics(
            predictions.predicted_energies, predictions.energies, predictions.predicted_forces, predictions.forces
        )
        log.info(
            "%s: %d held-out frames in %d of %d cells, overall %s",
            model,
            len(x_deg),
            int((table["n_frames"] > 0).sum()),
            len(table),
            overall,
        )
        tables.append(table.assign(model=model, x_cv=x, y_cv=y, **{f"overall_{k}": v for k, v in overall.items()}))
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(snakemake.output.table, index=False)
    save_figure(grid_error_maps(table, (x, y), min_frames=params.min_frames), snakemake.output.figure)
