# Minima and minimum-energy paths (paper Sec. II.A.1).


rule relax_minimum:
    input:
        geometry=minimum_file,
        reference=first_minimum_file,
    output:
        f"{RESULTS}/{{molecule}}/minima/{{minimum}}.extxyz",
    log:
        f"{LOGS}/relax_minimum/{{molecule}}_{{minimum}}.log",
    benchmark:
        f"{BENCHMARKS}/relax_minimum/{{molecule}}_{{minimum}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        level=molecule_level,
        relax=lambda wc: molecule_config(wc).get("relax", {}),
    script:
        "../scripts/relax_minimum.py"


rule minimum_energy_path:
    input:
        unpack(mep_endpoints),
    output:
        path=f"{RESULTS}/{{molecule}}/mep/{{method}}.extxyz",
        profile=f"{RESULTS}/{{molecule}}/mep/{{method}}.csv",
        summary=f"{RESULTS}/{{molecule}}/mep/{{method}}.json",
    log:
        f"{LOGS}/minimum_energy_path/{{molecule}}_{{method}}.log",
    benchmark:
        f"{BENCHMARKS}/minimum_energy_path/{{molecule}}_{{method}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        level=molecule_level,
        mep=lambda wc: molecule_config(wc)["mep"],
    script:
        "../scripts/minimum_energy_path.py"


rule mep_barrier_table:
    input:
        profiles=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/mep/{{method}}.csv",
            molecule=wc.molecule,
            method=mep_methods(wc.molecule),
        ),
        summaries=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/mep/{{method}}.json",
            molecule=wc.molecule,
            method=mep_methods(wc.molecule),
        ),
    output:
        csv=f"{RESULTS}/tables/{{molecule}}_mep_barriers.csv",
        markdown=f"{RESULTS}/tables/{{molecule}}_mep_barriers.md",
    log:
        f"{LOGS}/mep_barrier_table/{{molecule}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        methods=lambda wc: mep_methods(wc.molecule),
        reference=lambda wc: molecule_config(wc)["mep"].get(
            "reference_barrier_kcal_mol"
        ),
        level=molecule_level,
    script:
        "../scripts/mep_barrier_table.py"


rule plot_mep_profiles:
    input:
        profiles=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/mep/{{method}}.csv",
            molecule=wc.molecule,
            method=mep_methods(wc.molecule),
        ),
    output:
        report(
            multiext(f"{RESULTS}/figures/{{molecule}}_mep_profiles", ".pdf", ".png"),
            caption="../report/mep_profiles.rst",
            category="Paths",
        ),
    log:
        f"{LOGS}/plot_mep_profiles/{{molecule}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        methods=lambda wc: mep_methods(wc.molecule),
        level=molecule_level,
    script:
        "../scripts/plot_mep_profiles.py"
