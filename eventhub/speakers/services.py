"""Profile rules: creating and editing profiles, their photo, and the history of changes."""

from __future__ import annotations

import re
import unicodedata
from typing import IO, Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from eventhub.accounts.models import User
from eventhub.accounts.services import AccountError, disable_account, normalise_email
from eventhub.extensions import db
from eventhub.images import ImageError, delete_after_commit, store_image
from eventhub.refusal import Refusal
from eventhub.speakers.models import ProfileChange, SessionSpeaker, SpeakerProfile

SHORT_BIO_MAX = 300
LONG_BIO_MAX = 10_000
MAX_LINKS = 5
THUMBNAIL_SIZE = 256
# Fields a profile edit may change; the order is the order of the history entries.
PROFILE_FIELDS = (
    "honorific",
    "full_name",
    "alternate_name",
    "pronunciation",
    "position",
    "organisation",
    "short_bio",
    "long_bio_markdown",
    "name_zh",
    "short_bio_zh",
    "long_bio_markdown_zh",
    "links",
    "email",
)
# The longest each text may be: the service checks it, the forms say it first.
PROFILE_LENGTHS = {
    "honorific": 40,
    "full_name": 200,
    "alternate_name": 200,
    "pronunciation": 200,
    "position": 200,
    "organisation": 200,
    "short_bio": SHORT_BIO_MAX,
    "long_bio_markdown": LONG_BIO_MAX,
    "name_zh": 200,
    "short_bio_zh": SHORT_BIO_MAX,
    "long_bio_markdown_zh": LONG_BIO_MAX,
}
_SUMMARISED = {"short_bio", "long_bio_markdown", "short_bio_zh", "long_bio_markdown_zh"}


