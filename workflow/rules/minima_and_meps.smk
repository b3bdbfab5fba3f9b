# Minima and minimum-energy paths (paper Sec. II.A.1).


rule build_minimum:
    output:
        layout.built("{molecule}", "{minimum}"),
    log:
        log_file("build_minimum", "{molecule}_{minimum}"),
    benchmark:
        benchmark_file("build_minimum", "{molecule}_{minimum}")
    conda:
        env("sampling")
    params:
        build=lambda wc: plan.cvs.build_settings(wc.molecule, wc.minimum),
    script:
        "../scripts/build_minimum.py"


rule relax_minimum:
    input:
        geometry=lambda wc: plan.molecules.minimum_file(wc.molecule, wc.minimum),
        reference=lambda wc: plan.molecules.first_minimum_file(wc.molecule),
    output:
        layout.relaxed("{molecule}", "{minimum}"),
    log:
        log_file("relax_minimum", "{molecule}_{minimum}"),
    benchmark:
        benchmark_file("relax_minimum", "{molecule}_{minimum}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        relax=lambda wc: plan.molecules.settings(wc.molecule)["relax"],
    script:
        "../scripts/relax_minimum.py"


rule minimum_energy_path:
    input:
        unpack(lambda wc: plan.paths.mep_endpoints(wc.molecule)),
    output:
        path=layout.mep("{molecule}", "{method}"),
        profile=layout.mep("{molecule}", "{method}", "csv"),
        summary=layout.mep("{molecule}", "{method}", "json"),
    log:
        log_file("minimum_energy_path", "{molecule}_{method}"),
    benchmark:
        benchmark_file("minimum_energy_path", "{molecule}_{method}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        mep=lambda wc: plan.molecules.settings(wc.molecule)["mep"],
        torsions=lambda wc: plan.cvs.atoms(wc.molecule, kinds=("dihedral",)),
    script:
        "../scripts/minimum_energy_path.py"


# Dihedrals turned from one minimum to another, each frame relaxed at their values.
rule driven_path:
    input:
        unpack(lambda wc: plan.paths.driven_path_endpoints(wc.molecule, wc.name)),
    output:
        path=layout.driven_path("{molecule}", "{name}"),
        profile=layout.driven_path("{molecule}", "{name}", "csv"),
        summary=layout.driven_path("{molecule}", "{name}", "json"),
    log:
        log_file("driven_path", "{molecule}_{name}"),
    benchmark:
        benchmark_file("driven_path", "{molecule}_{name}")
    conda:
        env("sampling")
    params:
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
        path=lambda wc: plan.paths.driven_path_settings(wc.molecule, wc.name),
        torsions=lambda wc: plan.cvs.atoms(wc.molecule, kinds=("dihedral",)),
    script:
        "../scripts/driven_path.py"


rule mep_barrier_table:
    input:
        profiles=lambda wc: plan.paths.table_inputs(wc.molecule, "csv"),
        summaries=lambda wc: plan.paths.table_inputs(wc.molecule, "json"),
    output:
        csv=layout.table("{molecule}_mep_barriers"),
        markdown=layout.table("{molecule}_mep_barriers", "md"),
    log:
        log_file("mep_barrier_table", "{molecule}"),
    benchmark:
        benchmark_file("mep_barrier_table", "{molecule}")
    conda:
        env("analysis")
    params:
        methods=lambda wc: plan.paths.table_rows(wc.molecule),
        reference=lambda wc: (
            plan.molecules.settings(wc.molecule).get("mep") or {}
        ).get("reference_barrier_kcal_mol"),
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
    script:
        "../scripts/mep_barrier_table.py"


rule plot_mep_profiles:
    input:
        profiles=lambda wc: plan.paths.table_inputs(wc.molecule, "csv"),
    output:
        report(
            multiext(layout.figure_stem("{molecule}_mep_profiles"), ".pdf", ".png"),
            caption="../report/mep_profiles.rst",
            category="Paths",
        ),
    log:
        log_file("plot_mep_profiles", "{molecule}"),
    benchmark:
        benchmark_file("plot_mep_profiles", "{molecule}")
    conda:
        env("analysis")
    params:
        methods=lambda wc: plan.paths.table_rows(wc.molecule),
        level=lambda wc: plan.molecules.molecule_level(wc.molecule),
    script:
        "../scripts/plot_mep_profiles.py"
