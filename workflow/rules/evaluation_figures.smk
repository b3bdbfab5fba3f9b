# The paper's evaluation figures (Sec. IV-V): learning curves of every family,
# fold means, descriptors, the dispersion ablation and per-phi-cluster errors.
# Each figure is its own target.


rule plot_fig4_learning_curves:
    input:
        layout.table("learning_curves"),
    output:
        report(
            multiext(layout.figure_stem("fig4_learning_curves"), ".pdf", ".png"),
            caption="../report/fig4_learning_curves.rst",
            category="Model accuracy",
        ),
    log:
        log_file("plot_fig4_learning_curves"),
    benchmark:
        benchmark_file("plot_fig4_learning_curves", "all")
    conda:
        env("analysis")
    params:
        rows=lambda wc: plan.evaluation.learning_curve_rows(
            "learning_curves", plan.training.shown_models
        ),
        statistic="best",
    script:
        "../scripts/plot_learning_curve_figure.py"


# The sGDML entry takes each dataset's better descriptor (figures.fold_means.best_descriptor).
use rule plot_fig4_learning_curves as plot_fig5_fold_means with:
    input:
        layout.table("learning_curves"),
        records=lambda wc: [
            path
            for *_, records in plan.evaluation.descriptor_choices(
                "fold_means", plan.training.shown_models
            )
            for path in records
        ],
    output:
        report(
            multiext(layout.figure_stem("fig5_fold_means"), ".pdf", ".png"),
            caption="../report/fig5_fold_means.rst",
            category="Model accuracy",
        ),
    log:
        log_file("plot_fig5_fold_means"),
    benchmark:
        benchmark_file("plot_fig5_fold_means", "all")
    params:
        rows=lambda wc: plan.evaluation.learning_curve_rows(
            "fold_means", plan.training.shown_models
        ),
        statistic="mean",
        descriptor_choices=lambda wc: plan.evaluation.descriptor_choices(
            "fold_means", plan.training.shown_models
        ),


# Fig. 6a: GAP/SOAP at several SOAP cutoffs, one size, the same CV tasks as the learning curves.
use rule train_gap as train_gap_cutoff with:
    output:
        model=layout.cutoff_scan_model("{dataset}", "{cutoff}", "{n_train}", "{fold}"),
        record=layout.cutoff_scan_record("{dataset}", "{cutoff}", "{n_train}", "{fold}"),
        errors=layout.cutoff_scan_errors("{dataset}", "{cutoff}", "{n_train}", "{fold}"),
        predictions=layout.cutoff_scan_predictions(
            "{dataset}", "{cutoff}", "{n_train}", "{fold}"
        ),
    log:
        log_file("train_gap_cutoff", "{dataset}_r{cutoff}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_gap_cutoff", "{dataset}_r{cutoff}_n{n_train}_fold{fold}")
    params:
        family="gap",
        settings=lambda wc: plan.evaluation.gap_cutoff_settings(wc.cutoff),
        cluster_coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),


rule plot_fig6a_gap_cutoff:
    input:
        lambda wc: plan.evaluation.gap_cutoff_errors(),
    output:
        report(
            multiext(layout.figure_stem("fig6a_gap_cutoff"), ".pdf", ".png"),
            caption="../report/fig6a_gap_cutoff.rst",
            category="Model accuracy",
        ),
        table=layout.table("fig6a_gap_cutoff"),
    log:
        log_file("plot_fig6a_gap_cutoff"),
    benchmark:
        benchmark_file("plot_fig6a_gap_cutoff", "all")
    conda:
        env("analysis")
    params:
        settings=lambda wc: plan.figure_settings("gap_cutoff_scan"),
    script:
        "../scripts/plot_gap_cutoff.py"


