# Learning curves: best model and fold mean per training size (paper Figs. 4-5).


rule learning_curve_table:
    input:
        model_errors,
    output:
        f"{RESULTS}/tables/{{dataset}}_learning_curve.csv",
    log:
        f"{LOGS}/learning_curve_table/{{dataset}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    params:
        force_tolerance=model_settings("sgdml").get("selection_force_tolerance", 0.1),
    script:
        "../scripts/learning_curve_table.py"


rule plot_learning_curve:
    input:
        f"{RESULTS}/tables/{{dataset}}_learning_curve.csv",
    output:
        report(
            multiext(f"{RESULTS}/figures/{{dataset}}_learning_curve", ".pdf", ".png"),
            caption="../report/learning_curve.rst",
            category="Learning curves",
        ),
    log:
        f"{LOGS}/plot_learning_curve/{{dataset}}.log",
    conda:
        f"{ENVS}/analysis.yaml"
    script:
        "../scripts/plot_learning_curve.py"