class SpeakerError(Refusal):
    """A refused profile change; the message is meant for the user."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100] or "speaker"


def unique_slug(text: str) -> str:
    base = slugify(text)
    taken = set(
        db.session.scalars(select(SpeakerProfile.slug).where(SpeakerProfile.slug.like(f"{base}%")))
    )
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def clean_url(raw: str) -> str:
    """An http(s) URL with a real host, or SpeakerError (no javascript:, no credentials)."""
    url = raw.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "." not in host
        or parts.username
        or parts.password
        or any(c.isspace() for c in url)
        or len(url) > 500
    ):
        raise SpeakerError(
            _("“%(text)s” is not a web address (it must start with https://).", text=raw[:80])
        )
    return url


def clean_links(links: list[dict[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for link in links:
        url = (link.get("url") or "").strip()
        if not url:
            continue
        label = (link.get("label") or "").strip()[:40]
        url = clean_url(url)
        cleaned.append(
            {"label": label or (urlsplit(url).hostname or "").removeprefix("www."), "url": url}
        )
    if len(cleaned) > MAX_LINKS:
        raise SpeakerError(_("Add at most %(count)s links.", count=MAX_LINKS))
    return cleaned


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise SpeakerError(_("Unknown profile field %(name)s.", name=repr(name)))
        if name == "links":
            values[name] = clean_links(list(value or []))
        elif name == "email":
            values[name] = clean_email(value)
        else:
            text = (value or "").strip().replace("\r\n", "\n")
            if len(text) > PROFILE_LENGTHS[name]:
                raise SpeakerError(
                    _(
                        "%(field)s is limited to %(count)s characters.",
                        field=_label(name),
                        count=PROFILE_LENGTHS[name],
                    )
                )
            values[name] = text
    if "full_name" in values and not values["full_name"]:
        raise SpeakerError(_("The full name is required."))
    return values


def clean_email(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return normalise_email(value)
    except AccountError as exc:
        raise SpeakerError(str(exc)) from exc


def _label(field: str) -> str:
    labels = {
        "long_bio_markdown": _("The long bio"),
        "short_bio": _("The short bio"),
        "long_bio_markdown_zh": _("The Chinese long bio"),
        "short_bio_zh": _("The Chinese short bio"),
        "full_name": _("The full name"),
        "name_zh": _("The Chinese name"),
        "honorific": _("The honorific"),
        "position": _("The position"),
        "organisation": _("The organisation"),
        "alternate_name": _("The alternate name"),
    }
    return labels.get(field, field.replace("_", " ").capitalize())


def _summary(field: str, value: Any) -> Any:
    if field in _SUMMARISED and isinstance(value, str) and len(value) > 120:
        return value[:117] + "…"
    return value


def record_change(
    profile: SpeakerProfile, actor: User | None, changes: dict[str, Any], note: str = ""
) -> ProfileChange:
    """Add one history entry: who changed what on this profile."""
    entry = ProfileChange(speaker_id=profile.id, changed_by=actor, changes=changes, note=note)
    db.session.add(entry)
    return entry


def create_profile(actor: User | None, slug: str | None = None, **fields: Any) -> SpeakerProfile:
    """Create a profile; the slug comes from the name unless given."""
    values = _clean(fields)
    if not values.get("full_name"):
        raise SpeakerError(_("The full name is required."))
    slug = slugify(slug) if slug else unique_slug(values["full_name"])
    if db.session.scalar(select(SpeakerProfile.id).where(SpeakerProfile.slug == slug)):
        raise SpeakerError(_("The address /speakers/%(slug)s is already taken.", slug=slug))
    profile = SpeakerProfile(slug=slug, **values)
    db.session.add(profile)
    db.session.flush()
    record_change(profile, actor, {}, note="Profile created")
    db.session.flush()
    return profile


def update_profile(profile: SpeakerProfile, actor: User | None, **fields: Any) -> dict[str, Any]:
    """Apply the given fields; record what actually changed; return those changes."""
    values = _clean(fields)
    changes: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        if name in values and getattr(profile, name) != values[name]:
            old = getattr(profile, name)
            changes[name] = {"old": _summary(name, old), "new": _summary(name, values[name])}
            setattr(profile, name, values[name])
    if changes:
        record_change(profile, actor, changes)
    db.session.flush()
    return changes


def set_photo(profile: SpeakerProfile, source: bytes | IO[bytes], actor: User | None) -> None:
    """Store a new photo and thumbnail; the old files go once the change commits."""
    try:
        stored = store_image(source, subfolder="speakers", thumbnail_size=THUMBNAIL_SIZE)
    except ImageError as exc:
        raise SpeakerError(str(exc)) from exc
    delete_after_commit(profile.photo_path, profile.thumbnail_path)
    change = "replaced" if profile.photo_path else "added"
    profile.photo_path, profile.thumbnail_path = stored.path, stored.thumbnail_path
    record_change(profile, actor, {"photo": {"old": None, "new": change}})
    db.session.flush()


def remove_photo(profile: SpeakerProfile, actor: User | None) -> None:
    """Remove the photo; the initials avatar shows instead."""
    if not profile.photo_path:
        return
    delete_after_commit(profile.photo_path, profile.thumbnail_path)
    profile.photo_path = profile.thumbnail_path = None
    record_change(profile, actor, {"photo": {"old": None, "new": "removed"}})
    db.session.flush()


def delete_profile(profile: SpeakerProfile) -> None:
    """Delete a profile that speaks nowhere; its account (if any) is disabled, photos removed."""
    if db.session.scalar(select(SessionSpeaker.id).where(SessionSpeaker.speaker_id == profile.id)):
        raise SpeakerError(
            _(
                "%(name)s is in at least one session; remove them from it first.",
                name=profile.name_line,
            )
        )
    if profile.user is not None:
        disable_account(profile.user)
    delete_after_commit(profile.photo_path, profile.thumbnail_path)
    db.session.delete(profile)
    db.session.flush()


def upsert_profile(slug: str, **fields: Any) -> SpeakerProfile:
    """Create the profile with this slug, or bring its given fields up to date (demo loader)."""
    slug = slugify(slug)
    profile = db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.slug == slug))
    if profile is None:
        return create_profile(None, slug=slug, **fields)
    update_profile(profile, None, **fields)
    return profile


def profile_for_user(user: User) -> SpeakerProfile | None:
    return db.session.scalar(select(SpeakerProfile).where(SpeakerProfile.user_id == user.id))
