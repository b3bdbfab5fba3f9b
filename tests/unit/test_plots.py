"""The data behind every figure of flexmlff.plots, checked on small synthetic tables
shaped like those the workflow's plot_*.py scripts pass in."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from flexmlff import plots  # noqa: E402
from flexmlff.models import describe  # noqa: E402

METRICS = ("energy_rmse", "force_rmse")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- helpers -----------------------------------------------------------------------


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def labelled(ax, label):
    """The one line of `ax` with this legend label."""
    found = [line for line in ax.lines if line.get_label() == label]
    assert len(found) == 1, (label, [line.get_label() for line in ax.lines])
    return found[0]


def errorbar(ax, label):
    found = [c for c in ax.containers if c.get_label() == label]
    assert len(found) == 1, (label, [c.get_label() for c in ax.containers])
    return found[0]


def errorbar_bounds(container):
    """(x, lower, upper) of each vertical error bar of an ErrorbarContainer."""
    segments = container.lines[2][0].get_segments()
    return np.array([[s[0, 0], s[:, 1].min(), s[:, 1].max()] for s in segments])


def band(collection):
    """{x: (lower, upper)} of a fill_between polygon."""
    vertices = collection.get_paths()[0].vertices
    return {
        x: (vertices[vertices[:, 0] == x, 1].min(), vertices[vertices[:, 0] == x, 1].max())
        for x in np.unique(vertices[:, 0])
    }


def horizontal_lines(ax):
    """y of every axhline of `ax` (lines whose x data is in axes coordinates [0, 1])."""
    return sorted(
        line.get_ydata()[0] for line in ax.lines if list(line.get_xdata()) == [0, 1] and len(set(line.get_ydata())) == 1
    )


def step_histogram(line):
    """(bin edges, per-bin heights) of a seaborn histplot element="step", fill=False line."""
    xy = line.get_xydata()
    return xy[:, 0], xy[:-1, 1]


def bar_data(ax):
    """(centre, height) of each bar of `ax`."""
    return np.array([[p.get_x() + p.get_width() / 2, p.get_height()] for p in ax.patches])


# --- synthetic inputs --------------------------------------------------------------


def learning_curve_table(dataset="glycine", models=("gap", "sgdml"), sizes=(50, 100, 200, 400), seed=0):
    """Rows like flexmlff.evaluate.learning_curve: every best/mean/std column distinct, rows shuffled."""
    rng = np.random.default_rng(seed)
    rows = []
    for m, model in enumerate(models):
        for n in sizes:
            base = 10.0 * (m + 1) / np.sqrt(n)
            row = {"dataset": dataset, "model": model, "n_train": n, "n_folds": 5, "best_fold": 2}
            for k, metric in enumerate(METRICS):
                scale = 1.0 + 4.0 * k  # forces ~5x the energies
                row[f"best_{metric}"] = base * scale * rng.uniform(0.6, 0.8)
                row[f"mean_{metric}"] = base * scale * rng.uniform(0.9, 1.1)
                row[f"std_{metric}"] = base * scale * rng.uniform(0.1, 0.3)
                row[f"best_{metric}_low"] = row[f"best_{metric}"] * 0.9
                row[f"best_{metric}_high"] = row[f"best_{metric}"] * 1.2
            rows.append(row)
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


def cluster_table(model, trained_on, seed):
    """Rows like workflow/scripts/phi_cluster_errors.py: 18 φ clusters, two empty (NaN errors)."""
    rng = np.random.default_rng(seed)
    n_frames = rng.integers(1, 40, 18)
    n_frames[[5, 11]] = 0
    energy = rng.uniform(0.2, 3.0, 18)
    force = rng.uniform(2.0, 9.0, 18)
    energy[n_frames == 0] = force[n_frames == 0] = np.nan
    table = pd.DataFrame(
        {
            "cluster": np.arange(18),
            "phi_from_deg": 10.0 * np.arange(18),
            "phi_to_deg": 10.0 * np.arange(1, 19),
            "n_frames": n_frames,
            "population": n_frames / n_frames.sum(),
            "energy_rmse": energy,
            "force_rmse": force,
            "energy_mae": energy / 2,
            "force_mae": force / 2,
        }
    )
    for key, value in {
        "model": model,
        "trained_on": trained_on,
        "n_train": 400,
        "best_fold": 3,
        "evaluated_on": "metadynamics",
        "overall_energy_rmse": 1.234,
        "overall_force_rmse": 5.678,
    }.items():
        table[key] = value
    return table


def profile(n_images, top, seed, length_A=7.3):
    """A path profile like flexmlff.mep.path_profile (image, path_coordinate_A, energy relative to image 0)."""
    rng = np.random.default_rng(seed)
    coordinate = np.concatenate([[0.0], np.cumsum(rng.uniform(0.2, 1.0, n_images - 1))])
    coordinate *= length_A / coordinate[-1]
    energy = top * np.sin(np.linspace(0, np.pi, n_images)) + np.linspace(0, -0.3 * top, n_images)
    energy[0] = 0.0
    return pd.DataFrame({"image": np.arange(n_images), "path_coordinate_A": coordinate, "energy_kcal_mol": energy})


# --- save_figure -------------------------------------------------------------------


def test_save_figure_writes_pdf_and_png_and_closes(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    pdf, png = tmp_path / "figure.pdf", tmp_path / "figure.png"
    plots.save_figure(fig, [str(pdf), str(png)])
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    image = plt.imread(png)
    assert image.ndim == 3 and image.shape[0] > 50 and image.shape[1] > 50
    assert not plt.fignum_exists(fig.number)


def test_save_figure_accepts_a_single_path(tmp_path):
    fig, _ = plt.subplots()
    plots.save_figure(fig, tmp_path / "only.png")
    assert (tmp_path / "only.png").read_bytes().startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == [tmp_path / "only.png"]


def one_panel(fig, n_lines):
    """The figure's only axes, holding `n_lines` lines."""
    assert len(fig.axes) == 1
    assert len(fig.axes[0].lines) == n_lines
    return fig.axes[0]


