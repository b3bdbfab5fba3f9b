import logging
import os
import subprocess
import sys

import pytest

from flexmlff.runlog import logged_step


def test_a_step_logs_to_its_file_and_leaves_no_handler_on_the_closed_file(tmp_path, capfd):
    log_file = tmp_path / "step.log"
    library = logging.getLogger("some_library")
    library.setLevel(logging.INFO)
    with logged_step(str(log_file), "demo") as log:
        log.info("working")
        print("printed")
        # a library that makes its handler during the step, on the (redirected) stderr
        library.addHandler(logging.StreamHandler())
    try:
        library.info("logged at exit")  # raised 'I/O operation on closed file' before
        text = log_file.read_text()
        assert "flexmlff.demo: working" in text and "printed" in text and "finished in" in text
        assert "flexmlff from" in text
        err = capfd.readouterr().err
        assert "logged at exit" in err and "Logging error" not in err
    finally:
        library.handlers.clear()


def test_an_orphaned_job_gets_sigterm(tmp_path):
    """A job whose Snakemake dies: its parent changes and it stops itself."""
    code = f"""
import os, signal, sys, time
from flexmlff.runlog import stop_when_orphaned
if os.fork():  # the 'snakemake': dies a moment later, orphaning its job
    time.sleep(1)
    os._exit(0)
signal.signal(signal.SIGTERM, lambda *a: (open({str(tmp_path / "stopped")!r}, 'w').close(), os._exit(0)))
stop_when_orphaned(poll_s=0.05)
time.sleep(20)
"""
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})
    import time

    deadline = time.monotonic() + 15
    while not (tmp_path / "stopped").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (tmp_path / "stopped").exists()


def test_sigterm_inside_sigterm_as_exit_kills_the_program_the_job_runs(tmp_path):
    """gap_fit's pattern: subprocess.run inside the block; a SIGTERM to the job ends it with
    143 and takes the program with it."""
    import signal
    import subprocess
    import sys
    import time

    pid_file = tmp_path / "child.pid"
    runner = tmp_path / "runner.py"
    runner.write_text(
        "import subprocess, sys\n"
        "from flexmlff.runlog import sigterm_as_exit\n"
        "child = 'import os, sys, time; open(sys.argv[1], \"w\").write(str(os.getpid())); time.sleep(60)'\n"
        "with sigterm_as_exit():\n"
        "    subprocess.run([sys.executable, '-c', child, sys.argv[1]])\n"
    )
    job = subprocess.Popen([sys.executable, str(runner), str(pid_file)])
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.05)
    child = int(pid_file.read_text())
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=10) == 128 + signal.SIGTERM
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
