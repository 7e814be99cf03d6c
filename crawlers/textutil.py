"""Small text helpers shared by spiders: HTML fragments to plain text (dates: core.dates)."""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import ParserError, XMLSyntaxError

_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCKS = ("p", "div", "br", "li", "blockquote", "h1", "h2", "h3", "h4", "tr")


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment (scripts and styles dropped, block elements on their own lines)."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, XMLSyntaxError, ValueError):
        return _tidy(re.sub(r"<[^>]*>", " ", fragment))
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