# --- mep_profiles ------------------------------------------------------------------


def test_mep_profiles_normalised_coordinate_and_energies():
    profiles = {"NEB": profile(9, 12.345, seed=1), "string": profile(13, 8.0, seed=2, length_A=5.1)}
    ax = one_panel(plots.mep_profiles(profiles, "glycine: minimum-energy path"), n_lines=2)
    for line, (method, table) in zip(ax.lines, profiles.items()):
        xy = line.get_xydata()
        s = table["path_coordinate_A"] / table["path_coordinate_A"].iloc[-1]
        np.testing.assert_allclose(xy[:, 0], s)
        assert xy[0, 0] == 0.0 and xy[-1, 0] == 1.0
        np.testing.assert_allclose(xy[:, 1], table["energy_kcal_mol"])
        assert line.get_label() == f"{method} (max {table['energy_kcal_mol'].max():.2f} kcal/mol)"
    assert legend_texts(ax) == [line.get_label() for line in ax.lines]
    assert [line.get_marker() for line in ax.lines] == ["o", "s"]
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--"]
    assert ax.get_ylabel() == plots.ENERGY_LABEL and "kcal" in ax.get_ylabel()
    assert ax.get_xlabel() == "normalised path coordinate"
    assert ax.get_title() == "glycine: minimum-energy path"


# --- learning_curves ---------------------------------------------------------------


