# MD driven by a trained model (socket client of i-PI) from one frame of a path (paper Fig. 9).


rule ml_md:
    input:
        start=lambda wc: plan.ml_md.start_file(wc.start_path),
        models=lambda wc: plan.ml_md.fold_models(wc.start_path, wc.model),
        errors=lambda wc: plan.ml_md.fold_errors(wc.start_path, wc.model),
        records=lambda wc: plan.ml_md.fold_records(wc.start_path, wc.model),
        ends=lambda wc: plan.ml_md.end_minima(wc.start_path),
    output:
        frames=layout.ml_md_frames("{model}", "{start_path}", "{frame}"),
        outcome=layout.ml_md_outcome("{model}", "{start_path}", "{frame}"),
    log:
        log_file("ml_md", "{model}_{start_path}_frame{frame}"),
    benchmark:
        benchmark_file("ml_md", "{model}_{start_path}_frame{frame}")
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
        seed=lambda wc: plan.ml_md.seed(wc.start_path, wc.frame),
        selection=plan.training.selection,
        candidates=lambda wc: plan.ml_md.candidates(wc.start_path, wc.model),
        ipi_dir=lambda wc: layout.ml_md_ipi_dir(wc.model, wc.start_path, wc.frame),
    script:
        "../scripts/ml_md.py"


rule plot_fig9_ml_md:
    input:
        frames=lambda wc: plan.ml_md.frames(),
        outcomes=lambda wc: plan.ml_md.outcomes(),
    output:
        report(
            multiext(layout.figure_stem("fig9_ml_md"), ".pdf", ".png"),
            caption="../report/fig9_ml_md.rst",
            category="ML-driven MD",
        ),
        table=layout.table("ml_md_outcomes"),
        markdown=layout.table("ml_md_outcomes", "md"),
    log:
        log_file("plot_fig9_ml_md"),
    conda:
        env("analysis")
    script:
        "../scripts/plot_ml_md.py"
