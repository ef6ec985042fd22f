"""The README stays true: its commands are the ones CI runs, its settings the ones read."""

from __future__ import annotations

import re
from pathlib import Path

from eventhub.config import _ENV

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_quick_start_has_the_two_commands() -> None:
    blocks = [block.strip() for block in _shell_blocks()]
    assert blocks[:2] == ["python3 run.py", "python3 run.py test"]


def test_ci_calls_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.strip() for line in ci if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == _shell_blocks()[1].strip()


def test_every_setting_is_documented() -> None:
    for name in _ENV:
        if name == "EVENTHUB_ENV" or name in README:
            continue
        raise AssertionError(f"{name} is read from the environment but not in README.md")