def test_learning_curves_best_line_with_its_interval_and_mean_with_its_spread():
    curve = learning_curve_table()
    fig = plots.learning_curves(curve, "glycine: test errors")
    assert len(fig.axes) == 2
    assert fig._suptitle.get_text() == "glycine: test errors"
    sizes = [50, 100, 200, 400]
    for ax, metric in zip(fig.axes, METRICS):
        # per model: its best line, the band of its interval, its mean line, the band of its spread
        bands = [band(collection) for collection in ax.collections]
        assert len(bands) == 4
        for k, model in enumerate(("gap", "sgdml")):
            rows = curve[curve["model"] == model].sort_values("n_train")
            best = labelled(ax, describe(model).label)
            np.testing.assert_allclose(best.get_xydata()[:, 0], sizes)
            np.testing.assert_allclose(best.get_xydata()[:, 1], rows[f"best_{metric}"])
            interval, spread = bands[2 * k], bands[2 * k + 1]
            for n, low, high in zip(sizes, rows[f"best_{metric}_low"], rows[f"best_{metric}_high"]):
                assert interval[n] == pytest.approx((low, high))
            for n, mean, std in zip(sizes, rows[f"mean_{metric}"], rows[f"std_{metric}"]):
                assert spread[n] == pytest.approx((mean - std, mean + std))
            mean = [line for line in ax.lines if line.get_linestyle() == "--" and line.get_color() == best.get_color()]
            assert len(mean) == 1
            np.testing.assert_allclose(mean[0].get_xydata()[:, 1], rows[f"mean_{metric}"])
        assert to_rgba(labelled(ax, "GAP/SOAP").get_color()) != to_rgba(labelled(ax, "sGDML [1/r]").get_color())
        assert horizontal_lines(ax) == [1.0]
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        np.testing.assert_allclose(ax.get_xticks(), sizes)
        assert [t.get_text() for t in ax.get_xticklabels()] == [str(n) for n in sizes]
        assert ax.get_xlabel() == "training points"
    assert "energy RMSE" in fig.axes[0].get_ylabel() and "kcal mol" in fig.axes[0].get_ylabel()
    assert "force RMSE" in fig.axes[1].get_ylabel() and "Å" in fig.axes[1].get_ylabel()
    # one legend, outside the force panel, one entry per model
    assert fig.axes[0].get_legend() is None
    legend = fig.axes[1].get_legend()
    assert legend_texts(fig.axes[1]) == ["GAP/SOAP", "sGDML [1/r]"] and legend._loc == 2
    assert legend.get_bbox_to_anchor().bounds[0] > fig.axes[1].get_window_extent().x1 - 1


# --- isomerisation_profiles --------------------------------------------------------


def test_isomerisation_profiles_energy_by_frame():
    profiles = {
        "rotation": profile(11, 35.0, seed=3),
        "inversion": profile(11, 28.4, seed=4),
        "rotation_inversion": profile(15, 45.66, seed=5),
        "optimised_rotation": profile(9, 31.0, seed=6),
        "custom": profile(7, 50.0, seed=7),
    }
    profiles["rotation_inversion"].loc[7, "energy_kcal_mol"] = 45.66  # its highest frame
    ax = one_panel(plots.isomerisation_profiles(profiles, "azobenzene cis → trans"), n_lines=5)
    for line, (name, table) in zip(ax.lines, profiles.items()):
        xy = line.get_xydata()
        np.testing.assert_array_equal(xy[:, 0], table["image"])
        np.testing.assert_allclose(xy[:, 1], table["energy_kcal_mol"])
    assert legend_texts(ax) == [
        f"{label} (max {profiles[name]['energy_kcal_mol'].max():.1f})"
        for name, label in (
            ("rotation", "rotation"),
            ("inversion", "inversion"),
            ("rotation_inversion", "rotation + inversion"),
            ("optimised_rotation", "optimised rotation"),
            ("custom", "custom"),
        )
    ]
    assert "(max 45.7)" in legend_texts(ax)[2]
    assert [line.get_marker() for line in ax.lines] == ["o", "s", "^", "D", "o"]
    assert ax.get_ylabel() == plots.ENERGY_LABEL
    assert ax.get_xlabel().startswith("frame")
    assert ax.get_title() == "azobenzene cis → trans"


# --- energy_distributions ----------------------------------------------------------


