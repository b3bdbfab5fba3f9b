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
