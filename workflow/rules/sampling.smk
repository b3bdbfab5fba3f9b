# MD campaigns with i-PI as the engine and a reference level as its socket client
# (paper Sec. II.A.2, II.B.2), and the relabelling of kept frames at another level.


rule md_run:
    input:
        start=md_start,
    output:
        frames=f"{RESULTS}/{{molecule}}/md/{{campaign}}/{{run}}/frames.extxyz",
    log:
        f"{LOGS}/md_run/{{molecule}}_{{campaign}}_{{run}}.log",
    benchmark:
        f"{BENCHMARKS}/md_run/{{molecule}}_{{campaign}}_{{run}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 1
    params:
        settings=lambda wc: molecule_config(wc)["md"][wc.campaign],
        start=lambda wc: asdict(md_run_start(wc)),
        level=md_level,
        ipi_dir=lambda wc: f"{RESULTS}/{wc.molecule}/md/{wc.campaign}/{wc.run}/ipi",
    script:
        "../scripts/md_run.py"


# The paper drove MD at PBE+TS/light and labelled the kept frames at PBE+TS/tight:
# with `md_level` set, each run's frames are relabelled in chunks, one job each.
rule relabel_chunk:
    input:
        f"{RESULTS}/{{molecule}}/md/{{campaign}}/{{run}}/frames.extxyz",
    output:
        temp(
            f"{RESULTS}/{{molecule}}/md/{{campaign}}/{{run}}/relabel/chunk{{chunk}}.extxyz"
        ),
    log:
        f"{LOGS}/relabel_chunk/{{molecule}}_{{campaign}}_{{run}}_{{chunk}}.log",
    benchmark:
        f"{BENCHMARKS}/relabel_chunk/{{molecule}}_{{campaign}}_{{run}}_{{chunk}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 1
    params:
        level=molecule_level,
        part=lambda wc: (int(wc.chunk), n_relabel_chunks(wc)),
    script:
        "../scripts/relabel_chunk.py"


rule gather_labels:
    input:
        relabel_chunks,
    output:
        f"{RESULTS}/{{molecule}}/md/{{campaign}}/{{run}}/labelled.extxyz",
    log:
        f"{LOGS}/gather_labels/{{molecule}}_{{campaign}}_{{run}}.log",
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        level=molecule_level,
    script:
        "../scripts/gather_labels.py"