def test_energy_distributions_counts_on_shared_bins():
    rng = np.random.default_rng(8)
    by_campaign = {"md_300K": rng.gamma(2.0, 2.0, 40), "metadynamics": 5.0 + rng.gamma(3.0, 4.0, 25)}
    by_dataset = {
        "glycine": np.concatenate(list(by_campaign.values())),
        "glycine_eq": by_campaign["md_300K"][:30] + 0.5,
    }
    fig = plots.energy_distributions(by_campaign, by_dataset, "Ip")
    assert len(fig.axes) == 2
    every = np.concatenate([*by_campaign.values(), *by_dataset.values()])
    bins = np.linspace(every.min(), every.max(), 61)
    for ax, groups, title in zip(fig.axes, (by_campaign, by_dataset), ("(a) MD campaigns", "(b) datasets")):
        assert len(ax.lines) == len(groups)
        for line, energies in zip(ax.lines, groups.values()):
            edges, counts = step_histogram(line)
            np.testing.assert_allclose(edges, bins)  # the same 60 bins in both panels
            np.testing.assert_array_equal(counts, np.histogram(energies, bins)[0])
            assert counts.sum() == len(energies)
        assert legend_texts(ax) == [f"{name} ({len(e)})" for name, e in groups.items()]
        assert ax.get_ylabel() == "frames"
        assert r"E_\mathrm{Ip}" in ax.get_xlabel() and "kcal mol" in ax.get_xlabel()
        assert ax.get_title(loc="left") == title
        assert len({to_rgba(line.get_color()) for line in ax.lines}) == len(groups)
    assert fig.axes[0].get_shared_x_axes().joined(fig.axes[0], fig.axes[1])


# --- distance_distributions --------------------------------------------------------


def test_distance_distributions_are_normalised_densities():
    rng = np.random.default_rng(9)
    distances = {"glycine": rng.uniform(0.9, 5.0, 3000), "glycine_eq": rng.uniform(1.0, 4.5, 1200)}
    fig = plots.distance_distributions(distances)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    for line, values in zip(ax.lines, distances.values()):
        edges, density = step_histogram(line)
        assert len(edges) == 151
        np.testing.assert_allclose([edges[0], edges[-1]], [values.min(), values.max()])
        np.testing.assert_allclose(density, np.histogram(values, 150, density=True)[0])
        assert np.sum(density * np.diff(edges)) == pytest.approx(1.0)
    assert legend_texts(ax) == ["glycine", "glycine_eq"]
    assert ax.get_xlabel() == "interatomic distance (Å)"
    assert ax.get_ylabel() == "density"


# --- family_lines and learning_curve_panels ----------------------------------------


def curves_two_datasets():
    return pd.concat(
        [
            learning_curve_table("glycine", ("gap", "sgdml", "schnet"), seed=10),
            learning_curve_table("rotation", ("sgdml_ang", "gap"), sizes=(100, 300, 1000), seed=11),
        ],
        ignore_index=True,
    )


def test_family_lines_selects_dataset_and_labels_models():
    curves = curves_two_datasets()
    lines = plots.family_lines(curves, "rotation", ["gap", "sgdml", "sgdml_ang"])
    assert list(lines) == ["GAP/SOAP", "sGDML [1/r + ang]"]  # the requested order, sgdml has no rows
    for label, model in (("GAP/SOAP", "gap"), ("sGDML [1/r + ang]", "sgdml_ang")):
        assert set(lines[label]["dataset"]) == {"rotation"} and set(lines[label]["model"]) == {model}
        assert len(lines[label]) == 3


