# What the sampling produced: energy and distance distributions (paper Figs. 2 and 3).


rule plot_energy_distributions:
    input:
        unpack(energy_distribution_inputs),
    output:
        report(
            multiext(f"{RESULTS}/figures/fig2_energy_distributions", ".pdf", ".png"),
            caption="../report/energy_distributions.rst",
            category="Datasets",
        ),
        table=f"{RESULTS}/tables/fig2_energy_distributions.csv",
    log:
        f"{LOGS}/plot_energy_distributions/fig2.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        names=lambda wc: config["figures"]["energy_distributions"]["datasets"],
        reference=lambda wc: config["figures"]["energy_distributions"][
            "reference_minimum"
        ],
    script:
        "../scripts/plot_energy_distributions.py"


rule plot_distance_distributions:
    input:
        lambda wc: [
            dataset_npz(name)
            for name in config["figures"]["distance_distributions"]["datasets"]
        ],
    output:
        report(
            multiext(f"{RESULTS}/figures/fig3_distance_distributions", ".pdf", ".png"),
            caption="../report/distance_distributions.rst",
            category="Datasets",
        ),
    log:
        f"{LOGS}/plot_distance_distributions/fig3.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        names=lambda wc: config["figures"]["distance_distributions"]["datasets"],
        max_frames=lambda wc: config["figures"]["distance_distributions"].get(
            "max_frames", 1000
        ),
        seed=config.get("seed", 2021),
    script:
        "../scripts/plot_distance_distributions.py"
