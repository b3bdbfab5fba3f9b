# Learning curves of one dataset: best model and fold mean per training size (paper Figs. 4-5).


rule learning_curve_table:
    input:
        lambda wc: plan.training.dataset_family_errors(wc.dataset),
    output:
        layout.table("{dataset}_learning_curve"),
    log:
        log_file("learning_curve_table", "{dataset}"),
    benchmark:
        benchmark_file("learning_curve_table", "{dataset}")
    conda:
        env("analysis")
    params:
        selection=plan.training.selection,
    script:
        "../scripts/learning_curve_table.py"


# Every pair of models on a dataset, at every size, on the same held-out frames: the paired
# bootstrap interval of their RMSE difference says which is better, or that they are tied.
rule family_comparisons:
    input:
        lambda wc: plan.evaluation.comparison_predictions(wc.dataset),
    output:
        layout.table("{dataset}_family_comparisons"),
    log:
        log_file("family_comparisons", "{dataset}"),
    benchmark:
        benchmark_file("family_comparisons", "{dataset}")
    conda:
        env("analysis")
    params:
        models=lambda wc: plan.training.models_on(wc.dataset),
        sizes=plan.training.sizes,
        seed=plan.seed,
    script:
        "../scripts/family_comparisons.py"


rule plot_learning_curve:
    input:
        layout.table("{dataset}_learning_curve"),
    output:
        report(
            multiext(layout.figure_stem("{dataset}_learning_curve"), ".pdf", ".png"),
            caption="../report/learning_curve.rst",
            category="Learning curves",
        ),
    log:
        log_file("plot_learning_curve", "{dataset}"),
    benchmark:
        benchmark_file("plot_learning_curve", "{dataset}")
    conda:
        env("analysis")
    script:
        "../scripts/plot_learning_curve.py"


# Results others can compare (flexmlff.exports): one dataset's RMSE and MAE per family and
# size in ml-peg's {metric: {model: value}} shape, and every best model as an ASE calculator.
rule dataset_metrics:
    input:
        layout.table("{dataset}_learning_curve"),
    output:
        layout.metrics("{dataset}"),
    log:
        log_file("dataset_metrics", "{dataset}"),
    benchmark:
        benchmark_file("dataset_metrics", "{dataset}")
    conda:
        env("analysis")
    params:
        level=lambda wc: plan.datasets.level(wc.dataset).label,
    script:
        "../scripts/dataset_metrics.py"


rule model_registry:
    input:
        layout.table("learning_curves"),
    output:
        layout.model_registry(),
    log:
        log_file("model_registry"),
    benchmark:
        benchmark_file("model_registry", "all")
    conda:
        env("analysis")
    params:
        model_files=plan.training.trained_model_files(),
        code_families=lambda wc: plan.training.code_families(),
        levels={
            dataset: plan.datasets.level(dataset)
            for dataset in plan.training.trained_datasets
        },
    script:
        "../scripts/model_registry.py"
