"""Small text helpers shared by spiders: HTML fragments to plain text (dates: core.dates)."""

from __future__ import annotations

import lxml.html
from lxml.etree import ParserError, XMLSyntaxError
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities

_BLOCKS = ("p", "div", "br", "li", "blockquote", "h1", "h2", "h3", "h4", "tr")
_INVISIBLE = ("script", "style", "noscript")
# Characters XML 1.0 forbids: lxml refuses them in any text it is given (a ValueError), and a lone surrogate
# makes libxml2 stop reading. Vertical tab and form feed were spaces to the text; the rest is noise.
_XML_INVALID: dict[int, str | None] = {
    **{c: None for c in (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF)},
    0x0B: " ", 0x0C: " ", 0xA0: " ",
}


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment (scripts and styles dropped, block elements on their own lines).

    Never raises: crawled HTML is untrusted, and whatever lxml cannot build a tree of (nesting deeper than its
    limit) is reduced to its text by w3lib instead."""
    if not fragment:
        return ""
    fragment = fragment.translate(_XML_INVALID)
    if not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy(replace_entities(fragment))
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True)  # one per call: parsers are not shared
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except (ParserError, XMLSyntaxError, ValueError):
        return _flat_text(fragment)
    if any(error.level_name == "FATAL" for error in parser.error_log):  # libxml2 stopped early: text would be lost
        return _flat_text(fragment)
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    return _tidy(root.text_content())


def _flat_text(fragment: str) -> str:
    """The text of markup lxml could not parse: tags removed (invisible ones with their content), entities decoded."""
    visible = remove_tags_with_content(fragment, which_ones=_INVISIBLE)
    return _tidy(replace_entities(remove_tags(visible)))


def _tidy(text: str) -> str:
    """Runs of spaces to one, lines trimmed, at most one blank line in a row."""
    lines: list[str] = []
    for line in text.translate(_XML_INVALID).split("\n"):
        words = " ".join(line.split())
        if words or (lines and lines[-1]):
            lines.append(words)
    return "\n".join(lines).strip()

