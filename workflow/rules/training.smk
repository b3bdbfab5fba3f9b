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
        n_folds=plan.n_folds,
        n_valid=plan.training["n_valid"],
        seed=lambda wc: plan.split_seed(wc.n_train),
    script:
        "../scripts/make_split.py"


rule train_sgdml:
    input:
        dataset=layout.dataset("{dataset}"),
        split=lambda wc: plan.split_file(wc.dataset, wc.n_train),
    output:
        model=layout.model_file("{dataset}", "sgdml", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "sgdml", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "sgdml", "{n_train}", "{fold}"),
        predictions=layout.test_predictions("{dataset}", "sgdml", "{n_train}", "{fold}"),
    log:
        log_file("train_sgdml", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_sgdml", "{dataset}_n{n_train}_fold{fold}")
    conda:
        env("sgdml")
    threads: 1
    resources:
        mem_mb=training_resource("sgdml", "mem_mb"),
        runtime=training_resource("sgdml", "runtime"),
    params:
        family="sgdml",
        settings=lambda wc: plan.model_settings("sgdml", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),
    script:
        "../scripts/train_model.py"


rule train_gap:
    input:
        dataset=layout.dataset("{dataset}"),
        split=lambda wc: plan.split_file(wc.dataset, wc.n_train),
    output:
        model=layout.model_file("{dataset}", "gap", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "gap", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "gap", "{n_train}", "{fold}"),
        predictions=layout.test_predictions("{dataset}", "gap", "{n_train}", "{fold}"),
    log:
        log_file("train_gap", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_gap", "{dataset}_n{n_train}_fold{fold}")
    conda:
        env("gap")
    threads: 1
    resources:
        # gap_fit's covariance matrices: ~5 GB for 200 glycine frames, ~9 GB for azobenzene
        mem_mb=training_resource("gap", "mem_mb"),
        runtime=training_resource("gap", "runtime"),
    params:
        family="gap",
        settings=lambda wc: plan.model_settings("gap", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),
    script:
        "../scripts/train_model.py"


# The other families: the same inputs and script, their own env, resources and settings.
use rule train_sgdml as train_sgdml_ang with:
    output:
        model=layout.model_file("{dataset}", "sgdml_ang", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "sgdml_ang", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "sgdml_ang", "{n_train}", "{fold}"),
        predictions=layout.test_predictions(
            "{dataset}", "sgdml_ang", "{n_train}", "{fold}"
        ),
    log:
        log_file("train_sgdml_ang", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_sgdml_ang", "{dataset}_n{n_train}_fold{fold}")
    resources:
        # the closed-form solve holds (n*3N)^2 doubles ~3 times: 1000 azobenzene frames ~ 124 GB
        mem_mb=training_resource("sgdml_ang", "mem_mb"),
        runtime=training_resource("sgdml_ang", "runtime"),
    params:
        family="sgdml_ang",
        settings=lambda wc: plan.model_settings("sgdml_ang", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),


use rule train_sgdml as train_gdml with:
    output:
        model=layout.model_file("{dataset}", "gdml", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "gdml", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "gdml", "{n_train}", "{fold}"),
        predictions=layout.test_predictions("{dataset}", "gdml", "{n_train}", "{fold}"),
    log:
        log_file("train_gdml", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_gdml", "{dataset}_n{n_train}_fold{fold}")
    resources:
        mem_mb=training_resource("gdml", "mem_mb"),
        runtime=training_resource("gdml", "runtime"),
    params:
        family="gdml",
        settings=lambda wc: plan.model_settings("gdml", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),


use rule train_sgdml as train_schnet with:
    output:
        model=layout.model_file("{dataset}", "schnet", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "schnet", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "schnet", "{n_train}", "{fold}"),
        predictions=layout.test_predictions(
            "{dataset}", "schnet", "{n_train}", "{fold}"
        ),
    log:
        log_file("train_schnet", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_schnet", "{dataset}_n{n_train}_fold{fold}")
    conda:
        env("schnet")
    resources:
        mem_mb=training_resource("schnet", "mem_mb"),
        runtime=training_resource("schnet", "runtime"),
    params:
        family="schnet",
        settings=lambda wc: plan.model_settings("schnet", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),


use rule train_sgdml as train_bpnn with:
    output:
        model=layout.model_file("{dataset}", "bpnn", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "bpnn", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "bpnn", "{n_train}", "{fold}"),
        predictions=layout.test_predictions("{dataset}", "bpnn", "{n_train}", "{fold}"),
    log:
        log_file("train_bpnn", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_bpnn", "{dataset}_n{n_train}_fold{fold}")
    conda:
        env("bpnn")
    resources:
        mem_mb=training_resource("bpnn", "mem_mb"),
        runtime=training_resource("bpnn", "runtime"),
    params:
        family="bpnn",
        settings=lambda wc: plan.model_settings("bpnn", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),


use rule train_sgdml as train_mace with:
    output:
        model=layout.model_file("{dataset}", "mace", "{n_train}", "{fold}"),
        record=layout.training_record("{dataset}", "mace", "{n_train}", "{fold}"),
        errors=layout.test_errors("{dataset}", "mace", "{n_train}", "{fold}"),
        predictions=layout.test_predictions("{dataset}", "mace", "{n_train}", "{fold}"),
    log:
        log_file("train_mace", "{dataset}_n{n_train}_fold{fold}"),
    benchmark:
        benchmark_file("train_mace", "{dataset}_n{n_train}_fold{fold}")
    conda:
        env("mace")
    resources:
        mem_mb=training_resource("mace", "mem_mb"),
        runtime=training_resource("mace", "runtime"),
    params:
        family="mace",
        settings=lambda wc: plan.model_settings("mace", wc.dataset),
        cluster_coordinate=lambda wc: plan.cluster_coordinate(wc.dataset),


rule collect_errors:
    input:
        lambda wc: plan.family_fold_errors(wc.dataset, wc.model),
    output:
        layout.family_errors("{dataset}", "{model}"),
    log:
        log_file("collect_errors", "{dataset}_{model}"),
    conda:
        env("analysis")
    script:
        "../scripts/collect_errors.py"


rule model_errors_table:
    input:
        plan.all_family_errors(),
    output:
        errors=layout.table("model_errors"),
        curves=layout.table("learning_curves"),
    log:
        log_file("model_errors_table"),
    conda:
        env("analysis")
    params:
        selection=plan.selection,
    script:
        "../scripts/model_errors_table.py"


# Whether training converged and what it chose on the validation frames, per dataset.
rule training_diagnostics:
    input:
        lambda wc: plan.training_records(wc.dataset),
    output:
        figure=report(
            multiext(layout.figure_stem("{dataset}_training"), ".pdf", ".png"),
            caption="../report/training_diagnostics.rst",
            category="Model accuracy",
        ),
        table=layout.table("{dataset}_training_choices"),
    log:
        log_file("training_diagnostics", "{dataset}"),
    conda:
        env("analysis")
    script:
        "../scripts/plot_training_diagnostics.py"
