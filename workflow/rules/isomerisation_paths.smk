# Azobenzene cis->trans paths by driven internal coordinates, the optimised
# rotation path and the barrier table (paper Sec. II.B.1, Table I, Fig. S1).


rule isomerisation_path:
    input:
        unpack(lambda wc: plan.paths.isomerisation_endpoints(wc.molecule)),
    output:
        path=layout.path("{molecule}", "{mechanism}"),
        profile=layout.path("{molecule}", "{mechanism}", "csv"),
    log:
        log_file("isomerisation_path", "{molecule}_{mechanism}"),
    benchmark:
        benchmark_file("isomerisation_path", "{molecule}_{mechanism}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        settings=lambda wc: plan.molecules.settings(wc.molecule)["isomerisation"],
        rotor=lambda wc: plan.paths.isomerisation_rotor(wc.molecule),
    script:
        "../scripts/isomerisation_path.py"


rule optimised_rotation_path:
    input:
        rotation=layout.path("{molecule}", "rotation"),
    output:
        path=layout.path("{molecule}", "{optimised}"),
        profile=layout.path("{molecule}", "{optimised}", "csv"),
    log:
        log_file("optimised_rotation_path", "{molecule}_{optimised}"),
    benchmark:
        benchmark_file("optimised_rotation_path", "{molecule}_{optimised}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        settings=lambda wc: plan.molecules.settings(wc.molecule)["isomerisation"][
            "optimised_rotation"
        ],
        relax=lambda wc: plan.paths.optimised_rotation_relax(wc.molecule, wc.optimised),
        rotor=lambda wc: plan.paths.isomerisation_rotor(wc.molecule),
    script:
        "../scripts/optimised_rotation_path.py"


# Single points at a further level: one job per frame, so a killed DFT run keeps
# the frames it finished and `--cores N` computes N frames at once. A minimum is
# a one-frame path, so both rules take the highest frame of their input.
rule single_point_path_top:
    input:
        layout.path("{molecule}", "{path}"),
    output:
        layout.single_point("{molecule}", "{level}", "{path}_highest"),
    log:
        log_file("single_point", "{molecule}_{level}_{path}_highest"),
    benchmark:
        benchmark_file("single_point", "{molecule}_{level}_{path}_highest")
    conda:
        env("sampling")
    threads: 2
    params:
        level=lambda wc: plan.molecules.level(wc.level),
    script:
        "../scripts/highest_frame_single_point.py"


use rule single_point_path_top as single_point_minimum with:
    input:
        layout.relaxed("{molecule}", "{minimum}"),
    output:
        layout.single_point("{molecule}", "{level}", "minimum_{minimum}"),
    log:
        log_file("single_point", "{molecule}_{level}_minimum_{minimum}"),
    benchmark:
        benchmark_file("single_point", "{molecule}_{level}_minimum_{minimum}")


rule isomerisation_table:
    input:
        profiles=lambda wc: plan.paths.isomerisation_profiles(wc.molecule),
        single_points=lambda wc: plan.paths.isomerisation_single_points(wc.molecule),
        mep_profiles=lambda wc: plan.paths.mep_outputs(wc.molecule, "csv"),
        mep_summaries=lambda wc: plan.paths.mep_outputs(wc.molecule, "json"),
    output:
        csv=layout.table("{molecule}_isomerisation_barriers"),
        markdown=layout.table("{molecule}_isomerisation_barriers", "md"),
    log:
        log_file("isomerisation_table", "{molecule}"),
    benchmark:
        benchmark_file("isomerisation_table", "{molecule}")
    conda:
        env("analysis")
    params:
        paths=lambda wc: plan.paths.isomerisation_paths(wc.molecule),
        relaxed=lambda wc: plan.paths.optimised_rotation_variants(wc.molecule),
        ends=lambda wc: plan.paths.isomerisation_ends(wc.molecule),
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        single_point_levels=lambda wc: plan.paths.single_point_levels(wc.molecule),
    script:
        "../scripts/isomerisation_table.py"


rule plot_isomerisation_profiles:
    input:
        profiles=lambda wc: plan.paths.isomerisation_profiles(wc.molecule),
    output:
        report(
            multiext(
                layout.figure_stem("{molecule}_isomerisation_profiles"), ".pdf", ".png"
            ),
            caption="../report/isomerisation_profiles.rst",
            category="Paths",
        ),
    log:
        log_file("plot_isomerisation_profiles", "{molecule}"),
    benchmark:
        benchmark_file("plot_isomerisation_profiles", "{molecule}")
    conda:
        env("analysis")
    params:
        paths=lambda wc: plan.paths.isomerisation_paths(wc.molecule),
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
    script:
        "../scripts/plot_isomerisation_profiles.py"
