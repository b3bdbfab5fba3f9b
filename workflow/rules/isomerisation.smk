# Azobenzene cis->trans paths by driven internal coordinates, the optimised
# rotation path and the barrier table (paper Sec. II.B.1, Table I, Fig. S1).


rule isomerisation_path:
    input:
        unpack(isomerisation_endpoints),
    output:
        path=f"{RESULTS}/{{molecule}}/paths/{{mechanism}}.extxyz",
        profile=f"{RESULTS}/{{molecule}}/paths/{{mechanism}}.csv",
    log:
        f"{LOGS}/isomerisation_path/{{molecule}}_{{mechanism}}.log",
    benchmark:
        f"{BENCHMARKS}/isomerisation_path/{{molecule}}_{{mechanism}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        level=molecule_level,
        settings=lambda wc: molecule_config(wc)["isomerisation"],
    script:
        "../scripts/isomerisation_path.py"


rule optimised_rotation_path:
    input:
        rotation=f"{RESULTS}/{{molecule}}/paths/rotation.extxyz",
    output:
        path=f"{RESULTS}/{{molecule}}/paths/optimised_rotation.extxyz",
        profile=f"{RESULTS}/{{molecule}}/paths/optimised_rotation.csv",
    log:
        f"{LOGS}/optimised_rotation_path/{{molecule}}.log",
    benchmark:
        f"{BENCHMARKS}/optimised_rotation_path/{{molecule}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    params:
        level=molecule_level,
        settings=lambda wc: molecule_config(wc)["isomerisation"].get(
            "optimised_rotation", {}
        ),
    script:
        "../scripts/optimised_rotation_path.py"


# Single points at a further level: one job per frame, so a killed DFT run keeps
# the frames it finished and `--cores N` computes N frames at once.
rule single_point_minimum:
    input:
        lambda wc: relaxed(wc.molecule, wc.minimum),
    output:
        f"{RESULTS}/{{molecule}}/single_points/{{level}}/minimum_{{minimum}}.json",
    log:
        f"{LOGS}/single_point/{{molecule}}_{{level}}_minimum_{{minimum}}.log",
    benchmark:
        f"{BENCHMARKS}/single_point/{{molecule}}_{{level}}_minimum_{{minimum}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 2
    params:
        level=lambda wc: level_spec(wc.level),
    script:
        "../scripts/highest_frame_single_point.py"


rule single_point_path_top:
    input:
        f"{RESULTS}/{{molecule}}/paths/{{path}}.extxyz",
    output:
        f"{RESULTS}/{{molecule}}/single_points/{{level}}/{{path}}_highest.json",
    log:
        f"{LOGS}/single_point/{{molecule}}_{{level}}_{{path}}_highest.log",
    benchmark:
        f"{BENCHMARKS}/single_point/{{molecule}}_{{level}}_{{path}}_highest.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 2
    params:
        level=lambda wc: level_spec(wc.level),
    script:
        "../scripts/highest_frame_single_point.py"


rule isomerisation_table:
    input:
        profiles=isomerisation_profiles,
        single_points=isomerisation_single_points,
        mep_profiles=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/mep/{{method}}.csv",
            molecule=wc.molecule,
            method=mep_methods(wc.molecule) if molecule_config(wc).get("mep") else [],
        ),
        mep_summaries=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/mep/{{method}}.json",
            molecule=wc.molecule,
            method=mep_methods(wc.molecule) if molecule_config(wc).get("mep") else [],
        ),
    output:
        csv=f"{RESULTS}/tables/{{molecule}}_isomerisation_barriers.csv",
        markdown=f"{RESULTS}/tables/{{molecule}}_isomerisation_barriers.md",
    log:
        f"{LOGS}/isomerisation_table/{{molecule}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        paths=lambda wc: isomerisation_paths(wc.molecule),
        ends=lambda wc: [
            molecule_config(wc)["isomerisation"][end] for end in ("start", "end")
        ],
        level=molecule_level,
        single_point_levels=lambda wc: {
            name: level_spec(name)
            for name in molecule_config(wc)["isomerisation"].get(
                "single_point_levels", []
            )
        },
    script:
        "../scripts/isomerisation_table.py"


rule plot_isomerisation_profiles:
    input:
        profiles=isomerisation_profiles,
    output:
        report(
            multiext(
                f"{RESULTS}/figures/{{molecule}}_isomerisation_profiles",
                ".pdf",
                ".png",
            ),
            caption="../report/isomerisation_profiles.rst",
            category="Paths",
        ),
    log:
        f"{LOGS}/plot_isomerisation_profiles/{{molecule}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        paths=lambda wc: isomerisation_paths(wc.molecule),
        level=molecule_level,
    script:
        "../scripts/plot_isomerisation_profiles.py"
