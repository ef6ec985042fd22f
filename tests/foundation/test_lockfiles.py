"""The lock files pin, with hashes, every dependency pyproject.toml declares, at a version it
allows; run.py, .ci/run and the Dockerfile install from them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")
# The command each lock is made with; the README gives the same ones.
COMPILE = (
    "uv pip compile pyproject.toml{extra} --generate-hashes --python-version 3.11 --universal"
    " -o {name}"
)
LOCKS = {"requirements.lock": None, "requirements-dev.lock": "dev"}


def pins(lock: Path) -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes)."""
    found: dict[str, tuple[Version, int]] = {}
    current = None
    for line in lock.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            found[current] = (Version(match.group(3)), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    if extra:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(r) for r in requirements]


def command_for(name: str) -> str:
    extra = LOCKS[name]
    return COMPILE.format(extra=f" --extra {extra}" if extra else "", name=name)


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_lock_pins_every_declared_dependency_within_its_range(name: str) -> None:
    locked = pins(ROOT / name)
    for requirement in declared(LOCKS[name]):
        key = canonicalize_name(requirement.name)
        assert key in locked, f"{requirement.name} is in pyproject.toml but not in {name}"
        version, hashes = locked[key]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name} pins {requirement.name}=={version}, outside pyproject's {requirement}"
        )
        assert hashes, f"{requirement.name} has no hash in {name}"


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_pin_has_hashes_and_the_documented_command(name: str) -> None:
    text = (ROOT / name).read_text()
    assert f"#    {command_for(name)}" in text
    assert all(hashes for _version, hashes in pins(ROOT / name).values())
    readme = (ROOT / "README.md").read_text()
    assert command_for(name) in readme, f"README must say how to update {name}"


def test_runtime_lock_is_within_the_dev_lock() -> None:
    """One resolution: the dev lock pins the runtime packages at the same versions."""
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    for name, (version, _hashes) in runtime.items():
        assert dev.get(name, (None,))[0] == version, f"{name} differs between the locks"


def test_installers_use_the_locks() -> None:
    run_py = (ROOT / "run.py").read_text()
    assert '"--require-hashes"' in run_py and "requirements-dev.lock" in run_py
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "python3 run.py test" in (ROOT / ".ci" / "run").read_text()
