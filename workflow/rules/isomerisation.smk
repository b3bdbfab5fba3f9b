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
        level=lambda wc: reference_options(),
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
        level=lambda wc: reference_options(),
        settings=lambda wc: molecule_config(wc)["isomerisation"].get(
            "optimised_rotation", {}
        ),
    script:
        "../scripts/optimised_rotation_path.py"


rule isomerisation_single_points:
    input:
        paths=lambda wc: [
            f"{RESULTS}/{wc.molecule}/paths/{name}.extxyz"
            for name in isomerisation_paths(wc.molecule)
        ],
    output:
        f"{RESULTS}/{{molecule}}/paths/single_points_{{level}}.csv",
    log:
        f"{LOGS}/isomerisation_single_points/{{molecule}}_{{level}}.log",
    benchmark:
        f"{BENCHMARKS}/isomerisation_single_points/{{molecule}}_{{level}}.tsv"
    conda:
        f"{ENVS}/sampling.yaml"
    threads: 2
    params:
        names=lambda wc: isomerisation_paths(wc.molecule),
        options=lambda wc: config["reference"].get(wc.level, {}),
    script:
        "../scripts/isomerisation_single_points.py"


rule isomerisation_table:
    input:
        profiles=isomerisation_profiles,
        single_points=lambda wc: expand(
            f"{RESULTS}/{{molecule}}/paths/single_points_{{level}}.csv",
            molecule=wc.molecule,
            level=molecule_config(wc)["isomerisation"].get("single_point_levels", []),
        ),
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
        level=lambda wc: reference_options(),
        single_point_levels=lambda wc: molecule_config(wc)["isomerisation"].get(
            "single_point_levels", []
        ),
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
        level=lambda wc: reference_options(),
    script:
        "../scripts/plot_isomerisation_profiles.py"
