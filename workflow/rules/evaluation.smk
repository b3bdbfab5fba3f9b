# The paper's evaluation figures (Sec. IV-V): learning curves of every family,
# fold means, descriptors, the dispersion ablation, per-phi-cluster errors and
# ML-driven MD. Each figure is its own target.


rule plot_fig4_learning_curves:
    input:
        f"{RESULTS}/tables/learning_curves.csv",
    output:
        report(
            multiext(f"{RESULTS}/figures/fig4_learning_curves", ".pdf", ".png"),
            caption="../report/fig4_learning_curves.rst",
            category="Model accuracy",
        ),
    log:
        f"{LOGS}/plot_fig4_learning_curves.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        rows=lambda wc: learning_curve_rows("learning_curves", TRAINING["models"]),
        statistic="best",
    script:
        "../scripts/plot_learning_curve_figure.py"


use rule plot_fig4_learning_curves as plot_fig5_fold_means with:
    output:
        report(
            multiext(f"{RESULTS}/figures/fig5_fold_means", ".pdf", ".png"),
            caption="../report/fig5_fold_means.rst",
            category="Model accuracy",
        ),
    log:
        f"{LOGS}/plot_fig5_fold_means.log",
    params:
        rows=lambda wc: learning_curve_rows("fold_means", TRAINING["models"]),
        statistic="mean",


# Fig. 6a: GAP/SOAP at several SOAP cutoffs, one size, the same CV tasks as the learning curves.
use rule train_gap as train_gap_cutoff with:
    output:
        model=f"{RESULTS}/{{dataset}}/cutoff_scan/gap/r{{cutoff}}/n{{n_train}}/fold{{fold}}/model.tar.gz",
    log:
        f"{LOGS}/train_gap_cutoff/{{dataset}}_r{{cutoff}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_gap_cutoff/{{dataset}}_r{{cutoff}}_n{{n_train}}_fold{{fold}}.tsv"
    params:
        family="gap",
        settings=gap_cutoff_settings,


use rule test_model as test_gap_cutoff with:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
        split=lambda wc: split_file(wc.dataset, wc.n_train),
        model=lambda wc: f"{cutoff_scan_dir(wc)}/model.tar.gz",
    output:
        f"{RESULTS}/{{dataset}}/cutoff_scan/gap/r{{cutoff}}/n{{n_train}}/fold{{fold}}/test_errors.csv",
    log:
        f"{LOGS}/test_gap_cutoff/{{dataset}}_r{{cutoff}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/test_gap_cutoff/{{dataset}}_r{{cutoff}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/gap.yaml"
    params:
        family="gap",


rule plot_fig6a_gap_cutoff:
    input:
        gap_cutoff_errors,
    output:
        report(
            multiext(f"{RESULTS}/figures/fig6a_gap_cutoff", ".pdf", ".png"),
            caption="../report/fig6a_gap_cutoff.rst",
            category="Model accuracy",
        ),
        table=f"{RESULTS}/tables/fig6a_gap_cutoff.csv",
    log:
        f"{LOGS}/plot_fig6a_gap_cutoff.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        settings=lambda wc: config["figures"]["gap_cutoff_scan"],
    script:
        "../scripts/plot_gap_cutoff.py"


use rule plot_fig4_learning_curves as plot_fig6b_descriptors with:
    output:
        report(
            multiext(f"{RESULTS}/figures/fig6b_sgdml_descriptors", ".pdf", ".png"),
            caption="../report/fig6b_sgdml_descriptors.rst",
            category="Model accuracy",
        ),
    log:
        f"{LOGS}/plot_fig6b_descriptors.log",
    params:
        rows=lambda wc: learning_curve_rows(
            "descriptor_comparison", ["sgdml", "sgdml_ang"]
        ),
        statistic="best",


rule plot_dispersion_ablation:
    input:
        with_dispersion=lambda wc: dispersion_ablation_errors("dataset"),
        without_dispersion=lambda wc: dispersion_ablation_errors("without_dispersion"),
    output:
        report(
            multiext(f"{RESULTS}/figures/dispersion_ablation", ".pdf", ".png"),
            caption="../report/dispersion_ablation.rst",
            category="Model accuracy",
        ),
        table=f"{RESULTS}/tables/dispersion_ablation.csv",
    log:
        f"{LOGS}/plot_dispersion_ablation.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        settings=lambda wc: config["figures"]["dispersion_ablation"],
        force_tolerance=model_settings("sgdml").get("selection_force_tolerance", 0.1),
    script:
        "../scripts/plot_dispersion_ablation.py"


