"""i-PI's input XML for a run, PLUMED's input for its metadynamics, and the checks
that the programs they are for (i-PI, PLUMED) are there."""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET

from flexmlff.ipi.settings import (
    DIAGNOSTICS,
    PLUMED_CV_KINDS,
    PLUMED_FILE,
    PREFIX,
    PROPERTIES,
    MDSettings,
    Metadynamics,
)


def plumed_input(meta: Metadynamics, temperature_K: float) -> str:
    """PLUMED input: the CVs, well-tempered METAD (hills in ``HILLS``) and the CVs
    with the bias in ``COLVAR`` every `pace` steps."""
    lines = [
        f"{name}: {PLUMED_CV_KINDS[len(atoms)]} ATOMS={','.join(str(i + 1) for i in atoms)}"
        for name, atoms in meta.cvs.items()
    ]
    names = ",".join(meta.cvs)
    lines.append(
        f"metad: METAD ARG={names} SIGMA={','.join(f'{s:g}' for s in meta.sigma)} "
        f"HEIGHT={meta.height_kJ_mol:g} PACE={meta.pace} BIASFACTOR={meta.biasfactor:g} "
        f"TEMP={temperature_K:g} FILE=HILLS"
    )
    lines.append(f"PRINT ARG={names},metad.bias STRIDE={meta.pace} FILE=COLVAR")
    return "\n".join(lines) + "\n"


def _properties(settings: "MDSettings") -> list[str]:
    """i-PI's properties columns: :data:`PROPERTIES`, then the bias energy of a metadynamics run."""
    return PROPERTIES + (["ensemble_bias"] if settings.metadynamics else [])


def ipi_input_xml(settings: MDSettings, socket_name: str, init_file: str) -> str:
    """The i-PI input for an NVT (or NVE) run driven by one UNIX-socket force field.

    Positions are written in ASE's units (Å, extended XYZ, full precision); the
    potential energy in i-PI's atomic units (Hartree).
    """
    # i-PI snapshots its whole state every `safe_stride` steps (default 1) so that a
    # soft exit can roll back; per step that costs more than a GFN2-xTB call. Its
    # thread pool (threading) only helps multi-system runs, costs a thread handoff
    # per step and output, and makes the random numbers non-reproducible.
    # checkpoints with every digit of a float64 (i-PI's default "%16.8e" keeps 9), so
    # that a resumed run restarts from the very state an unbroken run was in
    sim = ET.Element(
        "simulation",
        verbosity="low",
        threading="false",
        safe_stride=str(settings.checkpoint_stride),
        floatformat="%.16e",
    )
    output = ET.SubElement(sim, "output", prefix=PREFIX)
    # Flushing every step costs an fsync per step; flush in blocks instead.
    # (and at least at every checkpoint, so that a resumed run can still be checked)
    flush = str(max(1, min(100, settings.steps // settings.stride, settings.checkpoint_stride // settings.stride)))
    ET.SubElement(
        output, "properties", stride=str(settings.stride), filename="out", flush=flush
    ).text = f" [ {', '.join(_properties(settings))} ] "
    ET.SubElement(
        output, "properties", stride=str(settings.trajectory_stride), filename="energy", flush=flush
    ).text = f" [ {', '.join(DIAGNOSTICS)} ] "
    ET.SubElement(
        output, "trajectory", filename="pos", stride=str(settings.trajectory_stride), format="ase", flush=flush
    ).text = " positions "
    ET.SubElement(output, "checkpoint", stride=str(settings.checkpoint_stride))
    ET.SubElement(sim, "total_steps").text = str(settings.steps)
    ET.SubElement(ET.SubElement(sim, "prng"), "seed").text = str(settings.seed)
    ffsocket = ET.SubElement(sim, "ffsocket", name="reference", mode="unix", pbc="false")
    ET.SubElement(ffsocket, "address").text = socket_name
    system = ET.SubElement(sim, "system")
    init = ET.SubElement(system, "initialize", nbeads="1")
    ET.SubElement(init, "file", mode="ase").text = init_file
    ET.SubElement(init, "velocities", mode="thermal", units="kelvin").text = str(settings.temperature_K)
    ET.SubElement(ET.SubElement(system, "forces"), "force", forcefield="reference")
    dynamics = ET.SubElement(ET.SubElement(system, "motion", mode="dynamics"), "dynamics", mode=settings.ensemble)
    ET.SubElement(dynamics, "timestep", units="femtosecond").text = str(settings.timestep_fs)
    if settings.ensemble == "nvt":  # NVE: the velocities start thermal, nothing holds them there
        thermostat = ET.SubElement(dynamics, "thermostat", mode=settings.thermostat)
        ET.SubElement(thermostat, "tau", units="femtosecond").text = str(settings.thermostat_tau_fs)
    ensemble = ET.SubElement(system, "ensemble")
    ET.SubElement(ensemble, "temperature", units="kelvin").text = str(settings.temperature_K)
    if settings.metadynamics:
        # PLUMED's bias acts on the system; the smotion step deposits the hills
        plumed = ET.SubElement(sim, "ffplumed", name="plumed")
        ET.SubElement(plumed, "file", mode="ase").text = init_file
        ET.SubElement(plumed, "plumed_dat").text = PLUMED_FILE
        sim.remove(plumed)
        sim.insert(list(sim).index(ffsocket) + 1, plumed)
        ET.SubElement(ET.SubElement(ensemble, "bias"), "force", forcefield="plumed", nbeads="1")
        metad = ET.SubElement(ET.SubElement(sim, "smotion", mode="metad"), "metad")
        ET.SubElement(metad, "metaff").text = " [ plumed ] "
    ET.indent(sim)
    return ET.tostring(sim, encoding="unicode") + "\n"


def find_ipi() -> str:
    """Path of the ``i-pi`` program (PATH first, then beside this Python)."""
    found = shutil.which("i-pi") or shutil.which("i-pi", path=os.path.dirname(sys.executable))
    if not found:
        raise RuntimeError(
            "the i-PI server program 'i-pi' was not found on PATH: install it with "
            "'pip install ipi' (or conda install -c conda-forge i-pi)"
        )
    return found


def check_plumed() -> None:
    """Raise a readable error unless PLUMED's Python module and a kernel are available."""
    try:
        import plumed

        plumed.Plumed()  # loads the kernel (PLUMED_KERNEL, or the one a wheel bundles)
    except Exception as err:
        raise RuntimeError(
            "metadynamics needs PLUMED (Python module and kernel library): "
            "pip install --no-deps hillclimber==0.1.8 (bundles libplumedKernel.so), or "
            f"conda install -c conda-forge plumed py-plumed ({type(err).__name__}: {err})"
        ) from err
