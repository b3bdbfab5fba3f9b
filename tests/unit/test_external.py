"""Models flexmlff did not train (flexmlff.external): entries in the models.yml shape, checked
before any work, built into real ASE calculators, and compared up to a constant energy."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from ase.calculators.singlepoint import SinglePointCalculator

from flexmlff.evaluate import HeldOut
from flexmlff.external import ExternalModel, external_models, held_out_frames, offset_removed, predict_frames
from flexmlff.planning import SCHEMA, Plan
from flexmlff.planning.config import ConfigError, validate_config

ROOT = Path(__file__).resolve().parents[2]
GFN2 = {"module": "tblite.ase", "class_name": "TBLite", "kwargs": {"method": "GFN2-xTB", "verbosity": 0}}


def test_an_entry_builds_the_calculator_it_names_and_predicts_in_dataset_units(glycine_dataset):
    model = ExternalModel.from_entry("gfn2", GFN2, "external_models.gfn2")
    assert model.problems() == []
    frames = glycine_dataset.subset(range(3))
    energies, forces = predict_frames(model.calculator(), frames.R, frames.z, "gfn2")
    # the conftest set is labelled with GFN2-xTB through tblite: the same numbers, in kcal/mol
    np.testing.assert_allclose(energies, frames.E, atol=1e-6)
    np.testing.assert_allclose(forces, frames.F, atol=1e-6)


def test_registry_entries_keep_their_metadata_and_resolve_paths_against_the_registry(tmp_path):
    (tmp_path / "runs" / "glycine").mkdir(parents=True)
    (tmp_path / "runs" / "glycine" / "model.npz").write_bytes(b"")
    registry = tmp_path / "runs" / "models.yml"
    registry.write_text(
        yaml.safe_dump(
            {
                "flexmlff-glycine-sgdml-n40": {
                    "module": "flexmlff.models",
                    "class_name": "load_calculator",
                    "level_of_theory": "GFN2-xTB",
                    "fold": 2,
                    "kwargs": {"model": "sgdml", "path": "glycine/model.npz"},
                }
            }
        )
    )
    models = external_models({"external_models_file": str(registry), "external_models": {"gfn2": GFN2}})
    assert list(models) == ["flexmlff-glycine-sgdml-n40", "gfn2"]
    saved = models["flexmlff-glycine-sgdml-n40"]
    assert saved.kwargs == {"model": "sgdml", "path": str(tmp_path / "runs" / "glycine" / "model.npz")}
    assert saved.metadata == {"level_of_theory": "GFN2-xTB", "fold": 2}
    assert models["gfn2"].kwargs["method"] == "GFN2-xTB"


@pytest.mark.parametrize(
    "entry, key, problem",
    [
        ({**GFN2, "module": "no_such_calculator_package"}, "external_models.bad.module", "no module"),
        (
            {
                "module": "mace.calculators",
                "class_name": "MACECalculator",
                "kwargs": {"model_paths": "gone/mace.model"},
            },
            "external_models.bad.kwargs.model_paths",
            "model file gone/mace.model not found",
        ),
    ],
)
def test_a_bad_entry_is_one_line_naming_its_key_before_any_job(entry, key, problem):
    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    config["external_models"] = {"bad": entry}
    validate_config(config, SCHEMA)
    with pytest.raises(ConfigError, match=rf"config key '{key}': {problem}"):
        Plan(config, basedir=ROOT)


def test_a_registry_entry_runs_on_its_datasets_in_its_familys_env(tmp_path):
    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    (tmp_path / "model.model").write_bytes(b"")
    config["external_models"] = {
        "saved_mace": {
            "module": "flexmlff.models",
            "class_name": "load_calculator",
            "datasets": ["rotation"],
            "kwargs": {"model": "mace", "path": str(tmp_path / "model.model")},
        },
        "everywhere": GFN2,
        # in an env of its own: its package need not be installed where the workflow plans
        "elsewhere": {"module": "not_installed_here.calculators", "class_name": "Calc", "conda": "mace"},
    }
    validate_config(config, SCHEMA)
    plan = Plan(config, basedir=ROOT)
    assert plan.external.env("saved_mace") == "mace" and plan.external.env("everywhere") == "analysis"
    assert plan.external.env("elsewhere") == "mace"
    # a model saved for the rotation set is not evaluated on glycine's frames
    assert "saved_mace" not in plan.training.models_on("glycine") and "everywhere" in plan.training.models_on("glycine")
    # Fig. 4 shows them beside the families by default, those meant for its dataset
    ((_, dataset, shown),) = plan.evaluation.learning_curve_rows("learning_curves", plan.training.shown_models)
    assert dataset == "glycine" and shown[-2:] == ["everywhere", "elsewhere"] and "saved_mace" not in shown


def test_a_model_name_that_cannot_be_a_path_is_refused():
    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    config["external_models"] = {"mace.v2": GFN2}
    validate_config(config, SCHEMA)
    with pytest.raises(ConfigError, match=r"'mace.v2': a model name takes letters, digits, _ and - only"):
        Plan(config, basedir=ROOT)


def test_an_entry_without_a_class_is_refused_by_the_schema():
    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    config["external_models"] = {"bad": {"module": "tblite.ase"}}
    with pytest.raises(ConfigError, match=r"external_models.bad.*class_name"):
        validate_config(config, SCHEMA)


def test_what_is_not_a_calculator_is_named_when_built():
    model = ExternalModel.from_entry(
        "bad", {"module": "json", "class_name": "dumps", "kwargs": {"obj": 1}}, "external_models.bad"
    )
    with pytest.raises(ConfigError, match=r"external_models.bad.class_name': json.dumps\(\*\*kwargs\) returned str"):
        model.calculator()


def test_a_non_finite_prediction_names_the_model_and_the_frame(glycine_dataset):
    frames = glycine_dataset.subset(range(2))
    from ase import Atoms

    atoms = Atoms(numbers=frames.z, positions=frames.R[1])
    broken = SinglePointCalculator(atoms, energy=np.nan, forces=np.zeros((len(frames.z), 3)))
    with pytest.raises(ValueError, match=r"external model 'broken' returned a non-finite energy or force on frame 17"):
        predict_frames(broken, frames.R[1:], frames.z, "broken", frames=[17])


def test_energies_compare_up_to_their_mean_offset():
    held_out = HeldOut(np.arange(3), np.array([11.0, 12.5, 13.0]), np.zeros((3, 2, 3)))
    shifted, offset = offset_removed(held_out, np.array([1.0, 2.0, 4.0]))
    assert offset == pytest.approx(29.5 / 3)
    np.testing.assert_allclose(shifted.energies - [1.0, 2.0, 4.0], [1 / 6, 2 / 3, -5 / 6])
    assert shifted.energies.mean() == pytest.approx(7 / 3)


def test_every_held_out_frame_of_every_split_is_predicted_once(glycine_dataset):
    from flexmlff.splits import make_split

    splits = [make_split(glycine_dataset.E, n, n_folds=3, n_valid=20, seed=n) for n in (10, 20)]
    frames = held_out_frames(splits, 3)
    wanted = {int(i) for split in splits for k in range(3) for i in split.test_indices(k)}
    assert sorted(wanted) == frames.tolist()
