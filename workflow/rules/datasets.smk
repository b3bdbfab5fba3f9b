# Datasets assembled from MD frames, or read from a user's file (paper Sec. II).


rule assemble_dataset:
    input:
        sources=lambda wc: plan.datasets.sources(wc.dataset),
        same_size_as=lambda wc: plan.datasets.same_size_manifest(wc.dataset),
        atom_order=lambda wc: plan.datasets.atom_order(wc.dataset),
    output:
        extxyz=layout.dataset("{dataset}", "extxyz"),
        npz=layout.dataset("{dataset}", "npz"),
        manifest=layout.dataset("{dataset}", "json"),
    log:
        log_file("assemble_dataset", "{dataset}"),
    benchmark:
        benchmark_file("assemble_dataset", "{dataset}")
    conda:
        env("sampling")
    params:
        sources=lambda wc: plan.datasets.source_names(wc.dataset),
        level=lambda wc: plan.datasets.level(wc.dataset),
        seed=plan.seed,
        units=lambda wc: plan.datasets.settings(wc.dataset)["units"],
        theory=lambda wc: plan.datasets.settings(wc.dataset)["theory"],
    script:
        "../scripts/assemble_dataset.py"


# A dataset relabelled at another level (the dispersion ablation), in parallel parts.
rule relabel_dataset_chunk:
    input:
        lambda wc: layout.dataset(
            plan.datasets.settings(wc.dataset)["relabel_of"], "extxyz"
        ),
    output:
        temp(layout.dataset_relabel_chunk("{dataset}", "{chunk}")),
    log:
        log_file("relabel_dataset_chunk", "{dataset}_{chunk}"),
    benchmark:
        benchmark_file("relabel_dataset_chunk", "{dataset}_{chunk}")
    conda:
        env("sampling")
    threads: 1
    params:
        level=lambda wc: plan.datasets.level(wc.dataset),
        part=lambda wc: (
            int(wc.chunk),
            plan.datasets.settings(wc.dataset)["relabel_jobs"],
        ),
    script:
        "../scripts/relabel_chunk.py"
