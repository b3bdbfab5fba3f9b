"""MD settings shared by the i-PI tests."""

from flexmlff.ipi import MDSettings

#: A short Langevin NVT run: 20 steps of 0.5 fs at 500 K, a frame every 2 steps.
SETTINGS = MDSettings(
    temperature_K=500,
    timestep_fs=0.5,
    steps=20,
    stride=2,
    seed=42,
    thermostat="langevin",
    thermostat_tau_fs=100.0,
    trajectory_stride=10,
)
