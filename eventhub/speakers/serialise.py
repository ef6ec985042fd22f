"""Speakers as the read API shows them: only public facts, never an email or account."""

from __future__ import annotations

from typing import Any

from eventhub.images import external_upload_url
from eventhub.speakers.models import SessionSpeaker
from eventhub.urls import external_url


def speaker_public_dict(link: SessionSpeaker) -> dict[str, Any]:
    """One speaker of one session: name line parts, role and absolute photo links."""
    speaker = link.speaker
    return {
        "slug": speaker.slug,
        # Same shape as the API's SpeakerOut: `name` is the whole name line ("Dr Sunny Chai").
        "name": speaker.name_line,
        "honorific": speaker.honorific,
        "full_name": speaker.full_name,
        "alternate_name": speaker.alternate_name,
        "position": speaker.position,
        "organisation": speaker.organisation,
        "short_bio": speaker.short_bio,
        "name_zh": speaker.name_zh,
        "short_bio_zh": speaker.short_bio_zh,
        "role": link.role.value,
        "order": link.position,
        "photo_url": external_upload_url(speaker.photo_path),
        "thumbnail_url": external_upload_url(speaker.thumbnail_path),
        "profile_url": external_url("speakers.profile", slug=speaker.slug),
    }
