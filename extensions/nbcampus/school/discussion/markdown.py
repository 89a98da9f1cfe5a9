"""Markdown as members write it, rendered to HTML that is inert wherever it is shown.

Two locks: markdown-it renders with raw HTML off (a ``<script>`` is text) and refuses unsafe
link targets; nh3 (the ammonia sanitiser) then keeps only the tags, attributes and URL schemes
below, so a bug in either one alone does not make a post live.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

MAX_BODY_CHARS = 20_000

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
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
    "img",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},  # language-python: the fence's language, for highlighting
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render(markdown: str) -> str:
    """Safe HTML for ``markdown``: code blocks kept, no raw HTML, no script, no javascript: or
    data: links, every link ``rel="nofollow noopener noreferrer"``."""
    return nh3.clean(
        _renderer.render(markdown),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        filter_style_properties={"text-align"},
    )
