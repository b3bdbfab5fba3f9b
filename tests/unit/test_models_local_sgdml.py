"""The mixture of local sGDML models (flexmlff.models.local_sgdml): its partition of unity,
forces that are the exact gradient of its energy, merged regions and refused gates."""

import logging

import numpy as np
import pytest
import torch
from plan_helpers import plan_with

from flexmlff.config_error import ConfigError
from flexmlff.models import local_sgdml
from flexmlff.models.local_sgdml import GateAxis, LocalMixture

#: Two regions of glycine's |tau1| (the distortions of Ip spread over 166-180 deg).
GATE = [{"cv": "tau1", "atoms": [0, 1, 2, 3], "edges_deg": [176.5]}]
SMALL = {"gate": GATE, "switch_deg": 2.0, "overlap_deg": 2.0, "min_frames": 10, "sigmas": [10, 20]}


def test_the_weights_are_a_smooth_partition_of_unity_over_two_gate_cvs():
    phi = GateAxis("phi", (0, 1, 2, 3), [60.0, 120.0])
    theta = GateAxis("theta", (0, 1, 2), [150.0])
    mixture = LocalMixture(np.zeros(4), [phi, theta], switch_deg=20.0)
    assert mixture.cells == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    values = torch.linspace(0.0, 180.0, 361, dtype=torch.float64)
    bands = phi.torch_band_weights(values, 20.0)
    assert torch.allclose(bands.sum(-1), torch.ones_like(values)) and bool((bands >= 0).all())
    # pure bands away from the edges, half and half on them, switching within edge +- 10 deg
    at = {float(v): b for v, b in zip(values, bands)}
    assert at[30.0].tolist() == [1.0, 0.0, 0.0] and at[90.0].tolist() == [0.0, 1.0, 0.0]
    assert at[60.0].tolist() == pytest.approx([0.5, 0.5, 0.0]) and at[49.5].tolist() == [1.0, 0.0, 0.0]


def test_forces_are_the_exact_negative_gradient_inside_the_switching_region(glycine_dataset):
    """Central differences of the mixture's energy against its forces, at frames whose |tau1|
    lies where the two regions' weights both count."""
    mixture = local_sgdml.train(
        glycine_dataset.subset(range(0, 60)),
        glycine_dataset.subset(range(60, 100)),
        {**SMALL, "descriptors": ["inverse_distances"]},  # the weights are the point, not the descriptor
    )
    axis = mixture.axes[0]
    switching = [i for i, v in enumerate(axis.degrees(glycine_dataset.R)) if abs(v - 176.5) < 0.8][:2]
    assert len(switching) == 2
    for i in switching:
        R = glycine_dataset.R[i].astype(float)
        weights = mixture.torch_weights(torch.as_tensor(R[None]))[0]
        assert 0.05 < float(weights[0]) < 0.95  # both regions count here
        _, forces = local_sgdml.predict(mixture, R[None])
        numeric = np.zeros_like(R)
        h = 1e-5
        for atom in range(len(R)):
            for axis_k in range(3):
                step = np.zeros_like(R)
                step[atom, axis_k] = h
                up, down = (local_sgdml.predict(mixture, (R + sign * step)[None])[0][0] for sign in (1, -1))
                numeric[atom, axis_k] = -(up - down) / (2 * h)
        assert np.abs(numeric - forces[0]).max() <= 1e-4 * np.abs(forces[0]).max()


def test_a_region_with_too_few_frames_is_merged_and_says_so(glycine_dataset, caplog):
    train = glycine_dataset.subset(range(0, 60))
    axis = GateAxis("tau1", (0, 1, 2, 3), [])
    below = int((axis.degrees(train.R) < 170.0).sum())  # a handful of frames below 170 deg
    assert 0 < below < 10
    record = {}
    with caplog.at_level(logging.WARNING):
        mixture = local_sgdml.train(
            train,
            glycine_dataset.subset(range(60, 100)),
            {**SMALL, "gate": [{**GATE[0], "edges_deg": [170.0, 176.5]}], "descriptors": ["inverse_distances"]},
            record=record,
        )
    assert mixture.axes[0].edges_deg == [176.5] and len(mixture.regions) == 2
    assert record["merged"] == [
        {"dataset": "glycine-distorted", "cv": "tau1", "band": 0, "frames": below, "edge_dropped": 170.0}
    ]
    assert "glycine-distorted: region (0,) of the gate holds" in caplog.text


def test_gates_that_cannot_be_built_are_refused_before_any_job(smoke_config):
    def with_gate(gate):
        def edit(config):
            config["training"]["models"].append("local_sgdml")
            config["models"]["local_sgdml"] = {"gate": gate, "switch_deg": 20.0}

        return edit

    with pytest.raises(
        ConfigError, match=r"'models\.local_sgdml\.gate': 'phi' is not a collective variable of glycine"
    ):
        plan_with(smoke_config, with_gate([{"cv": "phi", "edges_deg": [60]}])).check()
    with pytest.raises(ConfigError, match=r"'models\.local_sgdml': on 'glycine': gate: the edges of 'tau1'"):
        plan_with(smoke_config, with_gate([{"cv": "tau1", "edges_deg": [60, 70]}])).check()
    planned = plan_with(smoke_config, with_gate([{"cv": "tau1", "edges_deg": [90]}]))
    planned.check()
    # the job is given the CV's atoms
    assert planned.training.model_settings("local_sgdml", "glycine")["gate"][0]["atoms"] == [0, 1, 2, 3]


def test_nve_through_ipi_conserves_energy_as_well_as_one_model(glycine_dataset, glycine_ip, tmp_path):
    """400 NVE steps through i-PI that cross the switching region: the conserved quantity of
    the mixture spreads no more than that of one GDML trained on the same frames."""
    from flexmlff.ipi import PREFIX, MDSettings, run_ipi_md
    from flexmlff.units import hartree_to_kcal_mol

    settings = {**SMALL, "descriptors": ["inverse_distances"]}
    train, validation = glycine_dataset.subset(range(0, 60)), glycine_dataset.subset(range(60, 100))
    models = {
        "mixture": local_sgdml.train(train, validation, settings),
        "one": local_sgdml.train(train, validation, {**settings, "gate": []}),
    }
    nve = MDSettings(
        temperature_K=300,
        timestep_fs=0.25,
        steps=400,
        stride=10,
        seed=3,
        thermostat="langevin",
        thermostat_tau_fs=100.0,
        trajectory_stride=10,
        ensemble="nve",
    )
    spread = {}
    for name, model in models.items():
        frames = run_ipi_md(glycine_ip, local_sgdml.calculator(model), nve, tmp_path / name)
        conserved = hartree_to_kcal_mol(np.loadtxt(tmp_path / name / f"{PREFIX}.energy")[:, 2])
        spread[name] = conserved.max() - conserved.min()
    tau1 = models["mixture"].axes[0].degrees(np.array([frame.positions for frame in frames]))
    assert tau1.min() < 175.5 and tau1.max() > 177.5  # through the switching region and out
    assert spread["mixture"] <= 1.5 * spread["one"] + 1e-3 and spread["one"] < 0.05
