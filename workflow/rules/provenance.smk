# What a run used: the effective configuration, every default filled in.


rule effective_config:
    output:
        layout.effective_config(),
    log:
        log_file("effective_config"),
    benchmark:
        benchmark_file("effective_config", "all")
    conda:
        env("analysis")
    params:
        # a changed value reruns this rule, so the file always matches the last run
        config=config,
    script:
        "../scripts/effective_config.py"
