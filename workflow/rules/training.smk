# Energy-stratified subsets, 5-fold cross-validation, training and testing
# (paper Sec. IV).


rule make_split:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
    output:
        f"{RESULTS}/{{dataset}}/splits/n{{n_train}}.npz",
    log:
        f"{LOGS}/make_split/{{dataset}}_n{{n_train}}.log",
    benchmark:
        f"{BENCHMARKS}/make_split/{{dataset}}_n{{n_train}}.tsv"
    conda:
        f"{ENVS}/sgdml.yaml"
    params:
        n_folds=N_FOLDS,
        n_valid=TRAINING["n_valid"],
        seed=lambda wc: config["seed"] + int(wc.n_train),
    script:
        "../scripts/make_split.py"


rule train_sgdml:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
        split=lambda wc: split_file(wc.dataset, wc.n_train),
    output:
        model=f"{RESULTS}/{{dataset}}/models/sgdml/n{{n_train}}/fold{{fold}}/model.npz",
    log:
        f"{LOGS}/train_sgdml/{{dataset}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_sgdml/{{dataset}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/sgdml.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        family="sgdml",
        settings=model_settings("sgdml"),
    script:
        "../scripts/train_model.py"


rule train_gap:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
        split=lambda wc: split_file(wc.dataset, wc.n_train),
    output:
        model=f"{RESULTS}/{{dataset}}/models/gap/n{{n_train}}/fold{{fold}}/model.tar.gz",
    log:
        f"{LOGS}/train_gap/{{dataset}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_gap/{{dataset}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/gap.yaml"
    threads: 1
    resources:
        # gap_fit's covariance matrices: ~5 GB for 200 glycine frames, ~9 GB for azobenzene
        mem_mb=10000,
    params:
        family="gap",
        settings=model_settings("gap"),
    script:
        "../scripts/train_model.py"


# The other families: the same inputs and script, their own env, resources and settings.
use rule train_sgdml as train_sgdml_ang with:
    output:
        model=f"{RESULTS}/{{dataset}}/models/sgdml_ang/n{{n_train}}/fold{{fold}}/model.npz",
    log:
        f"{LOGS}/train_sgdml_ang/{{dataset}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_sgdml_ang/{{dataset}}_n{{n_train}}_fold{{fold}}.tsv"
    resources:
        # the closed-form solve holds (n*3N)^2 doubles about twice: 200 azobenzene frames ~ 3.5 GB
        mem_mb=6000,
    params:
        family="sgdml_ang",
        settings=model_settings("sgdml_ang"),


use rule train_sgdml as train_schnet with:
    output:
        model=f"{RESULTS}/{{dataset}}/models/schnet/n{{n_train}}/fold{{fold}}/model.pt",
    log:
        f"{LOGS}/train_schnet/{{dataset}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_schnet/{{dataset}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/schnet.yaml"
    resources:
        mem_mb=3000,
    params:
        family="schnet",
        settings=model_settings("schnet"),


use rule train_sgdml as train_bpnn with:
    output:
        model=f"{RESULTS}/{{dataset}}/models/bpnn/n{{n_train}}/fold{{fold}}/model.pt",
    log:
        f"{LOGS}/train_bpnn/{{dataset}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/train_bpnn/{{dataset}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/bpnn.yaml"
    resources:
        mem_mb=3000,
    params:
        family="bpnn",
        settings=model_settings("bpnn"),


rule test_model:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
        split=lambda wc: split_file(wc.dataset, wc.n_train),
        model=trained_model,
    output:
        f"{RESULTS}/{{dataset}}/models/{{model}}/n{{n_train}}/fold{{fold}}/test_errors.csv",
    log:
        f"{LOGS}/test_model/{{dataset}}_{{model}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/test_model/{{dataset}}_{{model}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        model_env
    script:
        "../scripts/test_model.py"


rule collect_errors:
    input:
        fold_errors,
    output:
        f"{RESULTS}/{{dataset}}/errors/{{model}}.csv",
    log:
        f"{LOGS}/collect_errors/{{dataset}}_{{model}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    script:
        "../scripts/collect_errors.py"


rule model_errors_table:
    input:
        all_model_errors,
    output:
        errors=f"{RESULTS}/tables/model_errors.csv",
        curves=f"{RESULTS}/tables/learning_curves.csv",
    log:
        f"{LOGS}/model_errors_table.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        force_tolerance=model_settings("sgdml").get("selection_force_tolerance", 0.1),
    script:
        "../scripts/model_errors_table.py"
