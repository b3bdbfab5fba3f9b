# Datasets assembled from MD frames, or read from a user's file (paper Sec. II).


rule assemble_dataset:
    input:
        dataset_sources,
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
            config["datasets"][wc.dataset].get("md_runs")
            if not config["datasets"][wc.dataset].get("file")
            else ["file"]
        ),
        level=lambda wc: reference_options(),
    script:
        "../scripts/assemble_dataset.py"
