"""A network training's checkpoint, kept between attempts of one job so that a preempted,
cancelled or timed-out training resumes from its last epoch instead of epoch 0.

The folder is the job's own (:func:`flexmlff.scratch.job_checkpoint_folder`, under the
results tree). What it holds belongs to one training: the family, its settings, the
training and validation frames and the family module's code (:func:`training_fingerprint`).
A rerun of the same training resumes from it; a rerun of another (changed settings, a new
split, edited code) discards it with a log line and starts afresh. The job removes it once
its model is saved (:func:`flexmlff.fitting.fit_and_save`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from flexmlff.data import Dataset
from flexmlff.scratch import remove_empty_parents

log = logging.getLogger(__name__)

FINGERPRINT = "fingerprint.json"


def training_fingerprint(family: str, code_files, settings: dict, train_set: Dataset, validation: Dataset) -> dict:
    """What a training is: a checkpoint is resumed only by the very same one (`code_files`:
    the family's module, or the files of its code)."""
    files = [code_files] if isinstance(code_files, (str, Path)) else list(code_files)
    code = hashlib.sha256(b"".join(Path(path).read_bytes() for path in files)).hexdigest()
    return {
        "family": family,
        "settings": settings,
        "train": train_set.md5(),
        "validation": validation.md5(),
        "code": code,
    }


class TrainingCheckpoint:
    """The checkpoint folder of one training (`fingerprint`) in `folder`.

    :attr:`resumable` says whether it holds a checkpoint of this very training (the family
    then restores its state from :meth:`file`); otherwise the folder is emptied and marked
    with this training's fingerprint, ready for its checkpoints.
    """

    def __init__(self, folder: str | Path, fingerprint: dict):
        self.folder = Path(folder)
        self.fingerprint = json.loads(json.dumps(fingerprint, sort_keys=True, default=str))
        marker = self.folder / FINGERPRINT
        try:
            found = json.loads(marker.read_text())
        except (OSError, ValueError):
            found = None
        self.resumable = found == self.fingerprint and any(p.name != FINGERPRINT for p in self.folder.iterdir())
        if not self.resumable:
            if found is not None:
                changed = sorted(
                    k for k in set(found) | set(self.fingerprint) if found.get(k) != self.fingerprint.get(k)
                )
                log.info(
                    "discarding the checkpoint in %s: it belongs to another training (%s differ)",
                    self.folder,
                    ", ".join(changed),
                )
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            marker.write_text(json.dumps(self.fingerprint, sort_keys=True))

    def file(self, name: str) -> Path:
        return self.folder / name

    def remove(self) -> None:
        """The training is over and its model saved: the checkpoint has served."""
        shutil.rmtree(self.folder, ignore_errors=True)
        remove_empty_parents(self.folder.parent, stop_at=2)
