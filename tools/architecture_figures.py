"""Print the three plumbing figures of issue 12: mutual domain pairs, boundary calls, duplicates.

Usage: python3 tools/architecture_figures.py [--json] [--root DIR]

1. Mutual domain pairs: two packages directly under eventhub/ that import each other (any
   import anywhere in a module, including ones inside functions or behind TYPE_CHECKING).
2. `db.session.commit()` / `db.session.rollback()` calls written in view and API modules
   (a module that declares a route on a blueprint, or any module of eventhub/api/).
3. Duplicate pairs in eventhub/ as the `duplicates` command counts them, when it is on PATH.

Only the standard library is used, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "eventhub"
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
BOUNDARY_CALLS = ("commit", "rollback")


def modules(package_dir: Path) -> Iterator[tuple[str, Path]]:
    """Yield (dotted module name, path) for every module of the package."""
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def domain_of(module: str) -> str | None:
    """The domain package a dotted module belongs to (None for top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and _is_package(parts[1])) else None


_packages: set[str] = set()


def _is_package(name: str) -> bool:
    return name in _packages


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Absolute names of everything a module imports (relative imports resolved)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                drop = node.level - 1 if is_package else node.level
                anchor = anchor[: len(anchor) - drop]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            for alias in node.names:
                yield f"{base}.{alias.name}"


def domain_edges(package_dir: Path) -> dict[tuple[str, str], list[str]]:
    """(importer domain, imported domain) -> the modules that make that edge."""
    _packages.clear()
    _packages.update(p.name for p in package_dir.iterdir() if (p / "__init__.py").exists())
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, path in modules(package_dir):
        source = domain_of(module)
        if source is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in set(imported_modules(tree, module, path.name == "__init__.py")):
            if not name.startswith(f"{PACKAGE}."):
                continue
            target = name.split(".")[1]
            if target in _packages and target != source and module not in edges[(source, target)]:
                edges[(source, target)].append(module)
    return edges


def mutual_pairs(package_dir: Path) -> list[dict[str, object]]:
    edges = domain_edges(package_dir)
    pairs = []
    for a, b in sorted(edges):
        if a < b and (b, a) in edges:
            pairs.append({"pair": f"{a}<->{b}", a: sorted(edges[(a, b)]), b: sorted(edges[(b, a)])})
    return pairs


def domain_cycles(package_dir: Path) -> list[list[str]]:
    """Groups of domains that reach each other through imports (strongly connected components of
    more than one domain): a one-way graph has none, whatever the length of the loop."""
    edges = domain_edges(package_dir)
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph has a few dozen nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def is_view_module(module: str, tree: ast.AST) -> bool:
    """A module of eventhub/api/, or one that declares a route on a blueprint."""
    return module.split(".")[1:2] == ["api"] or declares_routes(tree)


def declares_routes(tree: ast.AST) -> bool:
    """Whether a module decorates something with `<blueprint>.route(…)`, `.get(…)`, …"""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
    return False


def boundary_calls(package_dir: Path) -> dict[str, dict[str, int]]:
    """Per view/API module, how many db.session.commit() and .rollback() it writes out."""
    found: dict[str, dict[str, int]] = {}
    for module, path in modules(package_dir):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        if not is_view_module(module, tree):
            continue
        counts = dict.fromkeys(BOUNDARY_CALLS, 0)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in BOUNDARY_CALLS
                and ast.unparse(node.func.value) == "db.session"
            ):
                counts[node.func.attr] += 1
        if any(counts.values()):
            found[str(path.relative_to(package_dir.parent))] = counts
    return found


def duplicate_pairs(package_dir: Path) -> tuple[int | None, list[str]]:
    """The pair count the `duplicates` command prints for the package (None if absent)."""
    command = shutil.which("duplicates")
    if command is None:
        return None, []
    output = subprocess.run(
        [command, "--repo", str(package_dir), "--most", "200", "--seconds", "120"],
        capture_output=True,
        text=True,
        check=False,
        cwd=package_dir,
    ).stdout
    lines = output.splitlines()
    if not lines or lines[0].startswith("no duplicates"):
        return 0, lines[1:]
    match = re.search(r"(\d+)\s+pairs?", lines[0])
    return (int(match.group(1)) if match else None), lines[1:]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--json", action="store_true", help="print every detail as JSON")
    parser.add_argument("--no-duplicates", action="store_true", help="skip the slow third figure")
    args = parser.parse_args(argv)
    package_dir = args.root / PACKAGE
    pairs = mutual_pairs(package_dir)
    cycles = domain_cycles(package_dir)
    calls = boundary_calls(package_dir)
    commits = sum(c["commit"] for c in calls.values())
    rollbacks = sum(c["rollback"] for c in calls.values())
    duplicates, rows = (None, []) if args.no_duplicates else duplicate_pairs(package_dir)
    if args.json:
        report = {
            "mutual_pairs": pairs,
            "domain_cycles": cycles,
            "boundary_calls": calls,
            "duplicates": duplicates,
            "duplicate_rows": rows,
        }
        print(json.dumps(report, indent=2))
        return 0
    print(f"mutual domain pairs: {len(pairs)}")
    for pair in pairs:
        print(f"  {pair['pair']}")
    print(f"domain import cycles (any length): {len(cycles)}")
    for group in cycles:
        print(f"  {' -> '.join(group)}")
    print(f"commit/rollback in view and API modules: {commits} commit, {rollbacks} rollback")
    for path, counts in sorted(calls.items()):
        print(f"  {path}: {counts['commit']} commit, {counts['rollback']} rollback")
    shown = "not measured (no `duplicates` on PATH)" if duplicates is None else str(duplicates)
    print(f"duplicate pairs in {PACKAGE}/: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
