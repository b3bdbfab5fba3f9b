"""mace-torch's training process as MACE's jobs run it: its metrics log read into a history
of epochs, and each epoch's validation errors logged while the training runs."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import numpy as np

from flexmlff.runlog import die_with_parent, sigterm_as_exit
from flexmlff.units import ev_to_kcal_mol

log = logging.getLogger("flexmlff.models.mace")  # the family's own log: its jobs' lines read as MACE's

#: Seconds between looks at mace-torch's metrics log for epochs to report.
PROGRESS_POLL_S = 5.0


def _validation_row(row: dict) -> dict | None:
    """One evaluation line of mace-torch's metrics log as the epoch's validation loss and
    energy (per frame, kcal/mol) and force RMSE (kcal/(mol Å)); None for any other line."""
    if row.get("mode") != "eval" or row.get("epoch") is None or row.get("head") == "pt_head":
        return None  # (multihead fine-tuning also evaluates the replayed frames' head)
    return {
        "epoch": int(row["epoch"]),
        "valid_loss": float(row["loss"]),
        "valid_energy_rmse": float(ev_to_kcal_mol(row["rmse_e"])),
        "valid_force_rmse": float(ev_to_kcal_mol(row["rmse_f"])),
    }


def epoch_history(results_file: Path) -> list[dict]:
    """Per epoch: mean training loss, validation loss, validation energy (per frame, kcal/mol)
    and force RMSE (kcal/(mol Å)), from mace-torch's metrics log (one JSON line per step
    or evaluation)."""
    history, steps, steps_epoch = {}, [], None
    for line in results_file.read_text().splitlines():
        row = json.loads(line)
        if row.get("mode") == "opt" and row.get("epoch") is not None:
            if row["epoch"] != steps_epoch:  # a new epoch, or a resumed training going back
                steps, steps_epoch = [], row["epoch"]
            steps.append(float(row["loss"]))
        elif validation := _validation_row(row):
            validation["train_loss"] = (
                float(np.mean(steps)) if steps and steps_epoch == validation["epoch"] else float("nan")
            )
            # a resumed training evaluates again the epochs after its checkpoint: the later ones count
            history[validation["epoch"]] = validation
    return [history[epoch] for epoch in sorted(history)]


class EpochProgress:
    """Logs the validation errors of each epoch mace-torch evaluates (its metrics log under
    `results`, one JSON line per batch or evaluation), so that a long training shows progress
    in the job's log. Each look reads only the complete lines the log gained since the last."""

    def __init__(self, results: Path):
        self.results, self.offset, self.epochs = results, 0, 0

    def poll(self, final: bool = False) -> int:
        """Log the epochs evaluated since the last look (with `final`, also a last line
        without its newline); returns the number of epochs logged so far. Progress is a
        courtesy: a log it cannot read is skipped, never an error of the training."""
        try:
            metrics = next(self.results.glob("*_train.txt"), None) if self.results.is_dir() else None
            if metrics is None:
                return self.epochs
            with open(metrics, "rb") as handle:
                handle.seek(self.offset)
                new = handle.read()
            complete = new if final else new[: new.rfind(b"\n") + 1]
            self.offset += len(complete)
            for line in complete.decode().splitlines():
                if validation := _validation_row(json.loads(line)):
                    log.info(
                        "MACE epoch %d: validation loss %.5f, energy RMSE %.2f kcal/mol, force RMSE %.2f kcal/(mol A)",
                        validation["epoch"],
                        validation["valid_loss"],
                        validation["valid_energy_rmse"],
                        validation["valid_force_rmse"],
                    )
                    self.epochs += 1
        except Exception as err:  # noqa: BLE001 - see the docstring
            log.debug("MACE progress not read: %s", err)
        return self.epochs


def run_reporting_progress(command: list[str], work: Path, env: dict) -> int:
    """Run mace-torch's training in `work`, its output in ``train.log`` (appended to), logging
    each epoch as it is evaluated; the training process never outlives this call."""
    progress = EpochProgress(work / "results")
    with open(work / "train.log", "a") as output, sigterm_as_exit():
        process = subprocess.Popen(
            command, cwd=work, env=env, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
        )  # gone with this job, even on SIGKILL
        try:
            while True:
                try:
                    process.wait(timeout=PROGRESS_POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    progress.poll()
            progress.poll(final=True)
        except BaseException:  # an interrupt or a kill of this job: no orphaned training
            process.kill()
            process.wait()
            raise
    return process.returncode
