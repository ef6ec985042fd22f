"""Series banner uploads: checked, size-limited and re-encoded with Pillow before storing."""

from __future__ import annotations

import secrets
from io import BytesIO
from pathlib import Path
from typing import IO

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from eventhub.scheduling.errors import SchedulingError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_WIDTH = 2400
MIN_WIDTH = 600
FOLDER = "banners"


def store_banner(stream: IO[bytes]) -> str:
    """Validate an uploaded image and save it as a fresh JPEG; return its path in uploads."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SchedulingError("The banner is larger than 8 MB.", "banner")
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise SchedulingError("The banner has too many pixels.", "banner")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise SchedulingError("That file is not an image we can read.", "banner") from exc
    if image.format not in {"JPEG", "PNG", "WEBP"}:
        raise SchedulingError("Use a JPEG, PNG or WebP image.", "banner")
    if image.width < MIN_WIDTH:
        raise SchedulingError(f"Use an image at least {MIN_WIDTH} px wide.", "banner")
    # Re-encoding drops anything hidden in the file (metadata, trailing payloads).
    encoded = ImageOps.exif_transpose(image).convert("RGB")
    if encoded.width > MAX_WIDTH:
        encoded.thumbnail((MAX_WIDTH, MAX_WIDTH * 4))
    relative = f"{FOLDER}/{secrets.token_hex(12)}.jpg"
    target = Path(current_app.config["EVENTHUB_UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    encoded.save(target, format="JPEG", quality=85, optimize=True, progressive=True)
    return relative


def discard_banner(relative: str | None) -> None:
    if not relative:
        return
    path = Path(current_app.config["EVENTHUB_UPLOAD_FOLDER"]) / relative
    path.unlink(missing_ok=True)
