"""Every model's errors along the reference paths, per frame and per barrier, as tables and a
figure (rule path_error_tables; flexmlff.path_errors)."""

from pathlib import Path

import pandas as pd

from flexmlff.path_errors import barrier_errors
from flexmlff.plots import model_label, path_error_profiles, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    frames = pd.concat([pd.read_csv(path) for path in snakemake.input], ignore_index=True)
    frames.to_csv(snakemake.output.frames, index=False)
    barriers = barrier_errors(frames)
    barriers.to_csv(snakemake.output.barriers, index=False)
    log.info("\n%s", barriers.round(2).to_string(index=False))
    shown = barriers.assign(model=barriers["model"].map(model_label)).round(2)
    columns = {
        "dataset": "dataset",
        "model": "model",
        "path": "path",
        "reference_barrier_kcal_mol": "reference barrier",
        "model_barrier_kcal_mol": "model barrier",
        "barrier_error_kcal_mol": "error",
        "same_top": "same top frame",
        "energy_rmse_kcal_mol": "energy RMSE",
        "force_rmse_kcal_mol_A": "force RMSE",
        "note": "note",
    }
    Path(snakemake.output.markdown).write_text(
        "# Barriers along the reference paths\n\n"
        "Each model's best fold of the largest training size on every frame of the reference paths "
        "of its dataset's molecule. A barrier is the highest frame above the path's first, for the "
        "reference and the model alike (kcal/mol); the energy RMSE is of the energies relative to the "
        "first frame, over the frames after it; the force RMSE (kcal/(mol Å)) over every frame's "
        "components.\n\n" + shown[list(columns)].rename(columns=columns).to_markdown(index=False) + "\n"
    )
    save_figure(path_error_profiles(frames), snakemake.output.figure)