@pytest.mark.parametrize("statistic", ["best", "mean"])
def test_learning_curve_panels_plot_the_chosen_statistic(statistic):
    curves = curves_two_datasets()
    other = "mean" if statistic == "best" else "best"
    rows = {
        "(a) glycine": plots.family_lines(curves, "glycine", ["sgdml", "gap", "schnet"]),
        "(b) rotation": plots.family_lines(curves, "rotation", ["sgdml_ang", "gap"]),
    }
    fig = plots.learning_curve_panels(rows, statistic)
    assert len(fig.axes) == 4  # 2 rows x (energy, force)
    grid = np.array(fig.axes).reshape(2, 2)
    for panels, (title, lines), sizes in zip(grid, rows.items(), ([50, 100, 200, 400], [100, 300, 1000])):
        assert panels[0].get_title(loc="left") == title
        assert panels[0].get_legend() is None
        assert legend_texts(panels[1]) == list(lines)  # outside the force panel
        for ax, metric in zip(panels, METRICS):
            assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
            np.testing.assert_allclose(ax.get_xticks(), sizes)
            assert horizontal_lines(ax) == [1.0]
            data_lines = [line for line in ax.lines if not line.get_label().startswith("_")]
            assert [line.get_label() for line in data_lines] == list(lines)
            for line, table in zip(data_lines, lines.values()):
                table = table.sort_values("n_train")
                xy = line.get_xydata()
                np.testing.assert_allclose(xy[:, 0], table["n_train"])
                np.testing.assert_allclose(xy[:, 1], table[f"{statistic}_{metric}"])
                assert not np.allclose(xy[:, 1], table[f"{other}_{metric}"])
            if statistic == "best":
                # the best fold's band is its bootstrap interval
                assert len(ax.collections) == len(lines)
                for collection, table in zip(ax.collections, lines.values()):
                    table = table.sort_values("n_train")
                    lower, upper = np.array([band(collection)[n] for n in table["n_train"]]).T
                    np.testing.assert_allclose(lower, table[f"best_{metric}_low"])
                    np.testing.assert_allclose(upper, table[f"best_{metric}_high"])
            else:
                assert len(ax.collections) == len(lines)
                for collection, line, table in zip(ax.collections, data_lines, lines.values()):
                    table = table.sort_values("n_train")
                    mean, std = table[f"mean_{metric}"].to_numpy(), table[f"std_{metric}"].to_numpy()
                    lower, upper = np.array([band(collection)[n] for n in table["n_train"]]).T
                    np.testing.assert_allclose(lower, np.maximum(mean - std, 0.05 * mean))
                    np.testing.assert_allclose(upper, mean + std)
                    assert to_rgba(collection.get_facecolor()[0])[:3] == to_rgba(line.get_color())[:3]
        assert "kcal mol" in panels[0].get_ylabel() and "Å" in panels[1].get_ylabel()


def test_learning_curve_panels_mean_band_is_clipped_above_zero():
    table = pd.DataFrame(
        {
            "n_train": [100, 200],
            "mean_energy_rmse": [2.0, 1.0],
            "std_energy_rmse": [3.0, 0.5],
            "mean_force_rmse": [8.0, 4.0],
            "std_force_rmse": [1.0, 9.0],
            "best_energy_rmse": [1.5, 0.8],
            "best_force_rmse": [7.0, 3.0],
        }
    )
    fig = plots.learning_curve_panels({"SchNet, glycine": {"with dispersion": table}}, "mean")
    energy, force = fig.axes
    assert band(energy.collections[0])[100] == pytest.approx((0.1, 5.0))  # 2 - 3 < 0: clipped to 5 % of 2
    assert band(energy.collections[0])[200] == pytest.approx((0.5, 1.5))
    assert band(force.collections[0])[200] == pytest.approx((0.2, 13.0))


# --- phi_cluster_panels ------------------------------------------------------------


