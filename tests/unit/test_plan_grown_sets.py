"""The grown training sets' planner (flexmlff.planning.grown_sets): steps, seeds, folds."""

from plan_helpers import plan_with


def test_training_set_optimisation_steps_chain_and_compare_like_with_like(smoke):
    layout = smoke.layout
    assert smoke.grown_sets.sizes() == [20, 30, 40]
    assert smoke.grown_sets.runs() == [("sgdml", 0)]
    assert smoke.grown_sets.scheme().fine == 10 and smoke.grown_sets.scheme().error_factor == 1.1
    # step 0 starts from the split; every later step from the step before it
    assert smoke.grown_sets.previous_step("glycine", "sgdml", 40, 0, 0) == {}
    assert smoke.grown_sets.previous_step("glycine", "sgdml", 40, 0, 2) == {
        "previous_training_set": layout.optimised_training_set("glycine", "sgdml", 40, 0, 1),
        "previous_frame_errors": layout.optimised_frame_errors("glycine", "sgdml", 40, 0, 1),
    }
    inputs = smoke.grown_sets.inputs()
    # the last step against the stratified model of the same size and fold
    assert inputs["optimised"] == [layout.optimised_predictions("glycine", "sgdml", 40, 0, 2)]
    assert inputs["stratified"] == [layout.test_predictions("glycine", "sgdml", 40, 0)]
    assert len(inputs["steps"]) == 3
    assert smoke.grown_sets.seed(0, 1) != smoke.grown_sets.seed(1, 0)
    assert set(layout.figure("training_set_optimisation")) <= set(smoke.targets())
    # every step's model is wanted in its own right: a deleted one is retrained
    assert layout.optimised_model("glycine", "sgdml", 40, 0, 1) in smoke.targets()


def test_training_set_optimisation_defaults_to_every_fold(smoke_config):
    plan = plan_with(smoke_config, lambda c: c["figures"]["training_set_optimisation"].pop("folds"))
    assert plan.grown_sets.runs() == [("sgdml", 0), ("sgdml", 1), ("sgdml", 2)]
