import re
import time
import xml.etree.ElementTree as ET

import numpy as np
import psutil
import pytest
from ase.calculators.calculator import CalculationFailed, Calculator, all_changes
from ase.io import read
from ipi_helpers import SETTINGS

from flexmlff.calculators import make_calculator
from flexmlff.evaluate import FAILURES, IntactMolecule
from flexmlff.geometry import bond_graph
from flexmlff.ipi import (
    PARTIAL_FRAMES,
    RUN_RECORD,
    MDSettings,
    RunDirectoryBusy,
    check_against_properties,
    inputs,
    read_properties,
    remove_stale_sockets,
    run_ipi_md,
    socket_path,
)
from flexmlff.ipi.resume import _fingerprint, _prepare_run
from flexmlff.units import ev_to_kcal_mol, hartree_to_kcal_mol


def ipi_children():
    return [p for p in psutil.Process().children(recursive=True) if "i-pi" in " ".join(p.cmdline())]


def test_md_through_ipi_matches_the_calculator(glycine_ip, tmp_path):
    frames = run_ipi_md(glycine_ip, make_calculator("xtb"), SETTINGS, tmp_path / "run")
    assert len(frames) == SETTINGS.n_frames == 11
    assert [f.info["step"] for f in frames] == list(range(0, 21, 2))
    assert frames[-1].info["time_ps"] == pytest.approx(0.010)
    assert np.allclose(frames[0].positions, glycine_ip.positions, atol=1e-6)
    assert not np.allclose(frames[-1].positions, frames[0].positions, atol=1e-3)
    # the recorded frames are i-PI's steps: its own trajectory (every 10 steps) has the same geometries
    trajectory = read(tmp_path / "run" / "md.pos_0.extxyz", index=":")
    assert len(trajectory) == 3
    for ipi_frame, frame in zip(trajectory, frames[::5]):
        assert np.allclose(ipi_frame.positions, frame.positions, atol=1e-6)
    # and i-PI's potential energies (Hartree) are the client's (eV)
    properties = read_properties(tmp_path / "run")
    assert properties[:, 0].tolist() == list(range(0, 21, 2))
    assert np.allclose(
        hartree_to_kcal_mol(properties[:, -1]), [ev_to_kcal_mol(f.get_potential_energy()) for f in frames], atol=1e-4
    )
    # the stored labels are the calculator's, to the SCF tolerance (MD restarts each SCF
    # from the previous step's density)
    check = frames[7].copy()
    check.calc = make_calculator("xtb")
    assert frames[7].get_potential_energy() == pytest.approx(check.get_potential_energy(), abs=1e-5)
    assert np.allclose(frames[7].get_forces(), check.get_forces(), atol=1e-3)
    socket_name = ET.parse(tmp_path / "run" / "input.xml").find("ffsocket/address").text
    assert not socket_path(socket_name).exists()
    assert not ipi_children()


def test_a_run_ends_at_the_first_kept_frame_the_client_stops_it_at(glycine_ip, tmp_path):
    """`stop_when` (a broken molecule, in the ml_md rule) ends the run at that frame: i-PI is
    stopped, nothing is left running, and the frames up to it are the calculator's."""
    asked = []

    def stop_when(atoms):
        asked.append(atoms.info["step"])
        return "stretched" if atoms.info["step"] == 8 else ""

    frames = run_ipi_md(glycine_ip, make_calculator("xtb"), SETTINGS, tmp_path / "run", stop_when=stop_when)
    assert asked == [0, 2, 4, 6, 8] and [f.info["step"] for f in frames] == asked
    assert frames[-1].info["stop_reason"] == "stretched" and "stop_reason" not in frames[-2].info
    check = frames[-1].copy()
    check.calc = make_calculator("xtb")
    assert frames[-1].get_potential_energy() == pytest.approx(check.get_potential_energy(), abs=1e-5)
    assert not ipi_children()
    assert not (tmp_path / "run" / PARTIAL_FRAMES).exists()


class Exploding(Calculator):
    """A model gone wrong: forces of 500 eV/A pushing every atom away from the centre."""

    implemented_properties = ["energy", "forces"]

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        outward = atoms.positions - atoms.positions.mean(axis=0)
        self.results = {"energy": 0.0, "forces": 500.0 * outward / np.linalg.norm(outward, axis=1)[:, None]}


def test_a_model_that_breaks_the_molecule_at_once_ends_its_run_at_the_first_kept_frame(glycine_ip, tmp_path):
    """What the ml_md rule does with a family whose MD fails at the first step: the run ends,
    with its failure, instead of crashing or running on."""
    bonds = [(i, j) for i, around in enumerate(bond_graph(glycine_ip)) for j in around if i < j]
    intact = IntactMolecule(glycine_ip.positions, glycine_ip.numbers, bonds)
    frames = run_ipi_md(
        glycine_ip, Exploding(), SETTINGS, tmp_path / "run", stop_when=lambda a: intact.failure(a.positions)
    )
    assert [f.info["step"] for f in frames] == [0, 2]
    assert frames[-1].info["stop_reason"] in FAILURES and not ipi_children()