def test_phi_cluster_panels_bars_are_cluster_errors_and_line_is_population():
    tables = [cluster_table("schnet", "glycine", seed=12), cluster_table("gap", "inversion", seed=13)]
    fig = plots.phi_cluster_panels(tables)
    main = [ax for ax in fig.axes if ax.patches]
    twins = [ax for ax in fig.axes if not ax.patches]
    assert len(main) == 4 and len(twins) == 4  # 2 models x (energy, force), each with a population twin
    for row, table in enumerate(tables):
        for col, metric in enumerate(METRICS):
            ax, twin = main[2 * row + col], twins[2 * row + col]
            bars = bar_data(ax)
            assert len(bars) == 18
            np.testing.assert_allclose(bars[:, 0], table["cluster"])
            np.testing.assert_allclose(bars[:, 1], table[metric], equal_nan=True)
            assert np.isnan(bars[[5, 11], 1]).all()  # empty clusters have no bar
            assert len(twin.lines) == 1
            population = twin.lines[0].get_xydata()
            np.testing.assert_allclose(population[:, 0], table["cluster"])
            np.testing.assert_allclose(population[:, 1], table["population"])
            assert population[:, 1].sum() == pytest.approx(1.0)
            assert twin.get_ylim()[0] == 0.0
            assert to_rgba(twin.lines[0].get_color()) == to_rgba("tab:orange")
            np.testing.assert_array_equal(ax.get_xticks(), table["cluster"][::2])
            assert r"\phi" in ax.get_xlabel()
        assert "energy RMSE" in main[2 * row].get_ylabel() and "kcal mol" in main[2 * row].get_ylabel()
        assert "force RMSE" in main[2 * row + 1].get_ylabel() and "Å" in main[2 * row + 1].get_ylabel()
    assert main[0].get_title(loc="left") == (
        "(a) SchNet trained on glycine (n = 400, fold 3): overall 1.23 kcal/mol, 5.68 kcal/(mol Å)"
    )
    assert main[2].get_title(loc="left").startswith("(b) GAP/SOAP trained on inversion")
    # energy and force panels differ, so swapping the columns would be caught
    assert not np.allclose(bar_data(main[0])[:, 1], bar_data(main[1])[:, 1], equal_nan=True)


# --- ml_md_traces ------------------------------------------------------------------


def outcome(start, model, coordinate, magnitude, values, ends, ends_in):
    values = np.asarray(values, dtype=float)
    return {
        "start": start,
        "model": model,
        "coordinate": coordinate,
        "magnitude": magnitude,
        "ends_deg": ends,
        "ends_in": ends_in,
        "time_fs": (5.0 * np.arange(len(values))).tolist(),
        "values_deg": values.tolist(),
        "best_fold": 0,
        "steps": 10 * len(values),
    }


def test_ml_md_traces_one_panel_per_start_with_coordinate_vs_time():
    rng = np.random.default_rng(14)
    phi_ends = {"cis": -8.0, "trans": 179.0}
    theta_ends = {"cis": 123.0, "trans": 114.0}
    outcomes = [
        outcome("inversion:7", "gap", "phi", True, -np.linspace(90, 178, 20) + rng.normal(0, 2, 20), phi_ends, "trans"),
        outcome("rotation:8", "sgdml", "theta", False, np.linspace(100, 122, 15), theta_ends, "cis"),
        outcome("inversion:7", "sgdml", "phi", True, np.linspace(-90, -10, 20), phi_ends, "cis"),
        outcome("rotation:8", "gap", "theta", False, np.linspace(130, 115, 15), theta_ends, "trans"),
    ]
    fig = plots.ml_md_traces(outcomes)
    assert len(fig.axes) == 2  # one panel per start, in first-seen order
    for ax, start, ends, periodic in (
        (fig.axes[0], "inversion:7", phi_ends, True),
        (fig.axes[1], "rotation:8", theta_ends, False),
    ):
        assert ax.get_title(loc="left") == f"from {start}"
        runs = [o for o in outcomes if o["start"] == start]
        traces = [line for line in ax.lines if not line.get_label().startswith("_")]
        assert [line.get_label() for line in traces] == [f"{describe(o['model']).label} → {o['ends_in']}" for o in runs]
        assert legend_texts(ax) == [line.get_label() for line in traces]
        for line, run in zip(traces, runs):
            xy = line.get_xydata()
            np.testing.assert_allclose(xy[:, 0], run["time_fs"])
            expected = np.abs(run["values_deg"]) if periodic else run["values_deg"]
            np.testing.assert_allclose(xy[:, 1], expected)
            assert to_rgba(line.get_color()) == to_rgba(describe(run["model"]).colour)  # the family's own
        marks = [abs(v) if periodic else v for v in ends.values()]
        assert horizontal_lines(ax) == sorted(marks)
        (right,) = ax.child_axes
        np.testing.assert_allclose(right.get_yticks(), marks)
        assert [t.get_text() for t in right.get_yticklabels()] == list(ends)
        assert ax.get_xlabel() == "time (fs)"
    assert fig.axes[0].get_ylabel() == r"|$\phi$| (°)"
    assert fig.axes[1].get_ylabel() == r"$\theta$ (°)"
    assert (fig.axes[0].lines[0].get_ydata() >= 0).all()  # dihedral plotted as its magnitude


