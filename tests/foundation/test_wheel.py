"""The wheel is a complete eventhub: built, installed outside the checkout, migrated and served.

The checkout finds templates, static files, migrations and translations beside the package; an
installed copy only has what the wheel carries (setup.py maps them into the package). Nothing of
the checkout may be importable here: the commands run in an empty directory, with a fresh
virtual environment whose only eventhub is the wheel's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.services import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
# What the build reads: the package, its metadata and the folders setup.py maps into it.
BUILD_INPUTS = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "LICENSE",
    "eventhub",
    "templates",
    "static",
    "migrations",
    "translations",
)
DEMO_SERIES = "/series/reindustrialization-hong-kong"


def _build_wheel(workdir: Path) -> Path:
    """`pip wheel` of a copy of the sources, so the build leaves nothing in the checkout."""
    source = workdir / "source"
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pot")
            shutil.copytree(path, source / name, ignore=ignored)
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, source / name)
    dist = workdir / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("eventhub-*.whl")
    return wheel


def _environment_with_the_locked_dependencies(workdir: Path) -> Path:
    """A new virtual environment that sees this one's installed dependencies, not eventhub.

    `--system-site-packages` would reach the base interpreter's packages, not this environment's,
    so a .pth line adds this environment's site-packages instead. A plain path line does not run
    that directory's own .pth files, so an editable eventhub installed there (run.py's
    `pip install -e .`) stays invisible: the wheel's copy is the only one.
    """
    target = workdir / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "locked-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _clean_env(workdir: Path) -> dict[str, str]:
    """No setting of the test run or the machine: the embedded default in `workdir`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EVENTHUB_", "MAIL_", "FLASK_", "PYTHON"))
        and key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env["HOME"] = str(workdir)
    return env


@contextmanager
def _gunicorn(python: Path, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(python), "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "eventhub:create_app()"],
        cwd=cwd,
        env={**env, "EVENTHUB_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=(cwd / "gunicorn.log").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120  # a loaded machine imports slowly
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:  # refused, reset, or timed out while the worker boots
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((cwd / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str, language: str = "en") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read().decode()


def test_the_installed_wheel_migrates_loads_the_demo_and_serves_it(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "build")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "eventhub/templates/base.html",
        "eventhub/static/css/eventhub.css",
        "eventhub/migrations/env.py",
        "eventhub/translations/zh_Hant/LC_MESSAGES/messages.mo",
    ):
        assert expected in names, f"{expected} is missing from the wheel"

    python = _environment_with_the_locked_dependencies(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = tmp_path / "site"
    site.mkdir()
    env = _clean_env(tmp_path)
    located = subprocess.run(
        [str(python), "-c", "import eventhub; print(eventhub.__file__)"],
        cwd=site,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(located).is_relative_to(tmp_path / "venv"), located

    flask = [str(python), "-m", "flask", "--app", "eventhub:create_app"]
    for command in (["db", "upgrade"], ["eventhub", "demo"]):
        done = subprocess.run([*flask, *command], cwd=site, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    # The embedded default of an installed copy: instance/ in the directory it runs in.
    assert (site / "instance" / "eventhub.sqlite").is_file()

    with _gunicorn(python, site, env) as base:
        status, home = _get(f"{base}/")
        assert status == 200 and DEMO_SERIES in home
        status, series = _get(f"{base}{DEMO_SERIES}")
        assert status == 200 and "Re-industrialization in Hong Kong" in series
        status, chinese = _get(f"{base}{DEMO_SERIES}", language="zh-Hant")
        assert status == 200 and "香港再工業化" in chinese and 'lang="zh-Hant"' in chinese
        status, css = _get(f"{base}/static/css/eventhub.css")
        assert status == 200 and css.strip()
