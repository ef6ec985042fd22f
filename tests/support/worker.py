"""A real Celery worker process, started against the test's database and broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def worker_environment(settings: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "EVENTHUB_"))}
    env.update(settings)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return env


@contextmanager
def celery_worker(
    settings: Mapping[str, str],
    log_path: Path,
    *,
    concurrency: int = 2,
    beat: bool = False,
    ready_timeout: float = 60.0,
) -> Iterator[WorkerProcess]:
    """Start `celery -A wsgi.celery worker` and wait until it reports ready."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "wsgi.celery",
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]
    if beat:
        command += ["-B", "-s", str(log_path.with_suffix(".beat-schedule"))]
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=worker_environment(settings),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = WorkerProcess(process, log_path)
    try:
        deadline = time.monotonic() + ready_timeout
        while "ready." not in worker.log():
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{worker.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery worker not ready in {ready_timeout}s:\n{worker.log()}")
            time.sleep(0.1)
        yield worker
    finally:
        worker.stop()
        log_file.close()
