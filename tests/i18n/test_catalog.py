"""The Traditional Chinese catalog: complete, not fuzzy, current with the code, compiled."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "zh_Hant" / "LC_MESSAGES"


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_Hant")


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _extract(tmp_path: Path) -> Catalog:
    """The project's own extraction command (README), run on the code as it is now."""
    pot = tmp_path / "messages.pot"
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "--no-location",
                "-o",
                str(pot),
                ".",
            ]
        )
    finally:
        os.chdir(cwd)
    return _read_po(pot)


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalog = _read_po(CATALOG / "messages.po")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        # A plural message has one string per form; a missing string reads as untranslated.
        strings = (
            (message.string,) if isinstance(message.string, str) else tuple(message.string or ("",))
        )
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    # Placeholders must match (a missing %(title)s would drop the title; an extra one crashes).
    for message, errors in catalog.check():
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"
    assert not problems, "\n".join(problems)


def test_catalog_is_current_with_the_code(tmp_path: Path) -> None:
    extracted = _ids(_extract(tmp_path))
    translated = _ids(_read_po(CATALOG / "messages.po"))
    missing = extracted - translated
    stale = translated - extracted
    assert not missing, f"in the code but not in the catalog (run pybabel update): {missing}"
    assert not stale, f"in the catalog but no longer in the code: {stale}"


def test_the_committed_mo_is_the_compiled_po() -> None:
    po = _read_po(CATALOG / "messages.po")
    with (CATALOG / "messages.mo").open("rb") as handle:
        mo = read_mo(handle)
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    source = {_key(m.id): _key(m.string) for m in po if m.id}
    assert compiled == source, "run: pybabel compile -d translations"


def test_the_extraction_sees_templates_and_python(tmp_path: Path) -> None:
    # Guards the guard: an extraction that found nothing would make the tests above vacuous.
    ids = _ids(_extract(tmp_path))
    assert "Upcoming webinars" in ids  # a template
    assert "Tell us your name." in ids  # a lazy form label
    assert ("%(num)d seat left", "%(num)d seats left") in ids  # a plural
