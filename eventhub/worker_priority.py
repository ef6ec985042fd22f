"""The Celery worker's CPU priority: requests win the CPU over background mail on a shared machine.

The embedded default (`python3 run.py`) and small deployments run gunicorn and the worker on the
same cores. During a burst of sign-ups both are CPU-bound, and every millisecond the worker spends
rendering and sending confirmations is a millisecond a registration waits for. Mail may lag a
burst by seconds; a sign-up may not. So the worker lowers its own priority at start
(EVENTHUB_WORKER_NICE, 10 by default, 0 leaves it alone). On an idle machine niceness changes
nothing: it only decides who runs when both want the CPU.

Two Linux details decide whether a niceness takes effect:

- it is per thread, and a new thread or forked child inherits its creator's, so it is set in
  the worker's main thread at `worker_init`, before the pool forks and before any of Celery's
  own threads start;
- with autogrouping (`/proc/sys/kernel/sched_autogroup_enabled`, on by default in most
  distributions) the scheduler first shares the CPU between *sessions*, and a process's own
  niceness only weighs against processes of its session. `run.py`, systemd and the benches start
  the worker in a session of its own, where its own niceness alone would change nothing against
  gunicorn; the worker then also sets its session's autogroup niceness (`/proc/self/autogroup`),
  but only when the session is its own (it leads it and nothing else runs in it yet), so a
  session it shares with gunicorn or a shell is never lowered as a whole.

Containers put each service in its own CPU cgroup, where neither applies between containers:
there the cgroup's CPU weight (compose's `cpu_shares`) is the lever.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from celery.signals import celeryd_after_setup, worker_init

logger = logging.getLogger(__name__)

# The Celery setting that carries EVENTHUB_WORKER_NICE to the worker (see celery_app).
SETTING = "eventhub_worker_nice"
AUTOGROUP = Path("/proc/self/autogroup")
# The kernel lets an unprivileged process change an autogroup's niceness once per 100 ms
# machine-wide (EAGAIN otherwise): two workers starting together retry.
AUTOGROUP_ATTEMPTS = 20


def lower_priority(niceness: int, autogroup: Path = AUTOGROUP) -> str:
    """Run this thread (and what it starts or forks from now on) at `niceness` at least.

    Never raises the priority: a worker already started under `nice -n 15` stays at 15.
    Returns what was done, for the worker's log.
    """
    if niceness <= 0:
        return "niceness unchanged (EVENTHUB_WORKER_NICE=0)"
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < niceness:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    done = f"niceness {os.getpriority(os.PRIO_PROCESS, 0)}"
    if _alone_in_session():
        done += _lower_autogroup(niceness, autogroup)
    return done


def _alone_in_session(proc: Path = Path("/proc")) -> bool:
    """This process leads its session and no other process is in it (it has not forked yet)."""
    me = os.getpid()
    if os.getsid(0) != me or not proc.is_dir():
        return False
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            # The fields after the command name (which may hold spaces): state, ppid, pgrp, sid.
            session = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if session == me:
            return False
    return True


def _lower_autogroup(niceness: int, autogroup: Path) -> str:
    try:
        # "/autogroup-147 nice 0"
        current = int(autogroup.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return ""  # no autogrouping in this kernel (or not Linux): the niceness is enough
    if current >= niceness:
        return f", session autogroup niceness {current}"
    for _ in range(AUTOGROUP_ATTEMPTS):
        try:
            autogroup.write_text(str(niceness))
            return f", session autogroup niceness {niceness}"
        except BlockingIOError:
            time.sleep(0.1)
        except OSError as exc:
            return f", session autogroup niceness unchanged ({exc.strerror})"
    return ", session autogroup niceness unchanged (the kernel kept refusing: EAGAIN)"


@worker_init.connect(dispatch_uid="eventhub.worker_priority.apply")
def _apply(sender: Any, **_: Any) -> None:
    # The receiver runs in the worker's main process, before the pool forks its children.
    sender.eventhub_priority = lower_priority(int(sender.app.conf.get(SETTING) or 0))


@celeryd_after_setup.connect(dispatch_uid="eventhub.worker_priority.report")
def _report(sender: Any, instance: Any, **_: Any) -> None:
    # Logging is set up by now (it is not yet at worker_init).
    done = getattr(instance, "eventhub_priority", None)
    if done:
        logger.info("worker CPU priority: %s", done)
