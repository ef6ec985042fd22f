"""gunicorn on loopback for the benchmarks: 2 sync workers, as PERFORMANCE.md measured."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def start_gunicorn(
    app_path: str,
    port: int,
    env: dict[str, str],
    cwd: Path,
    probe: str = "/",
    *,
    workers: int = 2,
    threads: int = 1,
) -> subprocess.Popen[bytes]:
    """Start gunicorn and return once a worker answers HTTP on `probe` (any status).

    `threads` > 1 uses the gthread worker class (the burst bench: 2 workers x 4 threads).
    """
    gunicorn = Path(sys.executable).with_name("gunicorn")
    kind = ["-k", "gthread", "--threads", str(threads)] if threads > 1 else ["-k", "sync"]
    command = [
        str(gunicorn), "-w", str(workers), *kind, "-b", f"127.0.0.1:{port}",
        "--log-level", "warning", "--no-control-socket", app_path,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    deadline = time.monotonic() + 120  # a loaded machine imports slowly
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # answering, even if with 404/405
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError(f"gunicorn for {app_path} did not start on port {port}")


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