def test_frames_out_of_step_with_ipi_are_detected(glycine_ip, tmp_path):
    frames = run_ipi_md(glycine_ip, make_calculator("xtb"), SETTINGS, tmp_path / "run")
    shifted = frames[1:]
    for frame, step in zip(shifted, range(0, 21, 2)):
        frame.info["step"] = step
    with pytest.raises(RuntimeError, match="out of step"):
        check_against_properties(shifted, tmp_path / "run")


class FailingCalculator(Calculator):
    """GFN2-xTB that fails on its seventh call, as a crashing electronic-structure code would."""

    implemented_properties = ["energy", "forces"]

    def __init__(self):
        super().__init__()
        self.inner, self.calls = make_calculator("xtb"), 0

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        self.calls += 1
        if self.calls > 6:
            raise CalculationFailed("SCF exploded")
        copy = self.atoms.copy()
        copy.calc = self.inner
        self.results = {"energy": copy.get_potential_energy(), "forces": copy.get_forces()}


def test_a_dead_client_stops_ipi_instead_of_hanging(glycine_ip, tmp_path):
    start = time.monotonic()
    with pytest.raises(CalculationFailed, match="SCF exploded"):
        run_ipi_md(glycine_ip, FailingCalculator(), SETTINGS, tmp_path / "run")
    assert time.monotonic() - start < 60
    assert not ipi_children()


