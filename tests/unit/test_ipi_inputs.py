import xml.etree.ElementTree as ET

import pytest
from ipi_helpers import SETTINGS

from flexmlff.ipi import MDSettings, Metadynamics, ipi_input_xml, plumed_input


def nvt(**given) -> MDSettings:
    """Langevin NVT settings, seed 42, with `given` (temperature, timestep, steps, stride)."""
    return MDSettings(**{"seed": 42, "thermostat": "langevin", "thermostat_tau_fs": 100.0, **given})


def test_input_writer_has_units_thermostat_seed_and_stride():
    root = ET.fromstring(ipi_input_xml(SETTINGS, "sock-1", "init.extxyz"))
    assert root.find("total_steps").text == "20"
    assert root.find("prng/seed").text == "42"
    assert root.find("ffsocket/address").text == "sock-1"
    assert root.find("ffsocket").get("mode") == "unix"
    dynamics = root.find("system/motion/dynamics")
    assert dynamics.get("mode") == "nvt"
    assert dynamics.find("timestep").get("units") == "femtosecond"
    assert float(dynamics.find("timestep").text) == 0.5
    assert dynamics.find("thermostat").get("mode") == "langevin"
    assert float(root.find("system/ensemble/temperature").text) == 500
    assert root.find("system/ensemble/temperature").get("units") == "kelvin"
    assert [p.get("stride") for p in root.findall("output/properties")] == ["2", "10"]
    assert root.find("output/trajectory").get("stride") == "10"
    assert root.get("safe_stride") == str(SETTINGS.checkpoint_stride)


def test_an_nve_run_has_no_thermostat_and_starts_from_thermal_velocities():
    from dataclasses import replace

    root = ET.fromstring(ipi_input_xml(replace(SETTINGS, ensemble="nve"), "sock-1", "init.extxyz"))
    dynamics = root.find("system/motion/dynamics")
    assert dynamics.get("mode") == "nve" and dynamics.find("thermostat") is None
    assert root.find("system/initialize/velocities").get("mode") == "thermal"
    with pytest.raises(ValueError, match="ensemble 'npt' is not one of nvt, nve"):
        replace(SETTINGS, ensemble="npt")


def test_default_trajectory_stride_is_a_multiple_of_the_stride():
    settings = nvt(temperature_K=300, timestep_fs=1, steps=3000, stride=25)
    assert settings.trajectory_stride == 100
    assert nvt(temperature_K=300, timestep_fs=1, steps=3000, stride=300).trajectory_stride == 300


def test_input_is_accepted_by_ipis_own_parser():
    from ipi.inputs.simulation import InputSimulation
    from ipi.utils.io.inputs.io_xml import xml_parse_string

    parsed = xml_parse_string(ipi_input_xml(SETTINGS, "sock-1", "init.extxyz"))
    simulation = InputSimulation()
    simulation.parse(parsed.fields[0][1])
    assert simulation.total_steps.fetch() == 20


def test_settings_reject_a_stride_that_does_not_divide_the_steps():
    with pytest.raises(ValueError, match="multiple of stride"):
        nvt(temperature_K=300, timestep_fs=1, steps=10, stride=3)


#: A validated metadynamics campaign as the md_run rule passes it (its CVs as {name: atoms})
#: and figures.ml_md as the ml_md rule does: the schema has filled in every default.
CAMPAIGN = {
    "starts": ["cis", "trans"],
    "temperature_K": 300,
    "timestep_fs": 0.5,
    "steps": 200,
    "stride": 2,
    "seed": 801,
    "thermostat": "langevin",
    "thermostat_tau_fs": 100.0,
    "metadynamics": {
        "cvs": {"phi": [5, 6, 7, 8], "theta": [5, 6, 7]},
        "sigma": [0.35, 0.1],
        "height_kJ_mol": 1.2,
        "pace": 100,
        "biasfactor": 10.0,
    },
}
ML_MD = {
    "models": ["sgdml", "gap"],
    "paths": {"neb": {"frames": [4], "dataset": "glycine", "coordinate": "tau1"}},
    "temperature_K": 300,
    "timestep_fs": 0.5,
    "thermostat_tau_fs": 2.0,
    "steps": 40,
    "stride": 4,
    "seed": 901,
}


def test_settings_come_from_a_validated_protocol_with_the_runs_seed():
    settings = MDSettings.from_protocol(CAMPAIGN, seed=802)
    assert settings == MDSettings(
        temperature_K=300,
        timestep_fs=0.5,
        steps=200,
        stride=2,
        seed=802,
        thermostat="langevin",
        thermostat_tau_fs=100.0,
        metadynamics=Metadynamics(**CAMPAIGN["metadynamics"]),
    )
    assert settings.checkpoint_stride == 1000 and settings.trajectory_stride == 100
    assert "metad: METAD ARG=phi,theta SIGMA=0.35,0.1 HEIGHT=1.2 PACE=100" in plumed_input(settings.metadynamics, 300)
    assert MDSettings.from_protocol(ML_MD, seed=905, thermostat="langevin") == MDSettings(
        temperature_K=300, timestep_fs=0.5, steps=40, stride=4, seed=905, thermostat="langevin", thermostat_tau_fs=2.0
    )
    # every default is the schema's: a protocol missing a key is no run
    with pytest.raises(TypeError, match="thermostat"):
        MDSettings.from_protocol(ML_MD, seed=905)
