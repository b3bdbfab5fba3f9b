# Learning curves of one dataset: best model and fold mean per training size (paper Figs. 4-5).


rule learning_curve_table:
    input:
        lambda wc: plan.dataset_family_errors(wc.dataset),
    output:
        layout.table("{dataset}_learning_curve"),
    log:
        log_file("learning_curve_table", "{dataset}"),
    conda:
        env("analysis")
    params:
        selection=plan.selection,
    script:
        "../scripts/learning_curve_table.py"


rule plot_learning_curve:
    input:
        layout.table("{dataset}_learning_curve"),
    output:
        report(
            multiext(layout.figure_stem("{dataset}_learning_curve"), ".pdf", ".png"),
            caption="../report/learning_curve.rst",
            category="Learning curves",
        ),
    log:
        log_file("plot_learning_curve", "{dataset}"),
    conda:
        env("analysis")
    script:
        "../scripts/plot_learning_curve.py"
