"""The headline numbers next to the paper's, as CSV and markdown (rule summary_table)."""

from pathlib import Path

import pandas as pd

from flexmlff.audit import audit_line
from flexmlff.evaluate import equilibrium_to_transition_ratio, headline_table
from flexmlff.local_models import verdict_sentence
from flexmlff.md_statistics import summary_rows
from flexmlff.paper import PAPER_EQUILIBRIUM_TO_TRANSITION_RATIO
from flexmlff.path_errors import barrier_summary
from flexmlff.plots import model_label
from flexmlff.runlog import snakemake_step
from flexmlff.uncertainty import ordering


def interval(row, name: str) -> str:
    """`[low, high]` of a bootstrap interval in a row (a table written before them has none)."""
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    return f"[{low:.2f}, {high:.2f}]" if low is not None and pd.notna(low) else ""


with snakemake_step(snakemake) as log:
    table = headline_table(pd.read_csv(snakemake.input.curves))
    log.info("\n%s", table.round(3).to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    shown = table.assign(model=table["model"].map(model_label)).round(2)
    lines = [
        "# Headline numbers",
        "",
        "Best model per family (the paper's selection rules). Energies in kcal/mol, forces in "
        'kcal/(mol Å). Training points to the paper\'s "chemical accuracy", an energy RMSE below '
        "1 kcal/mol (`points_energy_below_1`), and to energy RMSE below 1 kcal/mol and force RMSE "
        "below 1 kcal/(mol Å) together (`points_energy_and_force_below_1`). Each paper number is "
        "set beside ours by the criterion the paper states for it (`paper_criterion`, "
        "`points_by_paper_criterion`): the energy, except glycine's sGDML and SchNet, whose 300 and "
        "400 points the paper gives for energies and forces. The paper's columns are PBE+TS with up "
        "to 1000 training points and 5 folds; ours are at this run's level, sizes and folds.",
        "",
        shown.to_markdown(index=False),
    ]
    lines += [
        "",
        "## Which model is better: paired bootstrap at the largest size",
        "",
        "Models on each dataset, best first by their RMSE on every fold's held-out frames pooled; "
        '"<": the 95 % interval of the paired RMSE difference (same frames resampled for both) '
        'excludes zero; "≈": it holds zero, the two are tied (results/tables/<dataset>_family_comparisons.csv).',
        "",
        "| dataset | training points | energy RMSE | force RMSE |",
        "|---|---|---|---|",
    ]
    for file in snakemake.input.comparisons:
        comparisons = pd.read_csv(file)
        if comparisons.empty:  # a dataset with one model: nothing to compare
            continue
        largest = comparisons[comparisons["n_train"] == comparisons["n_train"].max()]
        lines.append(
            f"| {largest['dataset'].iloc[0]} | {largest['n_train'].iloc[0]} | "
            f"{ordering(largest, 'energy', model_label)} | {ordering(largest, 'force', model_label)} |"
        )
    if snakemake.input.clusters:
        lines += [
            "",
            "## Fig. 7: errors near the minima over errors in the transition region",
            "",
            "Frame-weighted energy RMSE of the |φ| clusters 0-2 and 16-17 over that of clusters "
            f"4-13 (paper, SchNet: {PAPER_EQUILIBRIUM_TO_TRANSITION_RATIO:g}, in both panels).",
            "",
            "| model | trained on | training points | energy ratio [95 % interval] | force ratio [95 % interval] |",
            "|---|---|---|---|---|",
        ]
        for file in snakemake.input.clusters:
            clusters = pd.read_csv(file)
            first = clusters.iloc[0]
            energy = equilibrium_to_transition_ratio(clusters, "energy_rmse")
            force = equilibrium_to_transition_ratio(clusters, "force_rmse")
            log.info("%s: equilibrium/transition energy %.2f, force %.2f", file, energy, force)
            lines.append(
                f"| {model_label(first['model'])} | {first['trained_on']} | {first['n_train']} | "
                f"{energy:.2f} {interval(first, 'energy_ratio')} | {force:.2f} {interval(first, 'force_ratio')} |"
            )
    if snakemake.input.barriers:
        summary = barrier_summary(pd.read_csv(snakemake.input.barriers[0])).merge(
            table[["dataset", "model", "energy_rmse_at_largest", "force_rmse_at_largest"]],
            on=["dataset", "model"],
            how="left",
        )
        lines += [
            "",
            "## Barriers along the reference paths",
            "",
            "Each model's best fold of the largest size on the reference paths of its molecule "
            "(results/tables/barrier_errors.md): the mean absolute error of the barriers over the paths "
            "and the largest, beside the test-set RMSE (kcal/mol; forces kcal/(mol Å)).",
            "",
            "| dataset | model | test energy RMSE | test force RMSE | paths | mean abs barrier error "
            "| largest barrier error | on | same top frame |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in summary.itertuples():
            lines.append(
                f"| {row.dataset} | {model_label(row.model)} | {row.energy_rmse_at_largest:.2f} | "
                f"{row.force_rmse_at_largest:.2f} | {row.paths} | {row.mean_abs_barrier_error_kcal_mol:.2f} | "
                f"{row.largest_barrier_error_kcal_mol:+.2f} | {row.largest_on} | {row.same_top}/{row.paths} |"
            )
    if snakemake.input.local_models:
        table = pd.read_csv(snakemake.input.local_models[0])
        lines += ["", "## Local models against global ones", ""]
        lines += [
            f"- {verdict_sentence(rows.reset_index(drop=True), model_label)}"
            for _, rows in table.groupby("dataset", sort=False)
        ]
    if snakemake.input.ml_md:
        lines += [
            "",
            "## ML-driven MD against the reference level",
            "",
            "Runs from each start of Fig. 9 per family and by the reference level from the same "
            "starts and seeds (results/tables/ml_md_statistics.md): the most frequent end and its "
            "fraction, the failed fraction with its 95 % Wilson interval, the classes whose "
            "intervals are disjoint from the reference's, and the Jensen–Shannon distance of the "
            "transition coordinate's distribution (0 the same, 1 disjoint).",
            "",
            "| start | model | runs | ends in | reference ends in | failed | differs in | JS distance |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in summary_rows(
            pd.read_csv(snakemake.input.ml_md[0], keep_default_na=False, na_values=[""])
        ).itertuples():
            lines.append(
                f"| {row.start} | {model_label(row.model)} | {row.runs} | {row.ends_in} | {row.reference_ends_in} | "
                f"{row.failed} | {row.differs_in} | {row.js_distance:.2f} |"
            )
    if snakemake.input.audits:
        lines += [
            "",
            "## The dataset's level against another (audit)",
            "",
            "Errors of the dataset's labels against the audit level on the audited frames (energy "
            "after removing their mean offset); the worst cluster of the transition coordinate.",
            "",
            "| dataset | level | against | frames | energy RMSE | force RMSE | worst cluster (energy) |",
            "|---|---|---|---|---|---|---|",
        ]
        for file in snakemake.input.audits:
            lines.append(audit_line(pd.read_csv(file, dtype={"cluster": str})))
    Path(snakemake.output.markdown).write_text("\n".join(lines) + "\n")