use rule plot_fig4_learning_curves as plot_fig6b_descriptors with:
    output:
        report(
            multiext(layout.figure_stem("fig6b_sgdml_descriptors"), ".pdf", ".png"),
            caption="../report/fig6b_sgdml_descriptors.rst",
            category="Model accuracy",
        ),
    log:
        log_file("plot_fig6b_descriptors"),
    benchmark:
        benchmark_file("plot_fig6b_descriptors", "all")
    params:
        rows=lambda wc: plan.evaluation.learning_curve_rows(
            "descriptor_comparison", DESCRIPTOR_FAMILIES
        ),
        statistic="best",


rule plot_dispersion_ablation:
    input:
        with_dispersion=lambda wc: plan.evaluation.dispersion_ablation_errors("dataset"),
        without_dispersion=lambda wc: plan.evaluation.dispersion_ablation_errors(
            "without_dispersion"
        ),
    output:
        report(
            multiext(layout.figure_stem("dispersion_ablation"), ".pdf", ".png"),
            caption="../report/dispersion_ablation.rst",
            category="Model accuracy",
        ),
        table=layout.table("dispersion_ablation"),
    log:
        log_file("plot_dispersion_ablation"),
    benchmark:
        benchmark_file("plot_dispersion_ablation", "all")
    conda:
        env("analysis")
    params:
        settings=lambda wc: plan.figure_settings("dispersion_ablation"),
        selection=plan.training.selection,
    script:
        "../scripts/plot_dispersion_ablation.py"


# Errors of one family's best fold (trained on {dataset} with n points) on every frame of
# {evaluated}, per cluster of a dihedral (paper Figs. 7, 8).
rule phi_cluster_errors:
    input:
        dataset=layout.dataset("{evaluated}"),
        models=lambda wc: plan.training.best_model_files(
            wc.dataset, wc.model, wc.n_train
        ),
        errors=lambda wc: plan.training.fold_test_errors(
            wc.dataset, wc.model, wc.n_train
        ),
    output:
        layout.phi_clusters("{evaluated}", "{dataset}", "{model}", "{n_train}"),
    log:
        log_file("phi_cluster_errors", "{evaluated}_{dataset}_{model}_n{n_train}"),
    benchmark:
        benchmark_file("phi_cluster_errors", "{evaluated}_{dataset}_{model}_n{n_train}")
    conda:
        model_env
    params:
        coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.evaluated),
        selection=plan.training.selection,
        external=lambda wc: plan.external.settings_or_none(wc.model),
    script:
        "../scripts/phi_cluster_errors.py"


rule plot_fig7_phi_clusters:
    input:
        lambda wc: plan.evaluation.phi_cluster_tables("fig7"),
    output:
        report(
            multiext(layout.figure_stem("fig7_phi_cluster_errors"), ".pdf", ".png"),
            caption="../report/fig7_phi_cluster_errors.rst",
            category="Errors along the transition",
        ),
    log:
        log_file("plot_fig7_phi_clusters"),
    benchmark:
        benchmark_file("plot_fig7_phi_clusters", "all")
    conda:
        env("analysis")
    script:
        "../scripts/plot_phi_cluster_errors.py"


use rule plot_fig7_phi_clusters as plot_fig8_metadynamics_clusters with:
    input:
        lambda wc: plan.evaluation.phi_cluster_tables("fig8"),
    output:
        report(
            multiext(
                layout.figure_stem("fig8_metadynamics_phi_cluster_errors"),
                ".pdf",
                ".png",
            ),
            caption="../report/fig8_metadynamics_phi_cluster_errors.rst",
            category="Errors along the transition",
        ),
    log:
        log_file("plot_fig8_metadynamics_clusters"),
    benchmark:
        benchmark_file("plot_fig8_metadynamics_clusters", "all")


