"""User Markdown is rendered and sanitised: nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from eventhub.markup import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    "[x](JaVaScRiPt:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class _Elements(HTMLParser):
    """Collect the real elements and attributes a browser would build from the output."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_are_neutralised(payload: str) -> None:
    parser = _Elements()
    parser.feed(str(render_markdown(payload)))
    assert not {"script", "iframe", "svg", "img", "div"} & set(parser.tags)
    for name, value in parser.attributes:
        assert not name.startswith("on"), name
        assert name != "style"
        if name in {"href", "src"}:
            assert value.lower().startswith(("http://", "https://", "mailto:")), value


def test_markdown_still_formats() -> None:
    html = str(render_markdown("**Bold** and [a link](https://example.org)\n\n- one\n- two"))
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html


def test_empty_is_empty() -> None:
    assert str(render_markdown("")) == ""
    assert str(render_markdown(None)) == ""