# --- cutoff_scan -------------------------------------------------------------------


def test_cutoff_scan_best_line_mean_line_and_std_band():
    rng = np.random.default_rng(15)
    cutoffs = [5.0, 3.0, 6.0, 4.0]  # unsorted, as concatenated from per-cutoff files
    table = pd.DataFrame({"cutoff_A": cutoffs, "n_train": 200, "n_folds": 5, "best_fold": [1, 0, 3, 2]})
    for metric, scale in zip(METRICS, (1.0, 5.0)):
        table[f"best_{metric}"] = scale * rng.uniform(0.5, 0.8, 4)
        table[f"mean_{metric}"] = scale * rng.uniform(0.9, 1.2, 4)
        table[f"std_{metric}"] = scale * rng.uniform(0.1, 0.2, 4)
    fig = plots.cutoff_scan(table, "GAP/SOAP, glycine, 200 training points")
    assert len(fig.axes) == 2
    ordered = table.sort_values("cutoff_A")
    x = [3.0, 4.0, 5.0, 6.0]
    for ax, metric in zip(fig.axes, METRICS):
        best = labelled(ax, "best fold").get_xydata()
        np.testing.assert_allclose(best[:, 0], x)
        np.testing.assert_allclose(best[:, 1], ordered[f"best_{metric}"])
        mean = labelled(ax, "mean ± std").get_xydata()
        np.testing.assert_allclose(mean[:, 0], x)
        np.testing.assert_allclose(mean[:, 1], ordered[f"mean_{metric}"])
        assert labelled(ax, "best fold").get_linestyle() == "-"
        assert labelled(ax, "mean ± std").get_linestyle() == "--"
        assert len(ax.collections) == 1
        spread = band(ax.collections[0])
        assert sorted(spread) == x
        lower, upper = np.array([spread[c] for c in x]).T
        np.testing.assert_allclose(lower, ordered[f"mean_{metric}"] - ordered[f"std_{metric}"])
        np.testing.assert_allclose(upper, ordered[f"mean_{metric}"] + ordered[f"std_{metric}"])
        np.testing.assert_allclose(ax.get_xticks(), x)
        assert ax.get_xlabel() == "SOAP cutoff radius (Å)"
        assert ax.get_xscale() == "linear"
    assert "energy RMSE" in fig.axes[0].get_ylabel() and "kcal mol" in fig.axes[0].get_ylabel()
    assert "force RMSE" in fig.axes[1].get_ylabel() and "Å" in fig.axes[1].get_ylabel()
    assert fig.axes[0].get_title(loc="left") == "GAP/SOAP, glycine, 200 training points"
    assert legend_texts(fig.axes[0]) == ["best fold", "mean ± std"]


# --- training_set_panels -------------------------------------------------------------


