"""One convention for views, services and queries in every domain (issue 12; README, Architecture).

A domain's routes live in `<domain>/views.py` or the package `<domain>/views/` (one module per
audience or page family), nowhere else, and its blueprints are declared in `views.py` or
`views/__init__.py`; changes live in `services.py` / `services/`, shared reads in
`queries.py`; no module is named `*_views.py` or `*_service.py`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.tools import architecture_figures

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "eventhub"
# The figures tool's scan for routes, so the two never disagree on what a view module is.
_FIGURES = architecture_figures()
BANNED_SUFFIXES = ("_views", "_service")

# Modules that break the convention today, each with its reason. Shrink it: a module that
# follows the convention again fails the test until its line goes.
NOT_YET = {
    # Application-wide pages that belong to no domain (a health probe, stored uploads, the
    # language switch).
    "eventhub/health.py",
    "eventhub/images.py",
    "eventhub/language_views.py",
    # The JSON API: one module per resource, the API's own views layer.
    "eventhub/api/members.py",
    "eventhub/api/organiser.py",
    "eventhub/api/programme.py",
    "eventhub/api/registrations.py",
    # Registration's part of the JSON API (flask-smorest) is declared with its schemas, beside
    # the API's other resources above.
    "eventhub/registration/views/api.py",
}
ROUTES_ELSEWHERE = "routes outside <domain>/views.py or <domain>/views/"
BLUEPRINT_ELSEWHERE = "a blueprint declared outside <domain>/views.py or views/__init__.py"


def _declares_blueprint(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name == "Blueprint":
                return True
    return False


def _blueprint_home(relative: Path) -> bool:
    """eventhub/<domain>/views.py or eventhub/<domain>/views/__init__.py."""
    parts = relative.with_suffix("").parts
    return parts[2:] in (("views",), ("views", "__init__"))


def _in_views(relative: Path) -> bool:
    """eventhub/<domain>/views.py or eventhub/<domain>/views/<module>.py."""
    parts = relative.with_suffix("").parts
    return len(parts) >= 3 and parts[2] == "views"


def breaches(package: Path) -> dict[str, list[str]]:
    """Module path (from the repository root) -> what it breaks."""
    found: dict[str, list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent)
        problems = []
        if path.stem.endswith(BANNED_SUFFIXES):
            problems.append("named *_views / *_service")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if _FIGURES.declares_routes(tree) and not _in_views(relative):
            problems.append(ROUTES_ELSEWHERE)
        if _declares_blueprint(tree) and not _blueprint_home(relative):
            problems.append(BLUEPRINT_ELSEWHERE)
        if problems:
            found[relative.as_posix()] = problems
    return found


def test_the_check_finds_what_it_should(tmp_path: Path) -> None:
    package = tmp_path / "eventhub"
    route = "@bp.route('/')\ndef page():\n    pass\n"
    blueprint = "bp = Blueprint('talks', __name__)\n"
    for name, text in {
        "talks/views.py": blueprint + route,
        "talks/views/__init__.py": blueprint,
        "talks/views/public.py": route,
        "talks/views/blueprint.py": "bp = flask.Blueprint('talks', __name__)\n",
        "talks/services.py": "def add():\n    pass\n",
        "talks/editor_views.py": route,
        "talks/talk_service.py": "",
        "talks/pages.py": route,
    }.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert breaches(package) == {
        "eventhub/talks/editor_views.py": ["named *_views / *_service", ROUTES_ELSEWHERE],
        "eventhub/talks/pages.py": [ROUTES_ELSEWHERE],
        "eventhub/talks/talk_service.py": ["named *_views / *_service"],
        "eventhub/talks/views/blueprint.py": [BLUEPRINT_ELSEWHERE],
    }


def test_every_domain_follows_the_convention() -> None:
    found = breaches(PACKAGE)
    assert sorted(set(found) - NOT_YET) == [], "follow the convention in PLAN.md"
    assert sorted(NOT_YET - set(found)) == [], "these follow it now: remove them from NOT_YET"
