# flexmlff: regenerate "Challenges for machine learning force fields in reproducing
# potential energy surfaces of flexible molecules" (J. Chem. Phys. 154, 094119, 2021).
from snakemake.utils import min_version

min_version("9.0")


# `snakemake --configfile X` runs X over the schema's defaults and nothing else; plain
# `snakemake` runs the laptop-scale default. (A bare `configfile:` is always read, and X
# would be merged over it key by key, keeping every value X leaves out.)
if not workflow.overwrite_configfiles:

    configfile: f"{workflow.basedir}/config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/minima_and_meps.smk"
include: "workflow/rules/isomerisation_paths.smk"
include: "workflow/rules/sampling.smk"
include: "workflow/rules/datasets.smk"
include: "workflow/rules/dataset_figures.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/external_models.smk"
include: "workflow/rules/learning_curves.smk"
include: "workflow/rules/evaluation_figures.smk"
include: "workflow/rules/ml_md.smk"
include: "workflow/rules/training_set_optimisation.smk"
include: "workflow/rules/provenance.smk"


# Cheap table and figure steps run on the submitting node, not as cluster jobs.
localrules:
    all,
    effective_config,
    mep_barrier_table,
    plot_mep_profiles,
    isomerisation_table,
    plot_isomerisation_profiles,
    collect_errors,
    learning_curve_table,
    plot_learning_curve,
    gather_labels,
    model_errors_table,
    plot_fig4_learning_curves,
    plot_fig5_fold_means,
    plot_fig6a_gap_cutoff,
    plot_fig6b_descriptors,
    plot_dispersion_ablation,
    plot_fig7_phi_clusters,
    plot_fig8_metadynamics_clusters,
    plot_fig9_ml_md,
    plot_training_set_optimisation,
    summary_table,


rule all:
    default_target: True
    input:
        plan.targets(),
