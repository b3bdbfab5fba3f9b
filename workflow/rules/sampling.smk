# MD campaigns with i-PI as the engine and a reference level as its socket client
# (paper Sec. II.A.2, II.B.2), and the relabelling of kept frames at another level.


rule md_run:
    input:
        start=lambda wc: plan.sampling.start_file(wc.molecule, wc.campaign, wc.run),
    output:
        frames=layout.md_frames("{molecule}", "{campaign}", "{run}"),
    log:
        log_file("md_run", "{molecule}_{campaign}_{run}"),
    benchmark:
        benchmark_file("md_run", "{molecule}_{campaign}_{run}")
    conda:
        env("sampling")
    threads: 1
    params:
        settings=lambda wc: plan.sampling.run_settings(wc.molecule, wc.campaign),
        start=lambda wc: plan.sampling.run_start(wc.molecule, wc.campaign, wc.run),
        level=lambda wc: plan.molecules.md_level(wc.molecule),
        ipi_dir=lambda wc: layout.md_ipi_dir(wc.molecule, wc.campaign, wc.run),
    script:
        "../scripts/md_run.py"


# The paper drove MD at PBE+TS/light and labelled the kept frames at PBE+TS/tight:
# with `md_level` set, each run's frames are relabelled in chunks, one job each.
rule relabel_chunk:
    input:
        layout.md_frames("{molecule}", "{campaign}", "{run}"),
    output:
        temp(layout.md_relabel_chunk("{molecule}", "{campaign}", "{run}", "{chunk}")),
    log:
        log_file("relabel_chunk", "{molecule}_{campaign}_{run}_{chunk}"),
    benchmark:
        benchmark_file("relabel_chunk", "{molecule}_{campaign}_{run}_{chunk}")
    conda:
        env("sampling")
    threads: 1
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        part=lambda wc: (
            int(wc.chunk),
            plan.sampling.n_relabel_chunks(wc.molecule, wc.campaign),
        ),
    script:
        "../scripts/relabel_chunk.py"


rule gather_labels:
    input:
        lambda wc: plan.sampling.relabel_chunks(wc.molecule, wc.campaign, wc.run),
    output:
        layout.md_labelled("{molecule}", "{campaign}", "{run}"),
    log:
        log_file("gather_labels", "{molecule}_{campaign}_{run}"),
    benchmark:
        benchmark_file("gather_labels", "{molecule}_{campaign}_{run}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
    script:
        "../scripts/gather_labels.py"
