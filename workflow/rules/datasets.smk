# Datasets assembled from MD frames, or read from a user's file (paper Sec. II).


rule assemble_dataset:
    input:
        sources=dataset_sources,
        same_size_as=same_size_manifest,
    output:
        extxyz=f"{RESULTS}/datasets/{{dataset}}.extxyz",
        npz=f"{RESULTS}/datasets/{{dataset}}.npz",
        manifest=f"{RESULTS}/datasets/{{dataset}}.json",
    log:
        f"{LOGS}/assemble_dataset/{{dataset}}.log",
    benchmark:
        f"{BENCHMARKS}/assemble_dataset/{{dataset}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        sources=dataset_source_names,
        level=dataset_level,
        seed=config.get("seed", 2021),
    script:
        "../scripts/assemble_dataset.py"


# A dataset relabelled at another level (the dispersion ablation), in parallel parts.
rule relabel_dataset_chunk:
    input:
        lambda wc: dataset_extxyz(config["datasets"][wc.dataset]["relabel_of"]),
    output:
        temp(f"{RESULTS}/datasets/{{dataset}}_relabel/chunk{{chunk}}.extxyz"),
    log:
        f"{LOGS}/relabel_dataset_chunk/{{dataset}}_{{chunk}}.log",
    benchmark:
        f"{BENCHMARKS}/relabel_dataset_chunk/{{dataset}}_{{chunk}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 1
    params:
        level=dataset_level,
        part=lambda wc: (
            int(wc.chunk),
            config["datasets"][wc.dataset].get("relabel_jobs", 4),
        ),
    script:
        "../scripts/relabel_chunk.py"