def test_training_set_panels_bars_pair_the_two_sets_per_cluster_and_the_steps_line():
    from flexmlff.exports import Predictions
    from flexmlff.training_sets import training_set_comparison

    rng = np.random.default_rng(5)
    phi = rng.uniform(-180, 180, 300)
    E, F = rng.normal(size=300), rng.normal(size=(300, 4, 3))
    pooled = {
        (model, name): Predictions(
            phi, E, E + scale * rng.normal(size=300), F, F + scale * rng.normal(size=(300, 4, 3))
        )
        for model in ("sgdml", "schnet")
        for name, scale in (("stratified", 2.0), ("optimised", 1.0))
    }
    clusters, summary = training_set_comparison(pooled)
    steps = pd.DataFrame(
        {
            "model": ["sgdml"] * 6 + ["schnet"] * 6,
            "fold": [0, 0, 0, 1, 1, 1] * 2,
            "n_train": [50, 75, 100] * 4,
            "force_rmse": [4.0, 3.0, 2.0, 5.0, 4.0, 3.0] * 2,
        }
    )
    fig = plots.training_set_panels(clusters, summary, steps, "phi")
    main = [ax for ax in fig.axes if ax.patches]
    assert len(main) == 4  # 2 models x (energy, force)
    for row, model in enumerate(("sgdml", "schnet")):
        for col, metric in enumerate(METRICS):
            bars = bar_data(main[2 * row + col])
            assert len(bars) == 36  # 18 clusters x 2 training sets
            for offset, name in ((-0.2, "stratified"), (0.2, "optimised")):
                table = clusters[(clusters["model"] == model) & (clusters["training_set"] == name)]
                mine = bars[np.isclose(bars[:, 0] - np.round(bars[:, 0]), offset)]
                np.testing.assert_allclose(mine[:, 1], table[metric], equal_nan=True)
        # the optimised set's bars are the lower ones here, as the data say
        assert (
            summary.set_index(["model", "training_set"]).loc[(model, "optimised"), "force_rmse"]
            < summary.set_index(["model", "training_set"]).loc[(model, "stratified"), "force_rmse"]
        )
        curve = [ax for ax in fig.axes if ax.get_xlabel() == "training points"][row]
        pooled_steps = [[50, np.sqrt((16 + 25) / 2)], [75, np.sqrt((9 + 16) / 2)], [100, np.sqrt((4 + 9) / 2)]]
        np.testing.assert_allclose(labelled(curve, "grown, per step").get_xydata(), pooled_steps)
        stratified = labelled(curve, "stratified").get_xydata()
        assert stratified[0].tolist() == pytest.approx(
            [100, summary.set_index(["model", "training_set"]).loc[(model, "stratified"), "force_rmse"]]
        )
    assert (
        main[0]
        .get_title(loc="left")
        .startswith(
            "(a) sGDML [1/r], 300 held-out frames, E / F RMSE (eq./trans. ratios): stratified 2.02 / 2.03 "
            "(0.97 / 0.96); "
            "optimised 1.01 / 1.02"
        )
    )


# --- grid_error_maps ------------------------------------------------------------------


def test_grid_error_maps_show_each_familys_cells_on_one_scale():
    from flexmlff.evaluate import grid_errors

    rng = np.random.default_rng(7)
    phi, psi = rng.normal(-80, 15, 300), rng.normal(70, 15, 300)
    E, F = rng.normal(size=300), rng.normal(size=(300, 4, 3))
    tables = []
    for model, scale in (("sgdml", 0.5), ("schnet", 2.0)):
        F_pred = F + scale * rng.normal(size=F.shape)
        table = grid_errors(phi, psi, E, E, F_pred, F, 60.0)
        tables.append(table.assign(model=model, overall_force_rmse=scale))
    table = pd.concat(tables, ignore_index=True)
    fig = plots.grid_error_maps(table, ("phi", "psi"), min_frames=5)
    maps = [ax for ax in fig.axes if ax.collections and ax.get_label() != "<colorbar>"]
    assert len(maps) == 3  # frames per cell, then one map per family
    counts = maps[0].collections[0].get_array().reshape(6, 6)
    sgdml = maps[1].collections[0].get_array().reshape(6, 6)
    schnet = maps[2].collections[0].get_array().reshape(6, 6)
    # the image is [psi row, phi column]: C7eq's cell is phi -120..-60, psi 60..120
    first = tables[0]
    cell = first[(first["x_from_deg"] == -120) & (first["y_from_deg"] == 60)].iloc[0]
    assert counts[4, 1] == cell["n_frames"] and sgdml[4, 1] == pytest.approx(cell["force_rmse"])
    # cells with too few frames are blank in every family's map; one colour scale for all
    sparse = np.ma.filled(counts, 0) < 5
    assert np.ma.getmaskarray(sgdml)[sparse].all() and np.ma.getmaskarray(schnet)[sparse].all()
    assert maps[1].collections[0].get_clim() == maps[2].collections[0].get_clim()
    assert np.ma.mean(schnet) > 3 * np.ma.mean(sgdml)
    assert maps[2].get_title(loc="left") == "(c) SchNet: 2.00"
