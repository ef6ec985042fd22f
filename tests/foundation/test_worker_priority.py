"""The Celery worker yields the CPU to requests: its pool runs at EVENTHUB_WORKER_NICE.

Read from /proc as the kernel sees it, for every thread of the real worker's main process and
pool children (a niceness is per thread on Linux). The embedded default's worker (SQLite broker)
needs no server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from eventhub.config import defaults
from tests.support.worker import celery_worker

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads niceness from Linux's /proc"
)

ROOT = Path(__file__).resolve().parents[2]
AUTOGROUP = Path("/proc/self/autogroup")


def thread_niceness(pid: int) -> list[int]:
    """The niceness of each thread of a process: field 19 of /proc/<pid>/task/<tid>/stat."""
    values = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        # Fields after the command name (which may hold spaces) start at field 3.
        values.append(int((task / "stat").read_text().rsplit(")", 1)[1].split()[19 - 3]))
    return values


def pool_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                children.append(int(entry.name))
    return children


def autogroup_niceness(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except OSError:
        return None  # a kernel without autogrouping


def embedded_settings(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'eventhub.sqlite'}",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
        "SECRET_KEY": "test-secret-key",
        "EVENTHUB_INSTANCE_PATH": str(tmp_path),
        **extra,
    }


@pytest.mark.worker
def test_worker_pool_runs_at_the_default_niceness(tmp_path: Path) -> None:
    expected = max(defaults(tmp_path)["EVENTHUB_WORKER_NICE"], os.getpriority(os.PRIO_PROCESS, 0))
    assert expected >= 10
    with celery_worker(embedded_settings(tmp_path), tmp_path / "worker.log") as worker:
        main = worker.process.pid
        children = pool_children(main)
        assert len(children) == 2, worker.log()
        for pid in (main, *children):
            assert set(thread_niceness(pid)) == {expected}, pid
        # run.py, systemd and this fixture start the worker in a session of its own: without
        # its session's autogroup lowered too, the niceness would weigh against nothing.
        if autogroup_niceness(main) is not None:
            assert autogroup_niceness(main) == expected
        assert f"worker CPU priority: niceness {expected}" in worker.log()


@pytest.mark.worker
def test_zero_leaves_the_worker_priority_alone(tmp_path: Path) -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    settings = embedded_settings(tmp_path, EVENTHUB_WORKER_NICE="0")
    with celery_worker(settings, tmp_path / "worker.log") as worker:
        main = worker.process.pid
        for pid in (main, *pool_children(main)):
            assert set(thread_niceness(pid)) == {own}, pid
        if autogroup_niceness(main) is not None:
            assert autogroup_niceness(main) == 0  # a new session's autogroup starts at 0


LOWER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from eventhub.worker_priority import lower_priority
    group = Path("/proc/self/autogroup")
    before = group.read_text() if group.exists() else ""
    if sys.argv[1] == "fork":
        child = os.fork()
        if child == 0:  # another process in the session, as gunicorn or a shell would be
            import time; time.sleep(30); os._exit(0)
    done = lower_priority(6)
    after = group.read_text() if before else ""
    print(done, before == after, os.getpriority(os.PRIO_PROCESS, 0), sep="|")
    if sys.argv[1] == "fork":
        os.kill(child, 9)
    """
)


@pytest.mark.parametrize(
    ("how", "new_session"),
    [("shared", False), ("fork", True)],
    ids=["in-a-shared-session", "session-with-another-process"],
)
def test_a_session_shared_with_others_keeps_its_autogroup(how: str, new_session: bool) -> None:
    """Only a worker alone in its own session lowers the session's autogroup: lowering a shell's
    (or one it shares with gunicorn) would lower everything else in it as well."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", LOWER, how],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        start_new_session=new_session,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report, autogroup_unchanged, niceness = done.stdout.strip().split("|")
    assert int(niceness) == max(6, os.getpriority(os.PRIO_PROCESS, 0))
    assert autogroup_unchanged == "True"
    assert "autogroup" not in report
