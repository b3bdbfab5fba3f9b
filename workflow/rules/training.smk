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
        lambda wc: f"{ENVS}/{wc.model}.yaml"
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
