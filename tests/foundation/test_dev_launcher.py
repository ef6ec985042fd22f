"""The README's first command: migrate, demo, web + worker + beat, Ctrl-C stops everything."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def test_serve_starts_everything_and_ctrl_c_stops_it(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "EVENTHUB_", "DATABASE"))
    }
    env.update(EVENTHUB_PORT=str(port), EVENTHUB_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("CELERY_BROKER_URL", None)
    log = (tmp_path / "launcher.log").open("w+")
    launcher = subprocess.Popen(
        [sys.executable, "run.py", "serve", "--no-install"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while "press Ctrl-C" not in Path(log.name).read_text():
            assert launcher.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.2)
        output = Path(log.name).read_text()
        assert f"http://127.0.0.1:{port}" in output
        assert "organiser@example.org /" in output

        status, _home = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        status, page = _get(f"http://127.0.0.1:{port}/series/reindustrialization-hong-kong")
        assert status == 200
        assert "How does AI reinvent industrialization in Hong Kong?" in page
        assert "Man Hau-chung" in page

        # The worker with embedded beat came up on the embedded broker.
        while "beat: Starting" not in (text := Path(log.name).read_text()) or "ready." not in text:
            assert time.monotonic() < deadline, text
            time.sleep(0.2)
        started = _children_of_launcher(launcher.pid)
        assert started, "web and worker processes should be running"

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0, Path(log.name).read_text()
        assert "stopped" in Path(log.name).read_text()
        time.sleep(0.5)
        alive = [pid for pid in started if _alive(pid)]
        assert alive == [], f"processes left running: {alive}"

        # Running it again is safe: migrations and demo are idempotent.
        again = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "eventhub", "demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert again.returncode == 0, again.stderr
        assert "nothing to do" in again.stdout
    finally:
        if launcher.poll() is None:
            launcher.kill()
            for pid in _children_of_launcher(launcher.pid):
                _kill_group(pid)
        log.close()


def _children_of_launcher(ppid: int) -> list[int]:
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True)
    return [
        int(p) for p, pp in (line.split() for line in out.stdout.splitlines()) if int(pp) == ppid
    ]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
