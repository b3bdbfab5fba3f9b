# Energy-stratified subsets, k-fold cross-validation, training and testing
# (paper Sec. IV). Each training job also tests its model on the held-out folds.


rule make_split:
    input:
        dataset=layout.dataset("{dataset}"),
    output:
        layout.split("{dataset}", "{n_train}"),
    log:
        log_file("make_split", "{dataset}_n{n_train}"),
    benchmark:
        benchmark_file("make_split", "{dataset}_n{n_train}")
    conda:
        env("sgdml")
    params:
        n_folds=plan.training.n_folds,
        n_valid=plan.training.settings["n_valid"],
        seed=lambda wc: plan.training.split_seed(wc.n_train),
    script:
        "../scripts/make_split.py"


# One training rule per model family (train_<family>): the same inputs and script, the
# family's own env, threads, resources and settings, all read from its module.
for trained in families().values():

    rule:
        name:
            f"train_{trained.name}"
        input:
            dataset=layout.dataset("{dataset}"),
            split=lambda wc: plan.datasets.split_file(wc.dataset, wc.n_train),
        output:
            model=layout.model_file("{dataset}", trained.name, "{n_train}", "{fold}"),
            record=layout.training_record(
                "{dataset}", trained.name, "{n_train}", "{fold}"
            ),
            errors=layout.test_errors("{dataset}", trained.name, "{n_train}", "{fold}"),
            predictions=layout.test_predictions(
                "{dataset}", trained.name, "{n_train}", "{fold}"
            ),
        log:
            log_file(f"train_{trained.name}", "{dataset}_n{n_train}_fold{fold}"),
        benchmark:
            benchmark_file(f"train_{trained.name}", "{dataset}_n{n_train}_fold{fold}")
        conda:
            env(trained.conda_env)
        threads: training_threads(trained)
        resources:
            **cluster_resources(trained),
            mem_mb=training_resource(trained.name, "mem_mb"),
            runtime=training_resource(trained.name, "runtime"),
        params:
            family=trained.name,
            settings=lambda wc, family=trained.name: plan.training.model_settings(
                family, wc.dataset
            ),
            cluster_coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),
        script:
            "../scripts/train_model.py"


rule collect_errors:
    input:
        lambda wc: plan.training.family_fold_errors(wc.dataset, wc.model),
    output:
        layout.family_errors("{dataset}", "{model}"),
    log:
        log_file("collect_errors", "{dataset}_{model}"),
    benchmark:
        benchmark_file("collect_errors", "{dataset}_{model}")
    conda:
        env("analysis")
    script:
        "../scripts/collect_errors.py"


rule model_errors_table:
    input:
        plan.training.all_family_errors(),
    output:
        errors=layout.table("model_errors"),
        curves=layout.table("learning_curves"),
    log:
        log_file("model_errors_table"),
    benchmark:
        benchmark_file("model_errors_table", "all")
    conda:
        env("analysis")
    params:
        selection=plan.training.selection,
    script:
        "../scripts/model_errors_table.py"


# Whether training converged and what it chose on the validation frames, per dataset.
rule training_diagnostics:
    input:
        lambda wc: plan.training.training_records(wc.dataset),
    output:
        figure=report(
            multiext(layout.figure_stem("{dataset}_training"), ".pdf", ".png"),
            caption="../report/training_diagnostics.rst",
            category="Model accuracy",
        ),
        table=layout.table("{dataset}_training_choices"),
    log:
        log_file("training_diagnostics", "{dataset}"),
    benchmark:
        benchmark_file("training_diagnostics", "{dataset}")
    conda:
        env("analysis")
    script:
        "../scripts/plot_training_diagnostics.py"
