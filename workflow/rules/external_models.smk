# Models flexmlff did not train (config external_models, external_models_file): each is
# checked first, in its own env, then evaluated zero-shot on the held-out frames of every size
# and fold of every trained dataset, the frames the trained families are tested on.


rule check_external_model:
    input:
        geometry=lambda wc: plan.external.check_geometry(wc.external),
    output:
        layout.external_model_check("{external}"),
    log:
        log_file("check_external_model", "{external}"),
    benchmark:
        benchmark_file("check_external_model", "{external}")
    # before the trainings: a bad entry fails in seconds, not after hours of them
    priority: 50
    conda:
        external_model_env
    params:
        model=lambda wc: plan.external.settings(wc.external),
    script:
        "../scripts/check_external_model.py"


rule evaluate_external_model:
    input:
        dataset=layout.dataset("{dataset}"),
        splits=lambda wc: [
            plan.datasets.split_file(wc.dataset, n) for n in plan.training.sizes
        ],
        check=layout.external_model_check("{external}"),
    output:
        **plan.external.errors("{dataset}", "{external}"),
    log:
        log_file("evaluate_external_model", "{dataset}_{external}"),
    benchmark:
        benchmark_file("evaluate_external_model", "{dataset}_{external}")
    conda:
        external_model_env
    params:
        model=lambda wc: plan.external.settings(wc.external),
        sizes=plan.training.sizes,
        n_folds=plan.training.n_folds,
        cluster_coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),
    script:
        "../scripts/evaluate_external_model.py"
