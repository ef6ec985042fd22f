"""Series banners through the shared image pipeline (eventhub.images), with a width floor."""

from __future__ import annotations

from typing import IO

from flask_babel import gettext as _

from eventhub import images
from eventhub.scheduling.errors import SchedulingError

MIN_WIDTH = 600
MAX_WIDTH = 2400
MAX_BYTES = 8 * 1024 * 1024


def store_banner(stream: IO[bytes]) -> str:
    """Validate, strip and re-encode an uploaded banner; return its path in the uploads."""
    try:
        stored = images.store_image(
            stream, subfolder="banners", max_bytes=MAX_BYTES, max_output_side=MAX_WIDTH
        )
    except images.ImageError as exc:
        raise SchedulingError(str(exc), "banner") from exc
    if stored.width < MIN_WIDTH:
        # Too small to fill the page; the file written for it goes when the request rolls back.
        raise SchedulingError(
            _("Use an image at least %(width)s px wide.", width=MIN_WIDTH), "banner"
        )
    return stored.path


def discard_banner(relative: str | None) -> None:
    """Remove a replaced banner once the change that dropped it commits."""
    images.delete_after_commit(relative)
