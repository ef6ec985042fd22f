"""Findings 11, 13, 14: CSV header cells, speaker profiles before publication, image bombs."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from eventhub.extensions import db
from eventhub.images import ImageError, store_image
from eventhub.scheduling.models import SessionStatus
from tests.support.factories import Factories, LoginHelper

PROJECT = Path(__file__).resolve().parents[2]


def _png(size: tuple[int, int], mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def test_csv_header_row_is_protected_against_formulas(
    client: FlaskClient, make: Factories, login: LoginHelper
) -> None:
    organiser = make.organiser()
    session = make.session(make.series(organiser_id=organiser.id))
    make.question(session.series, '=HYPERLINK("http://evil.example","x")')
    make.question(session.series, "@SUM(1+1)")
    make.registration(session)
    db.session.commit()
    login(organiser)
    response = client.get(f"/organiser/registrations/sessions/{session.id}/export.csv")
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert '\'=HYPERLINK("http://evil.example","x")' in header
    assert "'@SUM(1+1)" in header
    assert not any(cell[:1] in "=+-@" for cell in header)


def test_speaker_profile_is_404_until_a_published_session_has_them(
    client: FlaskClient, make: Factories
) -> None:
    speaker = make.speaker(slug="ada")
    draft = make.session(status=SessionStatus.DRAFT)
    make.link(draft, speaker)
    db.session.commit()
    assert client.get("/speakers/ada").status_code == 404
    make.link(make.session(), speaker)
    db.session.commit()
    assert client.get("/speakers/ada").status_code == 200


def test_a_tiny_png_declaring_36_megapixels_is_refused_before_decoding(app: Flask) -> None:
    bomb = _png((6000, 6000))
    assert len(bomb) < 100_000
    with pytest.raises(ImageError, match="megapixels"):
        store_image(bomb, subfolder="speakers")


def test_peak_memory_of_the_largest_allowed_upload_stays_under_200_mb(tmp_path: Path) -> None:
    # The largest image allowed (16 MP, with transparency: 4 bytes a pixel), processed in a
    # process of its own so its peak resident memory can be read from the kernel.
    source = tmp_path / "big.png"
    source.write_bytes(_png((4000, 4000), "RGBA"))
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from eventhub import create_app
        from tests.conftest import base_config
        app = create_app(base_config(Path({str(tmp_path)!r}), "sqlite:///:memory:"))
        data = Path({str(source)!r}).read_bytes()
        from eventhub.images import store_image

        def status(field):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    return int(line.split()[1])

        with app.test_request_context():
            before = status("VmRSS")
            Path("/proc/self/clear_refs").write_text("5")  # reset the peak to now
            stored = store_image(data, subfolder="speakers", thumbnail_size=160)
            print(stored.width, stored.height, (status("VmHWM") - before) // 1024)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    width, height, peak_mb = (int(x) for x in result.stdout.split()[-3:])
    assert (width, height) == (2000, 2000)
    assert peak_mb < 200, f"peak {peak_mb} MB"
    print(f"\n16 MP RGBA upload: {peak_mb} MB above the process baseline")  # noqa: T201
