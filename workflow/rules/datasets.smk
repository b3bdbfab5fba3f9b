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
        sources=lambda wc: (
            [campaign for campaign, _ in dataset_campaign_runs(wc.dataset)]
            if not config["datasets"][wc.dataset].get("file")
            else ["file"]
        ),
        level=dataset_level,
        seed=config.get("seed", 2021),
    script:
        "../scripts/assemble_dataset.py"