# Beyond the paper: every family's force RMSE per cell of a grid of two dihedrals (alanine
# dipeptide's phi/psi), on the held-out frames of all folds at the largest size.
rule cv_grid_errors:
    input:
        unpack(lambda wc: plan.evaluation.grid_predictions(wc.dataset)),
    output:
        table=layout.table("{dataset}_cv_grid_errors"),
        figure=report(
            multiext(layout.figure_stem("{dataset}_cv_grid_errors"), ".pdf", ".png"),
            caption="../report/cv_grid_errors.rst",
            category="Errors along the transition",
        ),
    log:
        log_file("cv_grid_errors", "{dataset}"),
    benchmark:
        benchmark_file("cv_grid_errors", "{dataset}")
    conda:
        env("analysis")
    params:
        cvs=lambda wc: plan.evaluation.grid_cvs(wc.dataset),
        cell_deg=lambda wc: plan.figure_settings("cv_grid_errors")["cell_deg"],
        min_frames=lambda wc: plan.figure_settings("cv_grid_errors")["min_frames"],
    script:
        "../scripts/cv_grid_errors.py"


# Headline numbers next to the paper's (training points to 1 kcal/mol, force RMSE at the
# largest size, Fig. 7's equilibrium-to-transition error ratio).
# Beyond the paper (its Sec. V proposal): the mixture of local models against the single
# models of its base family, on the same splits (results/tables/local_models).
rule local_models:
    input:
        comparisons=lambda wc: plan.evaluation.local_model_comparisons(),
        clusters=lambda wc: plan.evaluation.local_model_clusters(),
        records=lambda wc: plan.evaluation.local_model_records(),
        ml_md=plan.ml_md.statistics_table(),
    output:
        report(
            multiext(layout.figure_stem("local_models"), ".pdf", ".png"),
            caption="../report/local_models.rst",
            category="Errors along the transition",
        ),
        table=layout.table("local_models"),
        markdown=layout.table("local_models", "md"),
    log:
        log_file("local_models"),
    benchmark:
        benchmark_file("local_models", "all")
    conda:
        env("analysis")
    params:
        settings=lambda wc: plan.figure_settings("local_models"),
    script:
        "../scripts/local_models.py"


rule summary_table:
    input:
        curves=layout.table("learning_curves"),
        clusters=lambda wc: plan.evaluation.phi_cluster_tables("fig7"),
        audits=plan.datasets.audit_tables(),
        barriers=plan.path_errors.barrier_table(),
        comparisons=plan.evaluation.comparison_tables(),
        ml_md=plan.ml_md.statistics_table(),
        local_models=plan.evaluation.local_model_table(),
    output:
        table=layout.table("summary"),
        markdown=report(
            layout.table("summary", "md"),
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        log_file("summary_table"),
    benchmark:
        benchmark_file("summary_table", "all")
    conda:
        env("analysis")
    script:
        "../scripts/summary_table.py"


# Beyond the paper: a model's best fold of the largest size on every frame of the reference
# paths of its dataset's molecule, then every model's barriers against the reference's.
rule path_errors:
    input:
        paths=lambda wc: plan.path_errors.path_files(wc.dataset),
        models=lambda wc: plan.training.best_model_files(
            wc.dataset, wc.model, plan.training.largest_size
        ),
        errors=lambda wc: plan.training.fold_test_errors(
            wc.dataset, wc.model, plan.training.largest_size
        ),
    output:
        layout.path_errors("{dataset}", "{model}"),
    log:
        log_file("path_errors", "{dataset}_{model}"),
    benchmark:
        benchmark_file("path_errors", "{dataset}_{model}")
    conda:
        model_env
    params:
        paths=lambda wc: plan.path_errors.path_names(wc.dataset),
        selection=plan.training.selection,
        external=lambda wc: plan.external.settings_or_none(wc.model),
    script:
        "../scripts/path_errors.py"


rule path_error_tables:
    input:
        plan.path_errors.frame_tables(),
    output:
        frames=layout.table("path_errors"),
        barriers=layout.table("barrier_errors"),
        markdown=layout.table("barrier_errors", "md"),
        figure=report(
            multiext(layout.figure_stem("path_profiles"), ".pdf", ".png"),
            caption="../report/path_profiles.rst",
            category="Errors along the transition",
        ),
    log:
        log_file("path_error_tables"),
    benchmark:
        benchmark_file("path_error_tables", "all")
    conda:
        env("analysis")
    script:
        "../scripts/path_error_tables.py"