def test_missing_ipi_is_a_readable_error(glycine_ip, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(inputs.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(RuntimeError, match="'i-pi' was not found.*pip install ipi"):
        run_ipi_md(glycine_ip, make_calculator("xtb"), SETTINGS, tmp_path / "run")


def test_ipi_failing_at_start_is_reported_with_its_log(glycine_ip, tmp_path):
    broken = MDSettings(
        temperature_K=300,
        timestep_fs=1,
        steps=10,
        stride=1,
        seed=42,
        thermostat="no-such-thermostat",
        thermostat_tau_fs=100.0,
    )
    with pytest.raises(RuntimeError, match="i-PI exited .* before opening its socket"):
        run_ipi_md(glycine_ip, make_calculator("xtb"), broken, tmp_path / "run")
    assert "no-such-thermostat" in (tmp_path / "run" / "ipi.log").read_text()


RESUMABLE = MDSettings(
    temperature_K=400,
    timestep_fs=0.5,
    steps=600,
    stride=5,
    seed=9,
    thermostat="langevin",
    thermostat_tau_fs=100.0,
    checkpoint_stride=100,
)
#: The RESUMABLE run in a child process, its GFN2-xTB calls paced to ~15 ms (from ~4 ms) so that
#: a signal sent once step 200 is checkpointed lands well before step 600 on an idle machine
#: (unpaced, i-PI finished the run before it handled the signal). The trajectory is the same.
RUN_IN_CHILD = """
import sys
import time
from ase.io import read
from flexmlff.calculators import make_calculator
from flexmlff.ipi import MDSettings, run_ipi_md
settings = MDSettings(temperature_K=400, timestep_fs=0.5, steps=600, stride=5, seed=9, thermostat="langevin",
                      thermostat_tau_fs=100.0, checkpoint_stride=100)
calculator = make_calculator("xtb")
calculate = calculator.calculate
def paced(*args, **kwargs):
    time.sleep(0.01)
    return calculate(*args, **kwargs)
calculator.calculate = paced
run_ipi_md(read(sys.argv[1]), calculator, settings, sys.argv[2])
"""


@pytest.fixture(scope="module")
def unbroken_run(glycine_ip, tmp_path_factory):
    return run_ipi_md(glycine_ip, make_calculator("xtb"), RESUMABLE, tmp_path_factory.mktemp("md") / "unbroken")


def start_run_in_child(atoms, tmp_path, workdir):
    """The RESUMABLE run in a child process of its own session (as a batch job is)."""
    import subprocess
    import sys

    from ase.io import write

    start = tmp_path / "start.extxyz"
    write(start, atoms)
    return subprocess.Popen(
        [sys.executable, "-c", RUN_IN_CHILD, str(start), str(workdir)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_checkpoint(child, workdir, step=200):
    checkpoint = workdir / "md.restart"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if checkpoint.exists() and f"<step>{step}</step>" in checkpoint.read_text(errors="replace"):
            return
        time.sleep(0.05)
    raise AssertionError("the run ended or stalled before it could be interrupted")


@pytest.fixture
def kill_run(still_running):
    """kill_run(child): SIGKILL the run's client and wait until its i-PI, sent SIGTERM
    by the kernel, has exited."""

    def kill(child):
        servers = ipi_of(child)
        child.kill()
        child.wait()
        assert not still_running(servers, timeout_s=60), "i-PI outlived its killed client"

    return kill


def ipi_of(child):
    return [p for p in psutil.Process(child.pid).children(recursive=True) if "i-pi" in " ".join(p.cmdline())]


def assert_resumes_like_an_unbroken_run(atoms, workdir, unbroken, caplog):
    caplog.set_level("INFO", logger="flexmlff.ipi.resume")
    resumed = run_ipi_md(atoms, make_calculator("xtb"), RESUMABLE, workdir)
    assert re.search(r"resuming .* from i-PI's checkpoint at step [2-5]00", caplog.text)
    assert [f.info["step"] for f in resumed] == [f.info["step"] for f in unbroken] == list(range(0, 601, 5))
    # i-PI's checkpoint holds every digit of the state and the thermostat's random
    # state, and checkpoint steps start their SCF from scratch: the same trajectory to
    # round-off (docs/md_engine.md)
    assert np.allclose(
        [f.get_potential_energy() for f in resumed], [f.get_potential_energy() for f in unbroken], rtol=0, atol=1e-9
    )
    # frames before the checkpoint come back from the frames file, written to 1e-8 Å
    difference = np.abs(np.array([f.positions for f in resumed]) - [f.positions for f in unbroken]).max(axis=(1, 2))
    resumed_at = int(re.search(r"checkpoint at step (\d+)", caplog.text)[1]) // RESUMABLE.stride
    assert difference[:resumed_at].max() < 1e-8 and difference[resumed_at:].max() < 1e-11
    assert not (workdir / PARTIAL_FRAMES).exists()
    assert not workdir.with_name(workdir.name + ".lock").exists()


def test_a_killed_run_resumes_from_the_checkpoint_and_matches_an_unbroken_one(
    glycine_ip, tmp_path, caplog, unbroken_run, kill_run
):
    workdir = tmp_path / "broken"
    child = start_run_in_child(glycine_ip, tmp_path, workdir)
    wait_for_checkpoint(child, workdir)
    kill_run(child)  # as an OOM killer would
    assert_resumes_like_an_unbroken_run(glycine_ip, workdir, unbroken_run, caplog)


@pytest.mark.parametrize("restart", ["being written", "ahead of the frames"])
def test_a_restart_file_left_by_the_dying_server_does_not_stop_the_resume(
    restart, glycine_ip, tmp_path, caplog, unbroken_run, kill_run
):
    """After its client is killed, i-PI gets SIGTERM and writes a RESTART on its way out.
    A rerun that looks while the file is still empty, or finds it at a step past the
    frames the client saved, resumes from the periodic checkpoint instead."""
    workdir = tmp_path / "dying"
    child = start_run_in_child(glycine_ip, tmp_path, workdir)
    wait_for_checkpoint(child, workdir)
    kill_run(child)
    periodic = (workdir / "md.restart").read_text()
    step = int(re.search(r"<step>\s*(\d+)\s*</step>", periodic)[1])
    (workdir / "RESTART").write_text(
        "" if restart == "being written" else periodic.replace(f"<step>{step}</step>", f"<step>{step + 95}</step>")
    )
    assert_resumes_like_an_unbroken_run(glycine_ip, workdir, unbroken_run, caplog)
    assert f"checkpoint at step {step} " in caplog.text


def test_a_frames_file_cut_short_by_the_kill_still_resumes(glycine_ip, tmp_path, caplog, unbroken_run, kill_run):
    """A SIGKILL while the client appends the block of frames after a checkpoint leaves a
    frame cut short at the end of the frames file: the whole frames before it are kept."""
    workdir = tmp_path / "cut"
    child = start_run_in_child(glycine_ip, tmp_path, workdir)
    wait_for_checkpoint(child, workdir)
    kill_run(child)
    frames_file = workdir / PARTIAL_FRAMES
    lines = frames_file.read_text().splitlines(keepends=True)
    block = lines[: int(lines[0]) + 2]
    with open(frames_file, "a") as handle:  # the next frame, cut in the middle of an atom line
        handle.write("".join(block[:5]) + block[5][: len(block[5]) // 2])
    assert_resumes_like_an_unbroken_run(glycine_ip, workdir, unbroken_run, caplog)


@pytest.mark.parametrize("target", ["process group", "client", "i-PI"])
def test_a_preempted_run_says_so_keeps_its_checkpoint_and_resumes(target, glycine_ip, tmp_path, caplog, unbroken_run):
    """SIGTERM as a scheduler sends it (the job's process group), to the client alone
    or to i-PI alone: the run stops with a resumable error, leaves no process and no
    socket behind, and the rerun continues from the checkpoint."""
    import os
    import signal

    workdir = tmp_path / "preempted"
    child = start_run_in_child(glycine_ip, tmp_path, workdir)
    wait_for_checkpoint(child, workdir)
    ipi = ipi_of(child)
    victim = {
        "process group": lambda: os.killpg(child.pid, signal.SIGTERM),
        "client": lambda: os.kill(child.pid, signal.SIGTERM),
        "i-PI": lambda: ipi[0].send_signal(signal.SIGTERM),
    }
    victim[target]()
    _, stderr = child.communicate(timeout=60)
    assert child.returncode != 0
    message = stderr.strip().splitlines()[-1]
    assert "MDInterrupted: MD interrupted" in message, stderr
    assert re.search(r"checkpoint at step [2-5]00 is kept in .*preempted; run again to resume", message)
    assert (workdir / PARTIAL_FRAMES).exists()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in ipi)
    socket_name = ET.parse(workdir / "input.xml").find("ffsocket/address").text
    assert not socket_path(socket_name).exists()
    assert_resumes_like_an_unbroken_run(glycine_ip, workdir, unbroken_run, caplog)


def test_a_second_run_on_a_busy_directory_is_refused(glycine_ip, tmp_path):
    workdir = tmp_path / "busy"
    child = start_run_in_child(glycine_ip, tmp_path, workdir)
    try:
        deadline = time.monotonic() + 60
        while not (workdir / RUN_RECORD).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(RunDirectoryBusy, match=rf"busy is in use by another MD run \(process {child.pid}\)"):
            run_ipi_md(glycine_ip, make_calculator("xtb"), RESUMABLE, workdir)
        assert (workdir / RUN_RECORD).exists()  # the running one's files are untouched
    finally:
        child.kill()
        child.wait()


def test_a_run_of_another_calculator_does_not_resume_a_checkpoint(glycine_ip, tmp_path, caplog):
    workdir = tmp_path / "run"
    workdir.mkdir()
    (workdir / RUN_RECORD).write_text(_fingerprint(glycine_ip, RESUMABLE, "model sha256:aaa"))
    (workdir / PARTIAL_FRAMES).write_text("")
    start = _prepare_run(glycine_ip, "model sha256:bbb", RESUMABLE, workdir, resume=True)
    assert not start.resumed and start.first_step == 0
    assert "it holds another run (atoms, settings or calculator changed); starting afresh" in caplog.text
    assert _fingerprint(glycine_ip, RESUMABLE, "model sha256:bbb") == (workdir / RUN_RECORD).read_text()


def test_only_the_sockets_of_dead_clients_are_removed():
    import os
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = socket_path(f"flexmlff-{gone.pid}-0123456789ab")
    live = socket_path(f"flexmlff-{os.getpid()}-0123456789ab")
    for path in (stale, live):
        path.write_text("")
    try:
        removed = remove_stale_sockets()
        assert stale in removed and not stale.exists()
        assert live.exists()
    finally:
        live.unlink(missing_ok=True)
        stale.unlink(missing_ok=True)


def test_eight_runs_at_once_on_two_cores_all_finish_on_their_own_sockets(glycine_ip, tmp_path):
    import os
    import subprocess
    import sys

    from ase.io import write

    start = tmp_path / "start.extxyz"
    write(start, glycine_ip)
    code = RUN_IN_CHILD.replace("steps=600", "steps=200")
    runs = [tmp_path / f"run{i}" for i in range(8)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(start), str(run)],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        for run in runs
    ]
    errors = [child.communicate(timeout=300)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 8, errors
    sockets = [ET.parse(run / "input.xml").find("ffsocket/address").text for run in runs]
    assert len(set(sockets)) == 8
    assert not [s for s in sockets if socket_path(s).exists()]
    for run in runs:
        steps = read_properties(run)[:, 0]
        assert steps.tolist() == list(range(0, 201, 5))


def test_ipi_killed_mid_run_is_a_readable_resumable_error(glycine_ip, tmp_path):
    import signal
    import threading

    workdir = tmp_path / "run"

    def kill_ipi_after_a_checkpoint():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if (
                "<step>200</step>" in (workdir / "md.restart").read_text(errors="replace")
                if (workdir / "md.restart").exists()
                else False
            ):
                for process in ipi_children():
                    process.send_signal(signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_ipi_after_a_checkpoint)
    killer.start()
    with pytest.raises(RuntimeError) as err:
        run_ipi_md(glycine_ip, make_calculator("xtb"), RESUMABLE, workdir)
    killer.join()
    message = str(err.value)
    assert re.search(r"i-PI (ended the run at step \d+ of 600 \(status -9|dropped the connection)", message), message
    assert not ipi_children()