# Errors of one family's best fold (trained on {dataset} with n points) on every frame of
# {evaluated}, per cluster of a dihedral (paper Figs. 7, 8).
rule phi_cluster_errors:
    input:
        dataset=lambda wc: dataset_npz(wc.evaluated),
        models=fold_models,
        errors=fold_test_errors,
    output:
        f"{RESULTS}/{{evaluated}}/phi_clusters/{{dataset}}/{{model}}/n{{n_train}}.csv",
    log:
        f"{LOGS}/phi_cluster_errors/{{evaluated}}_{{dataset}}_{{model}}_n{{n_train}}.log",
    benchmark:
        f"{BENCHMARKS}/phi_cluster_errors/{{evaluated}}_{{dataset}}_{{model}}_n{{n_train}}.tsv"
    conda:
        model_env
    params:
        molecule=lambda wc: config["datasets"][wc.evaluated]["molecule"],
        coordinate=lambda wc: config["figures"]["phi_cluster_errors"].get(
            "coordinate", "phi"
        ),
        force_tolerance=model_settings("sgdml").get("selection_force_tolerance", 0.1),
    script:
        "../scripts/phi_cluster_errors.py"


rule plot_fig7_phi_clusters:
    input:
        lambda wc: phi_cluster_tables("fig7"),
    output:
        report(
            multiext(f"{RESULTS}/figures/fig7_phi_cluster_errors", ".pdf", ".png"),
            caption="../report/fig7_phi_cluster_errors.rst",
            category="Errors along the transition",
        ),
    log:
        f"{LOGS}/plot_fig7_phi_clusters.log",
    conda:
        f"{ENVS}/analysis.yaml"
    script:
        "../scripts/plot_phi_cluster_errors.py"


use rule plot_fig7_phi_clusters as plot_fig8_metadynamics_clusters with:
    input:
        lambda wc: phi_cluster_tables("fig8"),
    output:
        report(
            multiext(
                f"{RESULTS}/figures/fig8_metadynamics_phi_cluster_errors",
                ".pdf",
                ".png",
            ),
            caption="../report/fig8_metadynamics_phi_cluster_errors.rst",
            category="Errors along the transition",
        ),
    log:
        f"{LOGS}/plot_fig8_metadynamics_clusters.log",


# MD driven by a trained model (socket client of i-PI) from one frame of a path (Fig. 9).
rule ml_md:
    input:
        start=lambda wc: path_file(ml_md_molecule(wc), wc.start_path),
        models=ml_md_fold_models,
        errors=ml_md_fold_errors,
        ends=ml_md_end_minima,
    output:
        frames=f"{RESULTS}/ml_md/{{model}}/{{start_path}}/frame{{frame}}/frames.extxyz",
        outcome=f"{RESULTS}/ml_md/{{model}}/{{start_path}}/frame{{frame}}/outcome.json",
    log:
        f"{LOGS}/ml_md/{{model}}_{{start_path}}_frame{{frame}}.log",
    benchmark:
        f"{BENCHMARKS}/ml_md/{{model}}_{{start_path}}_frame{{frame}}.tsv"
    conda:
        model_env
    threads: 1
    params:
        molecule=ml_md_molecule,
        end_names=lambda wc: molecule_ends(ml_md_molecule(wc)),
        settings=lambda wc: config["figures"]["ml_md"],
        path=lambda wc: config["figures"]["ml_md"]["paths"][wc.start_path],
        seed=ml_md_seed,
        force_tolerance=model_settings("sgdml").get("selection_force_tolerance", 0.1),
        ipi_dir=lambda wc: f"{RESULTS}/ml_md/{wc.model}/{wc.start_path}/frame{wc.frame}/ipi",
    script:
        "../scripts/ml_md.py"


rule plot_fig9_ml_md:
    input:
        frames=lambda wc: ml_md_outputs("frames.extxyz"),
        outcomes=lambda wc: ml_md_outputs("outcome.json"),
    output:
        report(
            multiext(f"{RESULTS}/figures/fig9_ml_md", ".pdf", ".png"),
            caption="../report/fig9_ml_md.rst",
            category="ML-driven MD",
        ),
        table=f"{RESULTS}/tables/ml_md_outcomes.csv",
        markdown=f"{RESULTS}/tables/ml_md_outcomes.md",
    log:
        f"{LOGS}/plot_fig9_ml_md.log",
    conda:
        f"{ENVS}/analysis.yaml"
    script:
        "../scripts/plot_ml_md.py"


# Headline numbers next to the paper's (training points to 1 kcal/mol, force RMSE at the
# largest size, Fig. 7's equilibrium-to-transition error ratio).
rule summary_table:
    input:
        curves=f"{RESULTS}/tables/learning_curves.csv",
        clusters=lambda wc: (
            phi_cluster_tables("fig7")
            if config.get("figures", {}).get("phi_cluster_errors")
            else []
        ),
    output:
        table=f"{RESULTS}/tables/summary.csv",
        markdown=report(
            f"{RESULTS}/tables/summary.md",
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        f"{LOGS}/summary_table.log",
    conda:
        f"{ENVS}/analysis.yaml"
    script:
        "../scripts/summary_table.py"
