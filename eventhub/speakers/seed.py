"""The speakers of the seed's first re-industrialisation webinar, as the recap names them."""

from __future__ import annotations

from typing import Any

from eventhub.speakers.models import SpeakerProfile
from eventhub.speakers.services import upsert_profile

# Facts from seed/webinar-series-recap.txt only; no photos ship with the demo (initials show).
SEED_SPEAKERS: dict[str, dict[str, Any]] = {
    "man-hau-chung": {
        "honorific": "Prof",
        "full_name": "Man Hau-chung",
        "position": "Dean, Faculty of Engineering",
        "organisation": "The Hong Kong Polytechnic University (PolyU)",
        "short_bio": (
            "Dean of PolyU's Faculty of Engineering; sees universities, with their research "
            "facilities and teams, as key partners of industry in re-industrialisation."
        ),
    },
    "daniel-yip": {
        "honorific": "Dr",
        "full_name": "Daniel Yip",
        "position": "Chairman",
        "organisation": "Federation of Hong Kong Industries",
        "short_bio": (
            "Chairman of the Federation of Hong Kong Industries; advocates a four-pronged "
            "approach he calls “the next normal of Hong Kong industry”."
        ),
    },
    "sunny-chai": {
        "honorific": "Dr",
        "full_name": "Sunny Chai",
        "position": "Chairman",
        "organisation": "Hong Kong Science and Technology Parks Corporation (HKSTP)",
        "short_bio": (
            "Chairman of HKSTP, home to over 9,000 R&D professionals and more than 900 "
            "technology enterprises."
        ),
    },
    "bobby-liu": {
        "honorific": "Dr",
        "full_name": "Bobby Liu",
        "position": "President",
        "organisation": "Hong Kong Young Industrialists Council",
        "short_bio": (
            "President of the Hong Kong Young Industrialists Council and moderator of the "
            "first webinar: “Made-in-Hong Kong is a valuable brand.”"
        ),
    },
}
# The seed's moderator; the others speak.
SEED_MODERATOR = "bobby-liu"


def ensure_seed_speakers() -> dict[str, SpeakerProfile]:
    """Create or refresh the seed speakers (idempotent); the caller commits."""
    return {slug: upsert_profile(slug, **fields) for slug, fields in SEED_SPEAKERS.items()}
