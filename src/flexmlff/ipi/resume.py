"""Resuming an interrupted run: what a run is (its fingerprint), i-PI's checkpoints,
the frames saved up to them, and getting a run directory ready for a fresh or a resumed start."""

from __future__ import annotations

import json
import logging
import os
import shutil
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.io import iread, write

from flexmlff.ipi.inputs import ipi_input_xml, plumed_input
from flexmlff.ipi.settings import BOX_A, PARTIAL_FRAMES, PLUMED_FILE, PREFIX, RUN_RECORD, MDSettings

log = logging.getLogger(__name__)


def _fingerprint(atoms: Atoms, settings: MDSettings, identity: str) -> str:
    """What a run is: a checkpoint is resumed only by the very same run."""
    return json.dumps(
        {
            "settings": asdict(settings),
            "numbers": atoms.numbers.tolist(),
            "positions": np.round(atoms.positions, 6).tolist(),
            "calculator": identity,
        },
        sort_keys=True,
        default=str,
    )


def _checkpoints(workdir: Path) -> list[tuple[int, Path, ET.ElementTree]]:
    """(step, file, parsed file) of i-PI's checkpoints in `workdir`, most advanced first:
    its periodic one, earlier segments' (in its backups) and the ``RESTART`` a soft
    exit writes.

    A file that does not parse is left out: a kill can cut one short, and an i-PI on
    its way out (its client killed, so SIGTERM from the kernel) can still be writing
    its ``RESTART`` when the rerun looks.
    """
    files = [
        workdir / f"{PREFIX}.restart",
        *workdir.glob(f"#{PREFIX}.restart#*#"),
        workdir / "RESTART",
        *workdir.glob("#RESTART#*#"),
    ]
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
        log.info(
            "%s ends in a frame cut short (%s: %s); kept the %d before it", path, type(err).__name__, err, len(frames)
        )
    return frames


def _resume_point(
    workdir: Path, fingerprint: str, settings: MDSettings
) -> tuple[int, list[Atoms], ET.ElementTree] | str:
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
    return (
        f"its frames file has {len(saved)} frames, too few for any checkpoint "
        f"(steps {', '.join(str(c[0]) for c in checkpoints)})"
    )


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


def _prepare_run(atoms: Atoms, identity: str, settings: MDSettings, workdir: Path, resume: bool) -> _RunStart:
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


def _interruption(workdir: Path, what: str) -> str:
    """The message of an interrupted run: what happened and where a rerun resumes."""
    try:
        step, _ = _latest_checkpoint(workdir)
        where = f"i-PI's checkpoint at step {step} is kept in {workdir}; run again to resume from there"
    except FileNotFoundError:
        where = f"no checkpoint was written yet in {workdir}; a rerun starts from step 0"
    return f"MD interrupted: {what}; {where}"
