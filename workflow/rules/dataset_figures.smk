# What the sampling produced: energy and distance distributions (paper Figs. 2 and 3).


rule plot_energy_distributions:
    input:
        unpack(lambda wc: plan.datasets.energy_distribution_inputs()),
    output:
        report(
            multiext(layout.figure_stem("fig2_energy_distributions"), ".pdf", ".png"),
            caption="../report/energy_distributions.rst",
            category="Datasets",
        ),
        table=layout.table("fig2_energy_distributions"),
    log:
        log_file("plot_energy_distributions", "fig2"),
    benchmark:
        benchmark_file("plot_energy_distributions", "fig2")
    conda:
        env("analysis")
    params:
        names=lambda wc: plan.figure_settings("energy_distributions")["datasets"],
        reference=lambda wc: plan.figure_settings("energy_distributions")[
            "reference_minimum"
        ],
    script:
        "../scripts/plot_energy_distributions.py"


rule plot_distance_distributions:
    input:
        lambda wc: plan.datasets.distance_distribution_inputs(),
    output:
        report(
            multiext(
                layout.figure_stem("fig3_distance_distributions"), ".pdf", ".png"
            ),
            caption="../report/distance_distributions.rst",
            category="Datasets",
        ),
    log:
        log_file("plot_distance_distributions", "fig3"),
    benchmark:
        benchmark_file("plot_distance_distributions", "fig3")
    conda:
        env("analysis")
    params:
        names=lambda wc: plan.figure_settings("distance_distributions")["datasets"],
        max_frames=lambda wc: plan.figure_settings("distance_distributions")[
            "max_frames"
        ],
        seed=plan.seed,
    script:
        "../scripts/plot_distance_distributions.py"
