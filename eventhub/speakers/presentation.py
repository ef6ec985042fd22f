"""Template helpers for speaker faces and links, registered app-wide by the blueprint."""

from __future__ import annotations

import hashlib
import unicodedata

from flask import Blueprint

# Background / text pairs, each with a contrast ratio above 7:1 (WCAG AAA for the initials).
_PALETTE = (
    ("#dbe7f4", "#0a3d73"),
    ("#e3f1e6", "#1d4f2c"),
    ("#fbe9d7", "#6b3100"),
    ("#efe2f6", "#4e1f6b"),
    ("#f9dfe3", "#7a1a2c"),
    ("#dff3f3", "#0b4a4a"),
)
_HONORIFICS = {"prof", "professor", "dr", "mr", "mrs", "ms", "mx", "sir", "dame", "ir", "hon"}


def initials(name: str) -> str:
    """Two letters for an avatar: first and last name words, skipping titles."""
    words = [w for w in name.replace("-", " ").split() if w.lower().strip(".") not in _HONORIFICS]
    letters = [w[0] for w in words if w and unicodedata.category(w[0]).startswith("L")]
    if not letters:
        return "?"
    # "Man Hau-chung" -> "MH" (family name first), "Daniel Yip" -> "DY".
    picked = letters[0] + (letters[1] if len(letters) > 1 else "")
    return picked.upper()


def avatar_colours(key: str) -> tuple[str, str]:
    """A stable colour pair per speaker, so the same face always looks the same."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return _PALETTE[digest[0] % len(_PALETTE)]


def install(bp: Blueprint) -> None:
    bp.add_app_template_global(initials, "speaker_initials")
    bp.add_app_template_global(avatar_colours, "avatar_colours")
