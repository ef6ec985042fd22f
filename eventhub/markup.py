"""Markdown to safe HTML: markdown-it renders, nh3 removes anything executable."""

from __future__ import annotations

import re
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown; raw HTML in the source is escaped, then the result sanitised."""
    if not text:
        return Markup("")
    # nh3 has removed every script, handler and javascript: link from this HTML.
    return Markup(sanitise_html(_md.render(text)))  # noqa: S704  # nosec B704


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre|tr|table)>|<br\s*/?>|<hr\s*/?>", re.I)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def markdown_to_text(text: str | None) -> str:
    """Markdown as plain text (calendar DESCRIPTION, calendar links): no markup, links kept."""
    if not text:
        return ""
    html = _md.render(text)
    html = _LINK.sub(lambda m: m[2] if m[2] == m[1] else f"{m[2]} ({m[1]})", html)
    html = _BLOCK_END.sub("\n", html.replace("<li>", "- "))
    plain = unescape(nh3.clean(html, tags=set()))
    plain = re.sub(r"\n[ \t]*\n(?=- )", "\n", plain)
    return re.sub(r"\n{3,}", "\n\n", plain).strip()
