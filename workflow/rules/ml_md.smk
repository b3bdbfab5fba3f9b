# MD driven by a trained model (socket client of i-PI) from one frame of a path (paper Fig. 9),
# in replicas, beside the same starts and seeds driven by the reference level (issue 33).


rule ml_md:
    input:
        start=lambda wc: plan.ml_md.start_file(wc.start_path),
        models=lambda wc: plan.ml_md.fold_models(wc.start_path, wc.model),
        errors=lambda wc: plan.ml_md.fold_errors(wc.start_path, wc.model),
        records=lambda wc: plan.ml_md.fold_records(wc.start_path, wc.model),
        ends=lambda wc: plan.ml_md.end_minima(wc.start_path),
    output:
        frames=layout.ml_md_frames("{model}", "{start_path}", "{frame}", "{replica}"),
        outcome=layout.ml_md_outcome("{model}", "{start_path}", "{frame}", "{replica}"),
    log:
        log_file("ml_md", "{model}_{start_path}_frame{frame}_replica{replica}"),
    benchmark:
        benchmark_file("ml_md", "{model}_{start_path}_frame{frame}_replica{replica}")
    wildcard_constraints:
        # the reference level's runs are reference_md's
        model=f"(?!{layout.ml_md_reference}/)[^/]+",
    conda:
        model_env
    threads: 1
    params:
        cvs=lambda wc: plan.cvs.atoms(
            plan.ml_md.molecule(wc.start_path), kinds=("angle", "dihedral")
        ),
        end_names=lambda wc: plan.paths.molecule_ends(
            plan.ml_md.molecule(wc.start_path), wc.start_path
        ),
        settings=lambda wc: plan.figure_settings("ml_md"),
        path=lambda wc: plan.ml_md.start(wc.start_path),
        molecule=lambda wc: plan.ml_md.molecule(wc.start_path),
        outcome=lambda wc: plan.datasets.transition_outcome(
            plan.ml_md.start(wc.start_path)["dataset"]
        ),
        seed=lambda wc: plan.ml_md.seed(wc.start_path, wc.frame, wc.replica),
        selection=plan.training.selection,
        candidates=lambda wc: plan.ml_md.candidates(wc.start_path, wc.model),
        ipi_dir=lambda wc: layout.ml_md_ipi_dir(
            wc.model, wc.start_path, wc.frame, wc.replica
        ),
    script:
        "../scripts/ml_md.py"


# The same starts and seeds with the dataset's reference level as i-PI's client: the
# dynamics the models' runs are compared with (results/tables/ml_md_statistics).
rule reference_md:
    input:
        start=lambda wc: plan.ml_md.start_file(wc.start_path),
        ends=lambda wc: plan.ml_md.end_minima(wc.start_path),
    output:
        frames=layout.ml_md_frames(
            layout.ml_md_reference, "{start_path}", "{frame}", "{replica}"
        ),
        outcome=layout.ml_md_outcome(
            layout.ml_md_reference, "{start_path}", "{frame}", "{replica}"
        ),
    log:
        log_file("reference_md", "{start_path}_frame{frame}_replica{replica}"),
    benchmark:
        benchmark_file("reference_md", "{start_path}_frame{frame}_replica{replica}")
    conda:
        env("sampling")
    threads: 1
    params:
        cvs=lambda wc: plan.cvs.atoms(
            plan.ml_md.molecule(wc.start_path), kinds=("angle", "dihedral")
        ),
        end_names=lambda wc: plan.paths.molecule_ends(
            plan.ml_md.molecule(wc.start_path), wc.start_path
        ),
        settings=lambda wc: plan.figure_settings("ml_md"),
        path=lambda wc: plan.ml_md.start(wc.start_path),
        molecule=lambda wc: plan.ml_md.molecule(wc.start_path),
        outcome=lambda wc: plan.datasets.transition_outcome(
            plan.ml_md.start(wc.start_path)["dataset"]
        ),
        seed=lambda wc: plan.ml_md.seed(wc.start_path, wc.frame, wc.replica),
        level=lambda wc: plan.ml_md.reference_level(wc.start_path),
        ipi_dir=lambda wc: layout.ml_md_ipi_dir(
            layout.ml_md_reference, wc.start_path, wc.frame, wc.replica
        ),
    script:
        "../scripts/ml_md.py"


rule plot_fig9_ml_md:
    input:
        outcomes=lambda wc: plan.ml_md.figure_outcomes(),
    output:
        report(
            multiext(layout.figure_stem("fig9_ml_md"), ".pdf", ".png"),
            caption="../report/fig9_ml_md.rst",
            category="ML-driven MD",
        ),
    log:
        log_file("plot_fig9_ml_md"),
    benchmark:
        benchmark_file("plot_fig9_ml_md", "all")
    conda:
        env("analysis")
    script:
        "../scripts/plot_ml_md.py"


# Every replica of every start: outcome fractions with Wilson intervals beside the
# reference's, survival against time and the transition coordinate's distribution.
rule ml_md_statistics:
    input:
        outcomes=lambda wc: plan.ml_md.outcomes(),
    output:
        report(
            multiext(layout.figure_stem("ml_md_survival"), ".pdf", ".png"),
            caption="../report/ml_md_survival.rst",
            category="ML-driven MD",
        ),
        runs=layout.table("ml_md_outcomes"),
        runs_markdown=layout.table("ml_md_outcomes", "md"),
        table=layout.table("ml_md_statistics"),
        markdown=layout.table("ml_md_statistics", "md"),
    log:
        log_file("ml_md_statistics"),
    benchmark:
        benchmark_file("ml_md_statistics", "all")
    conda:
        env("analysis")
    script:
        "../scripts/ml_md_statistics.py"
