"""The plumbing figures of issue 12 (tools/architecture_figures.py) only ever go down."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType

from blinker import ANY, NamedSignal
from flask import Flask

from eventhub import signals
from tests.support.tools import architecture_figures

ROOT = Path(__file__).resolve().parents[2]

# Ceilings: lower them as the code improves; a change that raises a figure fails here.
# Domains depend one way: a lower domain that needs a shape from a higher one names it with a
# Protocol (scheduling.models.SpeakerLink) or hears it through a signal, never imports it.
MAX_MUTUAL_PAIRS = 0
# Views and APIs commit through eventhub.transaction.change, never by hand.
MAX_BOUNDARY_CALLS = 0


def _figures() -> ModuleType:
    return architecture_figures()


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "eventhub"


def test_the_script_finds_mutual_pairs_and_boundary_calls(tmp_path: Path) -> None:
    figures = _figures()
    package = _write(
        tmp_path,
        {
            "eventhub/__init__.py": "",
            "eventhub/clock.py": "",
            "eventhub/low/__init__.py": "from eventhub import clock\n",
            "eventhub/low/models.py": "def f():\n    from ..high import views\n",
            "eventhub/high/__init__.py": "",
            "eventhub/high/views.py": (
                "from eventhub.low.models import f\n"
                "@bp.route('/')\n"
                "def page():\n"
                "    db.session.commit()\n"
                "    db.session.rollback()\n"
                "    other.session.commit()\n"
            ),
            "eventhub/high/services.py": "def s():\n    db.session.commit()\n",
            "eventhub/api/__init__.py": "def g():\n    db.session.rollback()\n",
        },
    )
    pairs = figures.mutual_pairs(package)
    assert [p["pair"] for p in pairs] == ["high<->low"]
    assert figures.domain_cycles(package) == [["high", "low"]]
    calls = figures.boundary_calls(package)
    assert calls == {
        "eventhub/api/__init__.py": {"commit": 0, "rollback": 1},
        "eventhub/high/views.py": {"commit": 1, "rollback": 1},
    }


def test_the_script_finds_a_loop_of_three_domains(tmp_path: Path) -> None:
    """No pair imports each other, yet a -> b -> c -> a is not one-way either."""
    figures = _figures()
    package = _write(
        tmp_path,
        {
            "eventhub/__init__.py": "",
            "eventhub/a/__init__.py": "from eventhub.b import x\n",
            "eventhub/b/__init__.py": "from eventhub.c import y\n",
            "eventhub/c/__init__.py": "from eventhub.a import z\n",
            "eventhub/d/__init__.py": "from eventhub.a import z\n",
        },
    )
    assert figures.mutual_pairs(package) == []
    assert figures.domain_cycles(package) == [["a", "b", "c"]]


def test_the_domain_graph_is_one_way() -> None:
    assert _figures().domain_cycles(ROOT / "eventhub") == []


def test_the_code_stays_under_its_ceilings() -> None:
    figures = _figures()
    package = ROOT / "eventhub"
    pairs = figures.mutual_pairs(package)
    assert len(pairs) <= MAX_MUTUAL_PAIRS, pairs
    calls = figures.boundary_calls(package)
    total = sum(c["commit"] + c["rollback"] for c in calls.values())
    assert total <= MAX_BOUNDARY_CALLS, calls


def test_no_listener_on_every_sqlalchemy_session() -> None:
    """Work after a commit goes through eventhub.transaction.after_commit (and its siblings),
    whose listeners sit on the application's session only: a listener on SQLAlchemy's Session
    class would also run for other sessions in the process (kombu's broker transport)."""
    found = []
    for path in sorted((ROOT / "eventhub").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in ("listens_for(OrmSession", "listen(OrmSession", "listens_for(Session,"):
            if pattern in text:
                found.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert found == []


def _signal_uses(method: str) -> set[str]:
    """Names of eventhub.signals signals on which eventhub calls `method` (`signals.X.send(`)."""
    found = set()
    for path in sorted((ROOT / "eventhub").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and isinstance(node.func.value, ast.Attribute)
                and ast.unparse(node.func.value.value) == "signals"
            ):
                found.add(node.func.value.attr)
    return found


def test_signals_live_in_eventhub_signals_only() -> None:
    """One place lists what one domain tells another; a blinker Namespace elsewhere hides one."""
    found = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "eventhub").rglob("*.py"))
        if path.name != "signals.py"
        and re.search(
            r"\bNamespace\(|\bblinker\b.*import|import blinker", path.read_text(encoding="utf-8")
        )
    ]
    assert found == []


def test_every_signal_is_sent_and_received_in_production(app: Flask) -> None:
    """A signal nobody sends is dead; one only tests receive is a test hook in production code.
    Tests observe what the receivers do (an email queued, a seat given), not the signal."""
    declared = {name for name, value in vars(signals).items() if isinstance(value, NamedSignal)}
    assert declared - _signal_uses("send") == set(), "declared but never sent"
    unreceived = {
        name
        for name in declared
        if not any(
            getattr(receiver, "__module__", "").startswith("eventhub.")
            for receiver in getattr(signals, name).receivers_for(ANY)
        )
    }
    assert unreceived == set(), "sent, but no receiver connected by register_signals"


# Every SQLAlchemy event listener in eventhub, with the reason it cannot be an explicit call or a
# `transaction` registry callback. Work at the end of a transaction is registered there
# (after_commit, after_rollback, at_transaction_end, before_commit), never listened for.
LISTENERS = {
    # The registries themselves.
    "eventhub/transaction.py": {"before_commit", "after_commit", "after_transaction_end"},
    # Pragmas and BEGIN modes on each connection of the app's engines; the ping of a server
    # connection that sat idle in the pool (the pool's own hooks: no call site to put it in).
    "eventhub/database.py": {"connect", "begin", "checkin", "checkout"},
    # Change detection: any flush or bulk statement touching programme data drops cached pages.
    "eventhub/public/cache.py": {"after_flush", "do_orm_execute"},
    # Change detection: every column an organiser action changes goes into its log entry.
    "eventhub/activity/recorder.py": {"before_flush", "after_flush"},
}


def test_sqlalchemy_listeners_are_the_listed_few() -> None:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "eventhub").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "event.listen" not in text and "listens_for" not in text:
            continue
        names = set(re.findall(r'\(\s*"(\w+)",\s*_\w+\s*\)', text))
        names |= set(re.findall(r'(?:listen|listens_for)\(\s*[\w.]+,\s*"(\w+)"', text))
        found[str(path.relative_to(ROOT))] = names
    assert found == LISTENERS
