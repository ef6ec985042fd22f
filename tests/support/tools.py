"""The repository's own tools (tools/*.py, standard library only), loaded for their tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def architecture_figures() -> ModuleType:
    """tools/architecture_figures.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "architecture_figures", TOOLS / "architecture_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
