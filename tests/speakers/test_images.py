"""The image pipeline: only real JPEG/PNG/WebP within limits, metadata gone, served right."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from eventhub.images import (
    ImageError,
    delete_upload,
    external_upload_url,
    store_image,
    upload_folder,
)
from tests.speakers import images_support as img


def _stored(path: str) -> Path:
    return upload_folder() / path


def test_jpeg_is_reencoded_without_exif_and_with_square_thumbnail(app: Flask) -> None:
    original = img.jpeg_with_exif((640, 480))
    assert b"SecretCam" in original
    stored = store_image(original, subfolder="speakers", thumbnail_size=256)
    data = _stored(stored.path).read_bytes()
    assert data != original
    assert b"SecretCam" not in data and b"private comment" not in data
    with Image.open(_stored(stored.path)) as reopened:
        assert reopened.format == "JPEG"
        assert len(reopened.getexif()) == 0
        assert "exif" not in reopened.info and "comment" not in reopened.info
        assert reopened.size == (640, 480)
    assert stored.thumbnail_path is not None
    with Image.open(_stored(stored.thumbnail_path)) as thumb:
        assert thumb.size == (256, 256)
        assert len(thumb.getexif()) == 0
    assert stored.content_type == "image/jpeg"


def test_file_names_are_random_and_under_the_subfolder(app: Flask) -> None:
    first = store_image(img.jpeg_with_exif(), subfolder="speakers")
    second = store_image(img.jpeg_with_exif(), subfolder="speakers")
    assert first.path != second.path
    assert first.path.startswith("speakers/") and first.path.endswith(".jpg")
    assert len(Path(first.path).stem) >= 20


def test_transparent_png_stays_png_and_webp_becomes_jpeg(app: Flask) -> None:
    png = store_image(img.png_bytes(mode="RGBA"), subfolder="banners")
    assert png.content_type == "image/png" and png.path.endswith(".png")
    webp = store_image(img.webp_bytes(), subfolder="recaps", thumbnail_size=100)
    assert webp.content_type == "image/jpeg"
    with Image.open(_stored(webp.thumbnail_path or "")) as thumb:
        assert thumb.size == (100, 100)


def test_large_photos_are_scaled_down(app: Flask) -> None:
    stored = store_image(img.jpeg_with_exif((3000, 1500)), subfolder="speakers")
    assert (stored.width, stored.height) == (2000, 1000)


def test_non_image_renamed_jpg_is_refused(app: Flask) -> None:
    with pytest.raises(ImageError, match="not a JPEG, PNG or WebP"):
        store_image(b"#!/bin/sh\necho pwned\n" * 50, subfolder="speakers")


def test_other_formats_are_refused(app: Flask) -> None:
    with pytest.raises(ImageError, match="not a JPEG, PNG or WebP"):
        store_image(img.gif_bytes(), subfolder="speakers")


def test_truncated_image_is_refused(app: Flask) -> None:
    with pytest.raises(ImageError, match="damaged or incomplete"):
        store_image(img.jpeg_with_exif()[:400], subfolder="speakers")


def test_decompression_bomb_is_refused_before_decoding(app: Flask) -> None:
    bomb = img.png_bomb()
    assert len(bomb) < 1024 * 1024  # small on disk, 1.6 billion pixels decoded
    with pytest.raises(ImageError, match="too large"):
        store_image(bomb, subfolder="speakers")
    assert not upload_folder().exists() or not any(upload_folder().rglob("*.png"))


def test_pixel_limit_is_refused_with_the_dimensions(app: Flask) -> None:
    with pytest.raises(ImageError, match="600x100 pixels; the limit is 500x500"):
        store_image(img.jpeg_with_exif((600, 100)), subfolder="speakers", max_side=500)


def test_oversize_file_is_refused(app: Flask) -> None:
    big = img.oversize_png()
    assert len(big) > 5 * 1024 * 1024
    with pytest.raises(ImageError, match="larger than 5 MB"):
        store_image(io.BytesIO(big), subfolder="speakers")


def test_empty_file_is_refused(app: Flask) -> None:
    with pytest.raises(ImageError, match="empty"):
        store_image(b"", subfolder="speakers")


def test_served_with_content_type_and_cache_headers(app: Flask, client: FlaskClient) -> None:
    stored = store_image(img.jpeg_with_exif(), subfolder="speakers", thumbnail_size=64)
    response = client.get(f"/uploads/{stored.path}")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    png = store_image(img.png_bytes(), subfolder="banners")
    assert client.get(f"/uploads/{png.path}").mimetype == "image/png"
    etag = response.headers["ETag"]
    again = client.get(f"/uploads/{stored.path}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert external_upload_url(stored.path) == f"http://eventhub.test/uploads/{stored.path}"


def test_serving_refuses_traversal_hidden_and_unknown_files(
    app: Flask, client: FlaskClient
) -> None:
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("secret")
    (folder / ".upload-x.jpg").write_bytes(b"partial")
    assert client.get("/uploads/notes.txt").status_code == 404
    assert client.get("/uploads/.upload-x.jpg").status_code == 404
    assert client.get("/uploads/../secret_key.jpg").status_code == 404
    assert client.get("/uploads/speakers/missing.jpg").status_code == 404


def test_delete_upload_stays_inside_the_folder(app: Flask, tmp_path: Path) -> None:
    stored = store_image(img.jpeg_with_exif(), subfolder="speakers")
    outside = tmp_path / "keep.jpg"
    outside.write_bytes(b"x")
    delete_upload("../../keep.jpg")
    assert outside.exists()
    delete_upload(stored.path)
    assert not _stored(stored.path).exists()


def test_exif_orientation_is_applied_before_stripping(app: Flask) -> None:
    image = Image.new("RGB", (200, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    stored = store_image(buffer.getvalue(), subfolder="speakers")
    assert (stored.width, stored.height) == (100, 200)
    with Image.open(_stored(stored.path)) as reopened:
        assert 0x0112 not in reopened.getexif()


def test_png_text_chunks_are_dropped(app: Flask) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Private")
    info.add_text("GPS", "22.3193 N, 114.1694 E")
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(buffer, "PNG", pnginfo=info)
    stored = store_image(buffer.getvalue(), subfolder="banners")
    data = _stored(stored.path).read_bytes()
    assert b"Jane Private" not in data and b"114.1694" not in data


def test_upload_folder_setting_is_used(app: Flask, tmp_path: Path) -> None:
    app.config["EVENTHUB_UPLOAD_FOLDER"] = str(tmp_path / "elsewhere")
    stored = store_image(img.jpeg_with_exif(), subfolder="recaps")
    assert (tmp_path / "elsewhere" / stored.path).is_file()


def test_files_of_a_rolled_back_change_are_removed(app: Flask) -> None:
    from eventhub.extensions import db

    stored = store_image(img.jpeg_with_exif(), subfolder="speakers", thumbnail_size=32)
    assert _stored(stored.path).exists()
    db.session.rollback()
    assert not _stored(stored.path).exists()
    assert not _stored(stored.thumbnail_path or "").exists()
    kept = store_image(img.jpeg_with_exif(), subfolder="speakers")
    db.session.commit()
    db.session.rollback()
    assert _stored(kept.path).exists()
