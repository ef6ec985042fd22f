"""Uploaded images: validated with Pillow, stripped of metadata, re-encoded, stored, served.

Every domain that accepts a picture (speaker photos, series banners, recap photos) calls
`store_image()` and keeps the returned relative paths; `upload_url()` / `external_upload_url()`
turn a stored path into a link served by the `uploads.file` route below.
"""

from __future__ import annotations

import io
import os
import secrets
import tempfile
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from flask import Blueprint, Response, abort, current_app, send_from_directory, url_for
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from eventhub.extensions import db
from eventhub.refusal import Refusal
from eventhub.transaction import after_commit, after_rollback
from eventhub.urls import external_url

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
# A few kilobytes of PNG can declare any size; decoding is what costs (4 bytes a pixel, plus
# copies). 16 MP holds every phone photo and keeps an upload's peak memory well under 200 MB.
MAX_PIXELS = 16_000_000
# Pillow refuses anything past twice this at open(), before decoding a single pixel.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# What we write: JPEG for photos (every mail client shows it), PNG when there is transparency.
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
ONE_YEAR = 365 * 24 * 3600


class ImageError(Refusal):
    """An upload refused; the message is meant for the person who uploaded it."""


@dataclass(frozen=True)
class StoredImage:
    """Paths relative to EVENTHUB_UPLOAD_FOLDER, e.g. ``speakers/Xa3….jpg``."""

    path: str
    thumbnail_path: str | None
    width: int
    height: int
    content_type: str


def upload_folder() -> Path:
    return Path(current_app.config["EVENTHUB_UPLOAD_FOLDER"])


def _read_limited(source: bytes | IO[bytes], max_bytes: int) -> bytes:
    data = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if not data:
        raise ImageError(_("The file is empty. Choose a JPEG, PNG or WebP image."))
    if len(data) > max_bytes:
        raise ImageError(
            _(
                "The file is larger than %(size)s MB. Please upload a smaller image.",
                size=max_bytes // (1024 * 1024),
            )
        )
    return data


def _open(data: bytes, max_side: int, output_side: int) -> Image.Image:
    """Open and decode no larger than `output_side`, refusing non-images, other formats and
    oversize dimensions (checked from the header, before any pixel is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
            width, height = image.size
            if width > max_side or height > max_side or width * height > MAX_PIXELS:
                raise ImageError(
                    _(
                        "The image is %(width)sx%(height)s pixels; the limit is "
                        "%(side)sx%(side)s and %(megapixels)s megapixels. Please resize it first.",
                        width=width,
                        height=height,
                        side=max_side,
                        megapixels=MAX_PIXELS // 1_000_000,
                    )
                )
            # JPEG decodes straight at a reduced scale; other formats shrink right after.
            image.draft("RGB", (output_side, output_side))
            image.load()
            image.thumbnail((output_side, output_side), Image.Resampling.LANCZOS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            _(
                "The image is too large to process (the limit is %(side)sx%(side)s pixels "
                "and %(megapixels)s megapixels).",
                side=max_side,
                megapixels=MAX_PIXELS // 1_000_000,
            )
        ) from exc
    except UnidentifiedImageError as exc:
        raise ImageError(_("That file is not a JPEG, PNG or WebP image.")) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            _("The image could not be read; it may be damaged or incomplete.")
        ) from exc
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _clean_copy(image: Image.Image) -> tuple[Image.Image, str]:
    """A new image holding only pixels (no EXIF, XMP, comments), upright, in a web mode."""
    image = ImageOps.exif_transpose(image) or image
    if _has_alpha(image):
        image, ext = image.convert("RGBA"), ".png"
    else:
        image, ext = image.convert("RGB"), ".jpg"
    # frombytes drops image.info entirely: nothing from the upload's metadata survives.
    return Image.frombytes(image.mode, image.size, image.tobytes()), ext


def _encode(image: Image.Image, ext: str) -> bytes:
    buffer = io.BytesIO()
    if ext == ".jpg":
        image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _write(relative: str, data: bytes) -> None:
    target = upload_folder() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a reader never sees half a file, even across processes.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def store_image(
    source: bytes | IO[bytes],
    *,
    subfolder: str,
    max_bytes: int = MAX_BYTES,
    max_side: int = MAX_SIDE,
    max_output_side: int = 2000,
    thumbnail_size: int | None = None,
) -> StoredImage:
    """Validate, strip, re-encode and store an upload; raise ImageError with a clear message."""
    image = _open(_read_limited(source, max_bytes), max_side, max_output_side)
    clean, ext = _clean_copy(image)
    del image  # the decoded upload; only the clean copy is needed from here
    name = f"{subfolder.strip('/')}/{secrets.token_urlsafe(18)}"
    path = name + ext
    _write(path, _encode(clean, ext))
    thumbnail_path = None
    if thumbnail_size:
        square = ImageOps.fit(clean, (thumbnail_size, thumbnail_size), Image.Resampling.LANCZOS)
        thumbnail_path = f"{name}-{thumbnail_size}{ext}"
        _write(thumbnail_path, _encode(square, ext))
    _discard_on_rollback(path, *([thumbnail_path] if thumbnail_path else []))
    return StoredImage(
        path=path,
        thumbnail_path=thumbnail_path,
        width=clean.width,
        height=clean.height,
        content_type=CONTENT_TYPES[ext],
    )


def delete_upload(relative: str | None) -> None:
    """Remove a stored file (a replaced photo); missing files are fine."""
    if not relative:
        return
    folder = upload_folder().resolve()
    target = (folder / relative).resolve()
    if folder in target.parents:
        target.unlink(missing_ok=True)


def delete_after_commit(*relatives: str | None) -> None:
    """Remove replaced files once the transaction that stopped pointing at them commits."""
    for relative in relatives:
        if relative:
            after_commit(partial(delete_upload, relative))


def _discard_on_rollback(*relatives: str) -> None:
    # Files written for a change that did not commit would be orphans nobody links to. Join (or
    # begin) the session's transaction so that its end, even before any write, is seen.
    db.session.connection()
    for relative in relatives:
        after_rollback(partial(delete_upload, relative))


def upload_url(relative: str | None) -> str | None:
    return url_for("uploads.file", name=relative) if relative else None


def external_upload_url(relative: str | None) -> str | None:
    """An absolute link to a stored file (API responses, emails), or None."""
    return external_url("uploads.file", name=relative) if relative else None


bp = Blueprint("uploads", __name__, url_prefix="/uploads")
bp.add_app_template_global(upload_url, "upload_url")


@bp.route("/<path:name>")
def file(name: str) -> Response:
    """Serve a stored upload; names are random and never reused, so caches may keep it."""
    content_type = CONTENT_TYPES.get(Path(name).suffix.lower())
    if content_type is None or Path(name).name.startswith("."):
        abort(404)
    response = send_from_directory(
        upload_folder(), name, mimetype=content_type, max_age=ONE_YEAR, conditional=True
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
