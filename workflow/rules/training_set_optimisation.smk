# Beyond the paper: training sets grown where the model errs (Fonseca et al., J. Chem.
# Phys. 154, 124102 (2021); flexmlff.training_sets), against the energy-stratified sets of
# equal size. Each step is its own job, so a killed loop resumes at its last finished step.


rule cluster_dataset:
    input:
        dataset=layout.dataset("{dataset}"),
        manifest=layout.dataset("{dataset}", "json"),
    output:
        layout.dataset_clusters("{dataset}"),
    log:
        log_file("cluster_dataset", "{dataset}"),
    benchmark:
        benchmark_file("cluster_dataset", "{dataset}")
    conda:
        env("sgdml")
    resources:
        mem_mb=clustering_memory,
    params:
        scheme=lambda wc: plan.grown_sets.settings["clusters"],
        seed=plan.seed,
    script:
        "../scripts/cluster_dataset.py"


rule optimise_training_set_step:
    input:
        unpack(
            lambda wc: plan.grown_sets.previous_step(
                wc.dataset, wc.model, wc.n_train, wc.fold, wc.step
            )
        ),
        dataset=layout.dataset("{dataset}"),
        split=lambda wc: plan.datasets.split_file(wc.dataset, wc.n_train),
        clusters=layout.dataset_clusters("{dataset}"),
        manifest=layout.dataset("{dataset}", "json"),
    output:
        model=layout.optimised_model(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
        training_set=layout.optimised_training_set(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
        frame_errors=layout.optimised_frame_errors(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
        record=layout.optimised_record(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
        errors=layout.optimised_errors(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
        predictions=layout.optimised_predictions(
            "{dataset}", "{model}", "{n_train}", "{fold}", "{step}"
        ),
    log:
        log_file(
            "optimise_training_set_step",
            "{dataset}_{model}_n{n_train}_fold{fold}_step{step}",
        ),
    benchmark:
        benchmark_file(
            "optimise_training_set_step",
            "{dataset}_{model}_n{n_train}_fold{fold}_step{step}",
        )
    conda:
        model_env
    threads: 1
    resources:
        # the training's own, or the fine clusters' Ward tree where that is larger
        mem_mb=lambda wc, input, attempt: max(
            training_resource(None, "mem_mb")(wc, attempt),
            clustering_memory(wc, input),
        ),
        runtime=training_resource(None, "runtime"),
    params:
        settings=lambda wc: plan.training.model_settings(wc.model, wc.dataset),
        sizes=lambda wc: plan.grown_sets.sizes(),
        scheme=lambda wc: plan.grown_sets.settings["clusters"],
        seed=lambda wc: plan.grown_sets.seed(wc.fold, wc.step),
        cluster_coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),
    script:
        "../scripts/optimise_training_set_step.py"


rule plot_training_set_optimisation:
    input:
        unpack(lambda wc: plan.grown_sets.inputs()),
    output:
        figure=report(
            multiext(layout.figure_stem("training_set_optimisation"), ".pdf", ".png"),
            caption="../report/training_set_optimisation.rst",
            category="Beyond the paper",
        ),
        summary=layout.table("training_set_optimisation"),
        clusters=layout.table("training_set_optimisation_clusters"),
        steps=layout.table("training_set_optimisation_steps"),
    log:
        log_file("plot_training_set_optimisation"),
    benchmark:
        benchmark_file("plot_training_set_optimisation", "all")
    conda:
        env("analysis")
    params:
        models=lambda wc: plan.grown_sets.settings["models"],
        runs=lambda wc: plan.grown_sets.runs(),
        coordinate=lambda wc: plan.datasets.cluster_coordinate(
            plan.grown_sets.settings["dataset"]
        )["cv"],
    script:
        "../scripts/plot_training_set_optimisation.py"
