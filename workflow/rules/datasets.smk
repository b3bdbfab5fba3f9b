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


# The audit of a dataset's level against another (datasets.<name>.audit): frames drawn over the
# clusters of the transition coordinate, relabelled in parallel parts, errors per cluster.
rule select_audit_frames:
    input:
        layout.dataset("{dataset}", "extxyz"),
    output:
        layout.audit_frames("{dataset}"),
    log:
        log_file("select_audit_frames", "{dataset}"),
    benchmark:
        benchmark_file("select_audit_frames", "{dataset}")
    conda:
        env("analysis")
    params:
        frames=lambda wc: plan.datasets.audit(wc.dataset)["frames"],
        coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),
        seed=plan.seed,
    script:
        "../scripts/select_audit_frames.py"


use rule relabel_dataset_chunk as audit_chunk with:
    input:
        layout.audit_frames("{dataset}"),
    output:
        temp(layout.audit_chunk("{dataset}", "{chunk}")),
    log:
        log_file("audit_chunk", "{dataset}_{chunk}"),
    benchmark:
        benchmark_file("audit_chunk", "{dataset}_{chunk}")
    params:
        level=lambda wc: plan.datasets.audit_level(wc.dataset),
        part=lambda wc: (int(wc.chunk), plan.datasets.audit_jobs(wc.dataset)),


rule audit_table:
    input:
        frames=layout.audit_frames("{dataset}"),
        chunks=lambda wc: plan.datasets.audit_chunks(wc.dataset),
    output:
        labels=layout.audit_labels("{dataset}"),
        table=layout.table("{dataset}_audit"),
        figure=report(
            multiext(layout.figure_stem("{dataset}_audit"), ".pdf", ".png"),
            caption="../report/audit.rst",
            category="Datasets",
        ),
    log:
        log_file("audit_table", "{dataset}"),
    benchmark:
        benchmark_file("audit_table", "{dataset}")
    conda:
        env("analysis")
    params:
        coordinate=lambda wc: plan.datasets.cluster_coordinate(wc.dataset),
        level=lambda wc: plan.datasets.audit_level(wc.dataset).label,
    script:
        "../scripts/audit_table.py"
