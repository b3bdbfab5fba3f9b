"""Molecular dynamics with i-PI as the engine and an ASE calculator as its client.

i-PI runs as a server process (``i-pi input.xml``); the reference calculator
answers its force requests through ASE's :class:`~ase.calculators.socketio.SocketClient`
over a UNIX socket, in this process. Each run gets its own socket name, so any
number of runs can share a machine.

Where the frames come from: the client keeps every ``stride``-th geometry with
the energy and forces it has just computed (full precision, no extra work), and
checks them against the potential energy i-PI logs for the same steps. i-PI's
own trajectory writers cost more per step than a GFN2-xTB call on a small
molecule, so i-PI writes its position trajectory only every
``trajectory_stride`` steps (for viewing and restarts), its properties every
``stride`` steps.

Interrupted runs: i-PI writes a checkpoint every ``checkpoint_stride`` steps
and the client keeps its frames on disk up to each one; a run started again
with the same atoms, settings and calculator identity continues from the last
checkpoint instead of starting over. A preemption (SIGTERM or SIGINT to i-PI,
the client or both) stops both cleanly, keeps the checkpoint and raises
:class:`MDInterrupted`; a SIGKILL keeps the last periodic checkpoint.

How close a resumed trajectory is to an unbroken one: the same to round-off.
i-PI's checkpoint holds every digit of the positions and momenta
(``floatformat``) and the thermostat's random state, and every step that
i-PI checkpoints at is computed from scratch (``calculator.reset()``: no SCF
guess carried over from the step before), in an unbroken run as in a resumed
one. Measured (glycine, GFN2-xTB, 400 K, 2000 steps, killed at step 200):
largest position difference 2e-12 Å, against 4e-2 Å after 3000 steps when the
first resumed SCF started from a fresh guess and the unbroken one did not. The
frames kept from before the checkpoint come back from ``frames.partial.extxyz``,
which holds 8 decimals (Å, eV/Å), so those differ from the unbroken run's by up
to 1e-8 Å and 1e-8 eV/Å.

A run's directory is locked (``<workdir>.lock``) while it runs: a second run
on the same directory refuses with the owner's process id.

Failure handling, because a half-dead pair otherwise waits forever:

* i-PI missing, or dying before it opens its socket: readable error with the
  tail of its log;
* i-PI hanging mid-run: the client's socket times out after ``stall_timeout_s``;
* the client failing (calculator error, timeout): i-PI is terminated;
* this process being killed: i-PI gets SIGTERM from the kernel (Linux
  ``PR_SET_PDEATHSIG``), so it never outlives its client;
* i-PI exiting early or with an error: detected from its exit status and from
  the number of frames it wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.calculators.singlepoint import SinglePointCalculator
from ase.calculators.socketio import SocketClient
from ase.io import iread, write

from flexmlff.runlog import die_with_parent
from flexmlff.units import hartree_to_kcal_mol, kcal_mol_to_ev

log = logging.getLogger(__name__)

#: i-PI output prefix; its files are ``md.out`` (properties), ``md.energy`` (conserved
#: quantity) and ``md.pos_0.extxyz`` (positions).
PREFIX = "md"
PROPERTIES = ["step", "time{picosecond}", "temperature{kelvin}", "potential"]
#: Written every `trajectory_stride` steps only: the conserved quantity alone costs
#: i-PI about a tenth of its per-step time.
DIAGNOSTICS = ["step", "time{picosecond}", "conserved", "kinetic_md", "potential"]
#: The run's identity and the frames recorded so far, kept beside i-PI's checkpoints.
RUN_RECORD = "run.json"
PARTIAL_FRAMES = "frames.partial.extxyz"
#: i-PI's standard output and error, in the run's directory.
_IPI_LOG = "ipi.log"
#: PLUMED input file in the i-PI working directory (metadynamics runs).
PLUMED_FILE = "plumed.dat"
#: Edge of the (non-periodic) box i-PI is given for a molecule, Å.
BOX_A = 50.0


@dataclass
class Metadynamics:
    """Well-tempered metadynamics through PLUMED (i-PI's ``ffplumed`` bias and
    ``smotion mode='metad'``), in PLUMED's units: kJ/mol, radians for angles.

    `cvs` maps a name to its atoms (0-based): four atoms make a torsion, three
    an angle, two a distance (nm).
    """

    cvs: dict[str, tuple[int, ...]]
    sigma: list[float]
    height_kJ_mol: float = 1.2
    pace: int = 100
    biasfactor: float = 10.0

    def __post_init__(self):
        if len(self.sigma) != len(self.cvs):
            raise ValueError(f"metadynamics: {len(self.cvs)} collective variables but {len(self.sigma)} sigmas")
        for name, atoms in self.cvs.items():
            if len(atoms) not in PLUMED_CV_KINDS:
                raise ValueError(f"metadynamics: CV {name!r} has {len(atoms)} atoms (2, 3 or 4 allowed)")


#: PLUMED action of a collective variable, by its number of atoms.
PLUMED_CV_KINDS = {2: "DISTANCE", 3: "ANGLE", 4: "TORSION"}


def plumed_input(meta: Metadynamics, temperature_K: float) -> str:
    """PLUMED input: the CVs, well-tempered METAD (hills in ``HILLS``) and the CVs
    with the bias in ``COLVAR`` every `pace` steps."""
    lines = [f"{name}: {PLUMED_CV_KINDS[len(atoms)]} ATOMS={','.join(str(i + 1) for i in atoms)}"
             for name, atoms in meta.cvs.items()]
    names = ",".join(meta.cvs)
    lines.append(
        f"metad: METAD ARG={names} SIGMA={','.join(f'{s:g}' for s in meta.sigma)} "
        f"HEIGHT={meta.height_kJ_mol:g} PACE={meta.pace} BIASFACTOR={meta.biasfactor:g} "
        f"TEMP={temperature_K:g} FILE=HILLS"
    )
    lines.append(f"PRINT ARG={names},metad.bias STRIDE={meta.pace} FILE=COLVAR")
    return "\n".join(lines) + "\n"


@dataclass
class MDSettings:
    """One constant-temperature MD run (the paper's units: K, fs)."""

    temperature_K: float
    timestep_fs: float
    steps: int
    stride: int = 1
    seed: int = 12345
    thermostat: str = "langevin"
    thermostat_tau_fs: float = 100.0
    checkpoint_stride: int = 1000
    trajectory_stride: int | None = None  # i-PI's position trajectory; default ~100 steps
    metadynamics: Metadynamics | None = None

    def __post_init__(self):
        if self.steps < 1 or self.stride < 1 or self.steps % self.stride:
            raise ValueError(f"steps ({self.steps}) must be a positive multiple of stride ({self.stride})")
        if self.trajectory_stride is None:
            self.trajectory_stride = self.stride * max(1, 100 // self.stride)
        if self.temperature_K <= 0 or self.timestep_fs <= 0:
            raise ValueError("temperature_K and timestep_fs must be positive")

    @property
    def n_frames(self) -> int:
        """Frames i-PI writes: every `stride`-th step, step 0 included."""
        return self.steps // self.stride + 1


def _properties(settings: "MDSettings") -> list[str]:
    """i-PI's properties columns: :data:`PROPERTIES`, then the bias energy of a metadynamics run."""
    return PROPERTIES + (["ensemble_bias"] if settings.metadynamics else [])


def ipi_input_xml(settings: MDSettings, socket_name: str, init_file: str) -> str:
    """The i-PI input for an NVT run driven by one UNIX-socket force field.

    Positions are written in ASE's units (Å, extended XYZ, full precision); the
    potential energy in i-PI's atomic units (Hartree).
    """
    # i-PI snapshots its whole state every `safe_stride` steps (default 1) so that a
    # soft exit can roll back; per step that costs more than a GFN2-xTB call. Its
    # thread pool (threading) only helps multi-system runs, costs a thread handoff
    # per step and output, and makes the random numbers non-reproducible.
    # checkpoints with every digit of a float64 (i-PI's default "%16.8e" keeps 9), so
    # that a resumed run restarts from the very state an unbroken run was in
    sim = ET.Element("simulation", verbosity="low", threading="false",
                     safe_stride=str(settings.checkpoint_stride), floatformat="%.16e")
    output = ET.SubElement(sim, "output", prefix=PREFIX)
    # Flushing every step costs an fsync per step; flush in blocks instead.
    # (and at least at every checkpoint, so that a resumed run can still be checked)
    flush = str(max(1, min(100, settings.steps // settings.stride,
                           settings.checkpoint_stride // settings.stride)))
    ET.SubElement(output, "properties", stride=str(settings.stride), filename="out",
                  flush=flush).text = f" [ {', '.join(_properties(settings))} ] "
    ET.SubElement(output, "properties", stride=str(settings.trajectory_stride), filename="energy",
                  flush=flush).text = f" [ {', '.join(DIAGNOSTICS)} ] "
    ET.SubElement(output, "trajectory", filename="pos", stride=str(settings.trajectory_stride),
                  format="ase", flush=flush).text = " positions "
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
    dynamics = ET.SubElement(ET.SubElement(system, "motion", mode="dynamics"), "dynamics", mode="nvt")
    ET.SubElement(dynamics, "timestep", units="femtosecond").text = str(settings.timestep_fs)
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


def socket_path(socket_name: str) -> Path:
    """File of a UNIX socket as both i-PI and ASE name it."""
    return Path(f"/tmp/ipi_{socket_name}")


#: Our socket names: ``flexmlff-<client pid>-<random>``; the pid tells a stale one.
_SOCKET_PREFIX = "flexmlff-"


def _new_socket_name() -> str:
    return f"{_SOCKET_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"


def remove_stale_sockets() -> list[Path]:
    """Delete socket files of ours whose client process is gone (a run killed with
    SIGKILL cannot remove its own); returns those removed. Live runs' sockets are
    left alone: they are told apart by the pid in the name, not by connecting."""
    removed = []
    for path in socket_path(_SOCKET_PREFIX).parent.glob(f"ipi_{_SOCKET_PREFIX}*"):
        pid = path.name[len(f"ipi_{_SOCKET_PREFIX}"):].split("-")[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class MDInterrupted(RuntimeError):
    """The run was stopped (a signal, a soft exit of i-PI) before its last step;
    its checkpoint is kept, and running it again resumes from there."""


class RunDirectoryBusy(RuntimeError):
    """Another process is running MD in the same directory."""


@contextlib.contextmanager
def _run_lock(workdir: Path):
    """Hold ``<workdir>.lock`` for the run, or refuse when another process holds it.

    An advisory ``flock``: the kernel drops it when its holder dies, even by SIGKILL.
    """
    lock_file = workdir.with_name(workdir.name + ".lock")
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise RunDirectoryBusy(
                f"{workdir} is in use by another MD run (process {owner}); wait for it to finish or stop it, "
                "then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            lock_file.unlink(missing_ok=True)  # before the unlock: no one locks a file on its way out


class _Stop(BaseException):
    """Raised in the client by SIGTERM/SIGINT (BaseException: calculators' own
    ``except Exception`` must not swallow it)."""


class _SignalGuard:
    """Turn SIGTERM and SIGINT into :class:`_Stop` while a run is driven, except
    inside :meth:`deferred` blocks (writing the frames file), where the stop waits
    for the block's end. A no-op outside the main thread, where Python allows no
    signal handlers."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.received: int | None = None
        self._deferring = False
        self._previous = {}

    def _handle(self, signum, _frame):
        if self.received is not None:  # already stopping: let the clean-up finish
            return
        self.received = signum
        if not self._deferring:
            raise _Stop(signum)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in self.SIGNALS}
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False

    @contextlib.contextmanager
    def deferred(self):
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self.received is not None:
            raise _Stop(self.received)


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no i-PI log)"


def _stop(process: subprocess.Popen, log_file: Path | None = None, grace_s: float = 30.0) -> None:
    """Stop i-PI with one SIGTERM, which it answers with a soft exit that writes its
    checkpoint; a second signal would kill it before it does. So when its log shows
    it already exiting (a signal to the whole process group, as a scheduler's
    preemption sends), only wait."""
    if process.poll() is not None:
        return
    try:
        process.wait(timeout=_SOFTEXIT_NOTICE_S)
        return
    except subprocess.TimeoutExpired:
        pass
    if log_file is None or _SOFTEXIT_MARK not in _log_tail(log_file, 50):
        process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


#: What i-PI logs when a signal starts its soft exit, and how long it takes to say so
#: (its soft-exit monitor polls about once a second).
_SOFTEXIT_MARK = "@SOFTEXIT"
_SOFTEXIT_NOTICE_S = 2.0


def _wait_for_socket(process: subprocess.Popen, path: Path, timeout_s: float, log_file: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None:
            raise RuntimeError(
                f"i-PI exited (status {process.returncode}) before opening its socket; "
                f"last lines of {log_file}:\n{_log_tail(log_file)}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"i-PI did not open its socket {path} within {timeout_s:.0f} s; see {log_file}")
        time.sleep(0.05)


class _StepClient(SocketClient):
    """ASE's socket client, answering each of i-PI's force requests with one check of the
    calculator's state and at most one calculation.

    ASE's own asks for the energy and then the forces, and each getter compares the whole
    Atoms object with the calculator's copy: on glycine that was 5 comparisons a step,
    15 % of the client's time beside GFN2-xTB's 27 % (cProfile, 2000 steps, 2026-12-06).
    """

    def calculate(self, atoms: Atoms, use_stress: bool):
        if use_stress:  # a periodic cell: ASE's own path, with the stress
            return super().calculate(atoms, use_stress)
        results = energy_and_forces(atoms)
        return results["energy"], results["forces"], np.zeros((3, 3))


def energy_and_forces(atoms: Atoms) -> dict:
    """The results of `atoms`' calculator for its current geometry, energy and forces
    computed together, with one comparison of the state instead of one per property.

    Step for step what ASE's ``get_property`` does (ase 3.29), for both properties at once:
    a changed system clears the stored atoms and results, the calculator keeps a copy of
    the atoms it computes (when it caches), and ``calculate`` hears what changed.
    """
    calc = atoms.calc
    changes = calc.check_state(atoms)
    if changes:
        _drop_stored_state(calc)
    if not {"energy", "forces"} <= calc.results.keys():
        if calc.use_cache:
            calc.atoms = atoms.copy()
        calc.calculate(atoms, ["energy", "forces"], changes)
    return calc.results


def forget_state(calculator) -> None:
    """Make the calculator's next call start from scratch (no SCF guess from the last
    geometry), as the first call of a run resumed from a checkpoint does. Calculators
    without ``reset`` (ASE's BaseCalculator: a sum of calculators, file-based codes) only
    drop their stored atoms, so that everything counts as changed."""
    if hasattr(calculator, "reset"):
        calculator.reset()
    else:
        _drop_stored_state(calculator)


def _drop_stored_state(calculator) -> None:
    """Forget the atoms and results a calculator stored, so that its next check of the
    state finds everything changed (what ASE's ``get_property`` does on a change)."""
    calculator.atoms = None
    calculator.results = {}


def _connect(process: subprocess.Popen, socket_name: str, timeout_s: float, startup_timeout_s: float,
             log_file: Path) -> SocketClient:
    """The client's connection. i-PI creates the socket file (bind) a moment before it
    listens: on a busy machine a first connect can be refused, so try again."""
    deadline = time.monotonic() + startup_timeout_s
    while True:
        try:
            return _StepClient(unixsocket=socket_name, timeout=timeout_s)
        except ConnectionRefusedError:
            if process.poll() is not None:
                raise RuntimeError(f"i-PI exited (status {process.returncode}) before accepting its client; "
                                   f"last lines of {log_file}:\n{_log_tail(log_file)}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def calculator_identity(calculator: Calculator) -> str:
    """A fallback identity for a calculator: its class and ASE parameters. Callers
    that know more (a level's full settings, a model file's hash) pass `identity`
    to :func:`run_ipi_md` instead: some calculators keep their settings elsewhere."""
    return f"{type(calculator).__name__} {getattr(calculator, 'parameters', '')}"


def file_identity(path: str | Path) -> str:
    """A model file's identity: its SHA-256, so that a retrained model never resumes
    the old model's trajectory."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _fingerprint(atoms: Atoms, settings: MDSettings, identity: str) -> str:
    """What a run is: a checkpoint is resumed only by the very same run."""
    return json.dumps({
        "settings": asdict(settings),
        "numbers": atoms.numbers.tolist(),
        "positions": np.round(atoms.positions, 6).tolist(),
        "calculator": identity,
    }, sort_keys=True, default=str)


def _checkpoints(workdir: Path) -> list[tuple[int, Path, ET.ElementTree]]:
    """(step, file, parsed file) of i-PI's checkpoints in `workdir`, most advanced first:
    its periodic one, earlier segments' (in its backups) and the ``RESTART`` a soft
    exit writes.

    A file that does not parse is left out: a kill can cut one short, and an i-PI on
    its way out (its client killed, so SIGTERM from the kernel) can still be writing
    its ``RESTART`` when the rerun looks.
    """
    files = [workdir / f"{PREFIX}.restart", *workdir.glob(f"#{PREFIX}.restart#*#"), workdir / "RESTART",
             *workdir.glob("#RESTART#*#")]
    found = []
    for file in files:
        try:
            tree = ET.parse(file)
            found.append((int(tree.getroot().findtext("step")), file, tree))
        except FileNotFoundError:
            continue
        except (ET.ParseError, ValueError, TypeError) as err:
            log.info("skipped i-PI checkpoint %s: it cannot be read (%s: %s)", file, type(err).__name__, err)
    return sorted(found, key=lambda checkpoint: checkpoint[0], reverse=True)


def _latest_checkpoint(workdir: Path) -> tuple[int, Path]:
    """(step, file) of i-PI's most advanced readable checkpoint (:func:`_checkpoints`)."""
    checkpoints = _checkpoints(workdir)
    if not checkpoints:
        raise FileNotFoundError(f"no readable i-PI checkpoint in {workdir}")
    return checkpoints[0][:2]


def _whole_frames(path: Path) -> list[Atoms]:
    """The frames of a frames file up to the first one it cannot read.

    A SIGKILL can cut the file short in the block written just after a checkpoint (the
    kill comes when i-PI has written it); the frames before that checkpoint were all
    written before it was, so they are whole.
    """
    frames = []
    try:
        for frame in iread(path, index=":", format="extxyz"):
            frames.append(frame)
    except Exception as err:
        log.info("%s ends in a frame cut short (%s: %s); kept the %d before it",
                 path, type(err).__name__, err, len(frames))
    return frames


def _resume_point(workdir: Path, fingerprint: str,
                  settings: MDSettings) -> tuple[int, list[Atoms], ET.ElementTree] | str:
    """(step, frames before it, i-PI's checkpoint) to continue an interrupted run from,
    or why there is nothing consistent to continue.

    The most advanced readable checkpoint whose earlier frames are all in the frames
    file: a ``RESTART`` written by i-PI after its client was killed can be ahead of
    the frames the client had saved, and an earlier checkpoint of the same run is then
    the place to continue from.
    """
    record, partial = workdir / RUN_RECORD, workdir / PARTIAL_FRAMES
    if not record.exists():
        return "no run record"
    if record.read_text() != fingerprint:
        return "it holds another run (atoms, settings or calculator changed)"
    if not partial.exists():
        return f"no {PARTIAL_FRAMES}"
    checkpoints = _checkpoints(workdir)
    if not checkpoints:
        return "it has no readable i-PI checkpoint"
    saved = _whole_frames(partial)
    for step, _, checkpoint in checkpoints:
        frames = [f for f in saved if f.info["step"] < step]
        if [f.info["step"] for f in frames] == list(range(0, step, settings.stride)):
            return step, frames, checkpoint
    return (f"its frames file has {len(saved)} frames, too few for any checkpoint "
            f"(steps {', '.join(str(c[0]) for c in checkpoints)})")


@dataclass
class _RunStart:
    """Where a run begins: afresh at step 0, or at i-PI's last checkpoint."""

    first_step: int  # the step of the first force request
    frames: list[Atoms]  # the frames recorded before `first_step` (none on a fresh run)
    init: Atoms  # the starting geometry, in i-PI's box
    checkpoint: ET.ElementTree | None = None  # the i-PI checkpoint a resumed run restarts from

    @property
    def resumed(self) -> bool:
        """Continuing an interrupted run: i-PI restarts from `checkpoint`."""
        return self.checkpoint is not None


def _prepare_run(atoms: Atoms, identity: str, settings: MDSettings, workdir: Path,
                 resume: bool) -> _RunStart:
    """Work out where the run begins and get `workdir` ready for it.

    With `resume`, an interrupted run of the same atoms, settings and calculator
    identity (:func:`_fingerprint`) continues from i-PI's last checkpoint with the frames
    recorded before it (:func:`_resume_point`). Otherwise `workdir` is emptied and
    receives the run's record, the initial geometry and, for metadynamics, the
    PLUMED input.
    """
    fingerprint = _fingerprint(atoms, settings, identity)
    resumed = None
    if resume and workdir.exists():
        resumed = _resume_point(workdir, fingerprint, settings)
        if isinstance(resumed, str):
            log.warning("cannot resume %s: %s; starting afresh", workdir, resumed)
            resumed = None
    init = atoms.copy()
    init.cell, init.pbc = np.eye(3) * BOX_A, False
    if resumed:
        first_step, frames, checkpoint = resumed
        log.info("resuming %s from i-PI's checkpoint at step %d (%d frames kept)", workdir, first_step, len(frames))
        # the frames file is to hold exactly the frames before the checkpoint: the ones
        # after it are recomputed, and kept twice they would spoil the next resume
        kept = workdir / f"{PARTIAL_FRAMES}.tmp"
        write(kept, frames, format="extxyz")
        os.replace(kept, workdir / PARTIAL_FRAMES)
        return _RunStart(first_step, frames, init, checkpoint)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / RUN_RECORD).write_text(fingerprint)
    write(workdir / "init.extxyz", init, format="extxyz")
    if settings.metadynamics:
        (workdir / PLUMED_FILE).write_text(plumed_input(settings.metadynamics, settings.temperature_K))
    (workdir / PARTIAL_FRAMES).unlink(missing_ok=True)
    return _RunStart(0, [], init)


def _write_ipi_input(workdir: Path, settings: MDSettings, start: _RunStart, socket_name: str) -> str:
    """Write i-PI's input for the run, on socket `socket_name`; returns the file's name.

    A fresh run gets ``input.xml`` (:func:`ipi_input_xml`); a resumed one
    ``restart.xml``, i-PI's latest checkpoint with its socket address replaced by
    the fresh one.
    """
    if start.resumed:
        # the very checkpoint the frames were matched to, not a fresh look at the files
        checkpoint = start.checkpoint
        checkpoint.getroot().find(".//ffsocket/address").text = socket_name  # a fresh socket
        checkpoint.write(workdir / "restart.xml")
        return "restart.xml"
    (workdir / "input.xml").write_text(ipi_input_xml(settings, socket_name, "init.extxyz"))
    return "input.xml"


def _start_ipi(ipi: str, workdir: Path, settings: MDSettings, start: _RunStart, startup_timeout_s: float,
               stall_timeout_s: float) -> tuple[subprocess.Popen, SocketClient, Path]:
    """Start the i-PI server for the run and connect the client to it.

    Writes i-PI's input on a fresh socket name (:func:`_write_ipi_input`),
    launches i-PI in `workdir` (its output in ``ipi.log``, appended to on a
    resumed run; it dies with this process), waits up to `startup_timeout_s` for
    its socket and connects a client whose requests time out after
    `stall_timeout_s`. Returns (i-PI's process, the client, the socket's file);
    on failure i-PI is stopped and its socket file removed before the error is raised.
    """
    socket_name = _new_socket_name()
    ipi_input = _write_ipi_input(workdir, settings, start, socket_name)
    log_file = workdir / _IPI_LOG
    path = socket_path(socket_name)
    path.unlink(missing_ok=True)
    with open(log_file, "a" if start.resumed else "w") as ipi_log:
        # unbuffered, so that its soft-exit notice is in the log when _stop looks
        process = subprocess.Popen([ipi, ipi_input], cwd=workdir, stdout=ipi_log,
                                   stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_for_socket(process, path, startup_timeout_s, log_file)
        client = _connect(process, socket_name, stall_timeout_s, startup_timeout_s, log_file)
    except BaseException:
        _stop(process, log_file)
        path.unlink(missing_ok=True)
        raise
    return process, client, path


def _drive_client(client: SocketClient, calculator: Calculator, settings: MDSettings, workdir: Path,
                  start: _RunStart, guard: "_SignalGuard") -> tuple[list[Atoms], int, float]:
    """Answer i-PI's force requests with `calculator` until i-PI ends the run.

    Every ``stride``-th step becomes a frame (:func:`_snapshot`); the frames are
    appended to ``frames.partial.extxyz`` at each i-PI checkpoint, so that an
    interrupted run can resume (a stop signal waits until the write is done), and
    progress is logged about 20 times. Returns (the frames, those recorded before
    `start` included; the number of force calls; the seconds from the first call's
    answer to the last one's, i.e. of the steps after the first, i-PI's start-up left out).
    """
    client_atoms = start.init.copy()
    client_atoms.calc = calculator
    report_every = max(1, settings.steps // 20)
    frames, unsaved = start.frames, []
    began = time.perf_counter()
    # One force evaluation per MD step, plus one for the initial (or restart) geometry.
    n_calls, ckpt = 0, settings.checkpoint_stride
    for n_calls, _ in enumerate(client.irun(client_atoms, use_stress=False), start=1):
        if n_calls == 1:  # the steps' clock starts once i-PI is up and the first geometry done
            began = time.perf_counter()
        step = start.first_step + n_calls - 1
        if step % settings.stride == 0:
            unsaved.append(_snapshot(client_atoms, step, settings.timestep_fs))
        # keep the frames on disk up to each i-PI checkpoint, which it writes
        # only after this step's forces reach it
        if step % ckpt in (0, ckpt - 1) and unsaved:
            with guard.deferred():
                write(workdir / PARTIAL_FRAMES, unsaved, format="extxyz", append=True)
                frames += unsaved
                unsaved = []
        if (step + 1) % ckpt == 0:
            # the next step is one i-PI checkpoints at: compute it from scratch (no SCF
            # guess from this step), as a run resumed there will, so that both agree bit for bit
            forget_state(calculator)
        if n_calls > 1 and step % report_every == 0:
            elapsed = time.perf_counter() - began
            log.info("MD step %d/%d, %.2f ms/step", step, settings.steps, 1000 * elapsed / (n_calls - 1))
    frames += unsaved
    return frames, n_calls, time.perf_counter() - began


def _wait_for_exit(process: subprocess.Popen, log_file: Path, timeout_s: float = 120.0) -> None:
    """Raise unless i-PI, its run over, exits with status 0 within `timeout_s`."""
    try:
        status = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"i-PI did not exit after the run; see {log_file}") from None
    if status != 0:
        raise RuntimeError(f"i-PI failed (status {status}); last lines of {log_file}:\n{_log_tail(log_file)}")


def _check_frames(frames: list[Atoms], settings: MDSettings, workdir: Path, first_step: int) -> None:
    """The final checks: each frame's energy is the one i-PI logged for its step
    (:func:`check_against_properties`) and the run has all its frames."""
    check_against_properties(frames, workdir, first_step)
    if len(frames) != settings.n_frames:
        raise RuntimeError(
            f"the run produced {len(frames)} frames, expected {settings.n_frames}; see {workdir / _IPI_LOG}"
        )


def run_ipi_md(
    atoms: Atoms,
    calculator: Calculator,
    settings: MDSettings,
    workdir: str | Path,
    startup_timeout_s: float = 120.0,
    stall_timeout_s: float = 600.0,
    resume: bool = True,
    identity: str | None = None,
    timing: dict | None = None,
) -> list[Atoms]:
    """Run NVT MD of `atoms` with i-PI, `calculator` answering over a UNIX socket.

    `workdir` receives the i-PI input, log, trajectory, properties and
    checkpoints. With `resume`, an interrupted run of the same atoms, settings
    and calculator `identity` (default: :func:`calculator_identity`; pass a
    level's full settings or :func:`file_identity` of a model) continues from
    i-PI's last checkpoint (every ``checkpoint_stride`` steps) and keeps the
    frames recorded before it; otherwise `workdir` is emptied first. A stop
    signal or an early soft exit of i-PI raises :class:`MDInterrupted`, with the
    checkpoint kept; a second run on the same `workdir` meanwhile raises
    :class:`RunDirectoryBusy`. Returns every ``stride``-th frame
    (step 0 included) with its energy and forces (eV, eV/Å) and
    ``info['step']``, ``info['time_ps']``. Raises RuntimeError on any failure,
    never hangs for longer than `stall_timeout_s` without a force request.
    `timing`, when given, receives ``force_calls`` and ``steps_s``, the seconds from
    the first force call's answer to the last one's: ``force_calls - 1`` steps, i-PI's
    start-up, the first call and the exit left out.
    """
    workdir = Path(workdir)
    ipi = find_ipi()
    if settings.metadynamics:
        check_plumed()
    remove_stale_sockets()
    identity = identity or calculator_identity(calculator)
    with _run_lock(workdir), _SignalGuard() as guard:
        try:
            start = _prepare_run(atoms, identity, settings, workdir, resume)
            frames, n_calls, elapsed = _drive_ipi(ipi, calculator, settings, workdir, start, guard,
                                                  startup_timeout_s, stall_timeout_s)
        except _Stop as stop:
            raise MDInterrupted(_interruption(workdir, f"stopped by {signal.Signals(stop.args[0]).name}")) from None
    log.info("MD finished: %d force calls in %.1f s (%.2f ms/step)",
             n_calls, elapsed, 1000 * elapsed / max(1, n_calls - 1))
    if timing is not None:
        timing.update(force_calls=n_calls, steps_s=elapsed)
    # the run is complete: nothing is left to resume, whatever the checks find
    (workdir / PARTIAL_FRAMES).unlink(missing_ok=True)
    _check_frames(frames, settings, workdir, start.first_step)
    return frames


def _drive_ipi(ipi: str, calculator: Calculator, settings: MDSettings, workdir: Path, start: _RunStart,
               guard: _SignalGuard, startup_timeout_s: float,
               stall_timeout_s: float) -> tuple[list[Atoms], int, float]:
    """Start i-PI, answer its force requests until it ends the run and see it exit.

    Raises :class:`MDInterrupted` when i-PI ends before the last step (a signal to
    it, its soft exit) and a readable RuntimeError when it dies or drops the
    connection; i-PI is stopped (with its checkpoint) on any failure.
    """
    log_file = workdir / _IPI_LOG
    process, client, socket_file = _start_ipi(ipi, workdir, settings, start, startup_timeout_s, stall_timeout_s)
    try:
        frames, n_calls, elapsed = _drive_client(client, calculator, settings, workdir, start, guard)
        last_step = start.first_step + n_calls - 1
        if last_step < settings.steps:
            _stop(process, log_file)
            raise MDInterrupted(_interruption(workdir, f"i-PI ended the run at step {last_step} of "
                                                       f"{settings.steps} (status {process.returncode}: "
                                                       f"{_ipi_exit_reason(log_file)})"))
        _wait_for_exit(process, log_file)
    except (ConnectionError, EOFError) as err:
        _stop(process, log_file)
        raise RuntimeError(f"i-PI dropped the connection ({type(err).__name__}: {err}; i-PI status "
                           f"{process.returncode}); last lines of {log_file}:\n{_log_tail(log_file)}") from err
    except BaseException:
        client.close()
        _stop(process, log_file)
        raise
    finally:
        socket_file.unlink(missing_ok=True)
    return frames, n_calls, elapsed


def _ipi_exit_reason(log_file: Path) -> str:
    """i-PI's own words for a soft exit, from its log."""
    lines = [line.strip() for line in _log_tail(log_file, 200).splitlines() if "Soft exit has been requested" in line]
    return lines[-1] if lines else "no reason in its log"


def _interruption(workdir: Path, what: str) -> str:
    """The message of an interrupted run: what happened and where a rerun resumes."""
    try:
        step, _ = _latest_checkpoint(workdir)
        where = f"i-PI's checkpoint at step {step} is kept in {workdir}; run again to resume from there"
    except FileNotFoundError:
        where = f"no checkpoint was written yet in {workdir}; a rerun starts from step 0"
    return f"MD interrupted: {what}; {where}"


def _snapshot(atoms: Atoms, step: int, timestep_fs: float) -> Atoms:
    """A frame of the client's current geometry with the results just computed (read
    from the calculator: its getters would compare the state again)."""
    results = atoms.calc.results
    frame = Atoms(numbers=atoms.numbers, positions=atoms.positions.copy())
    frame.calc = SinglePointCalculator(frame, energy=float(results["energy"]),
                                       forces=np.array(results["forces"], dtype=float))
    frame.info["step"] = step
    frame.info["time_ps"] = round(step * timestep_fs * 1e-3, 9)
    return frame


def read_properties(workdir: str | Path) -> np.ndarray:
    """i-PI's properties table (columns as in :data:`PROPERTIES`; energies in Hartree).

    After a restart the earlier segments are in i-PI's backups (``#md.out#0#``, …):
    all are read, oldest first, a later segment's row replacing an earlier one's.
    """
    workdir = Path(workdir)
    segments = sorted(workdir.glob(f"#{PREFIX}.out#*#"), key=lambda p: int(p.name.split("#")[2]))
    rows = {}
    for segment in [*segments, workdir / f"{PREFIX}.out"]:
        for line in segment.read_text().splitlines():
            values = line.split()
            if values and not line.startswith("#"):
                try:
                    row = np.array(values, dtype=float)
                except ValueError:  # a line cut short when the run was killed
                    continue
                rows[int(row[0])] = row
    return np.array([rows[step] for step in sorted(rows)])


def check_against_properties(frames: list[Atoms], workdir: str | Path, first_step: int = 0,
                             tolerance_ev: float = 1e-4) -> None:
    """Raise unless each frame's energy is i-PI's logged potential energy at its step.

    Every frame from `first_step` on must be in i-PI's properties; frames of an
    earlier, interrupted segment are checked where i-PI flushed them before it died.
    """
    properties = read_properties(workdir)
    logged = dict(zip(properties[:, 0].astype(int), properties[:, PROPERTIES.index("potential")]))
    for frame in frames:
        step = frame.info["step"]
        if step not in logged:
            # a restarted i-PI logs from the step after its checkpoint
            if step < first_step or step == first_step > 0:
                continue
            raise RuntimeError(f"step {step} is missing from i-PI's properties in {workdir}")
        ipi_ev = kcal_mol_to_ev(hartree_to_kcal_mol(logged[step]))
        if abs(ipi_ev - frame.get_potential_energy()) > tolerance_ev:
            raise RuntimeError(
                f"step {step}: client energy {frame.get_potential_energy():.6f} eV differs from "
                f"i-PI's {ipi_ev:.6f} eV; frames and i-PI steps are out of step"
            )
