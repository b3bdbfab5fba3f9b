# Constant-temperature MD with i-PI as the engine and the reference level as its
# socket client (paper Sec. II.A.2).


rule md_run:
    input:
        start=md_start,
    output:
        frames=f"{RESULTS}/{{molecule}}/md/{{run}}/frames.extxyz",
    log:
        f"{LOGS}/md_run/{{molecule}}_{{run}}.log",
    benchmark:
        f"{BENCHMARKS}/md_run/{{molecule}}_{{run}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 1
    params:
        settings=lambda wc: molecule_config(wc)["md"][wc.run],
        level=lambda wc: reference_options(),
        ipi_dir=lambda wc: f"{RESULTS}/{wc.molecule}/md/{wc.run}/ipi",
    script:
        "../scripts/md_run.py"
