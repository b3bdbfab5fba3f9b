"""Figures in the paper's style and units; each is saved as PDF and PNG.

One module per kind of figure (:mod:`.paths`, :mod:`.datasets`, :mod:`.errors`,
:mod:`.training`, :mod:`.ml_md`) over what they share (:mod:`.style`); every figure function
is importable from here.
"""

import matplotlib

matplotlib.use("Agg")  # before pyplot is first imported: jobs have no display

from flexmlff.plots.datasets import audit_panels, distance_distributions, energy_distributions  # noqa: E402
from flexmlff.plots.errors import (  # noqa: E402
    cutoff_scan,
    family_lines,
    grid_error_maps,
    learning_curve_panels,
    learning_curves,
    local_model_panels,
    phi_cluster_panels,
)
from flexmlff.plots.ml_md import ml_md_survival, ml_md_traces  # noqa: E402
from flexmlff.plots.paths import isomerisation_profiles, mep_profiles, path_error_profiles  # noqa: E402
from flexmlff.plots.style import ENERGY_LABEL, line_colours, model_label, save_figure  # noqa: E402
from flexmlff.plots.training import training_diagnostics, training_set_panels  # noqa: E402

__all__ = [
    "ENERGY_LABEL",
    "audit_panels",
    "cutoff_scan",
    "distance_distributions",
    "energy_distributions",
    "family_lines",
    "grid_error_maps",
    "isomerisation_profiles",
    "learning_curve_panels",
    "learning_curves",
    "line_colours",
    "local_model_panels",
    "mep_profiles",
    "ml_md_survival",
    "ml_md_traces",
    "path_error_profiles",
    "model_label",
    "phi_cluster_panels",
    "save_figure",
    "training_diagnostics",
    "training_set_panels",
]
