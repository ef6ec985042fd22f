"""The enrolment QR code as inline SVG: drawn on the server, no script, no image request."""

from __future__ import annotations

import segno
from markupsafe import Markup


def svg(text: str, title: str) -> Markup:
    """`text` (an otpauth:// URI) as an SVG QR code to put straight into the page."""
    code = segno.make(text, error="m")
    # segno writes only its own elements and escapes the title; the URI becomes the modules.
    markup: str = code.svg_inline(scale=4, title=title, svgclass="qr-code", lineclass=None)
    return Markup(markup)  # noqa: S704  # nosec B704
