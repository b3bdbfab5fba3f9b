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


rule test_model:
    input:
        dataset=lambda wc: dataset_npz(wc.dataset),
        split=lambda wc: split_file(wc.dataset, wc.n_train),
        model=f"{RESULTS}/{{dataset}}/models/{{model}}/n{{n_train}}/fold{{fold}}/model.npz",
    output:
        f"{RESULTS}/{{dataset}}/models/{{model}}/n{{n_train}}/fold{{fold}}/test_errors.csv",
    log:
        f"{LOGS}/test_model/{{dataset}}_{{model}}_n{{n_train}}_fold{{fold}}.log",
    benchmark:
        f"{BENCHMARKS}/test_model/{{dataset}}_{{model}}_n{{n_train}}_fold{{fold}}.tsv"
    conda:
        f"{ENVS}/sgdml.yaml"
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
