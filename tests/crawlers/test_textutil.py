"""html_to_text on hostile input: it never raises, drops what is not shown and keeps the lines a reader sees."""

from __future__ import annotations

import pytest

from crawlers.textutil import html_to_text

HOSTILE = [
    "text<br>more\x0c",  # a control character after a block element (lxml refused it in a tail)
    "<p>a\x00b</p>\x00",
    "a\ud800b<p>c\udfff</p>",  # lone surrogates
    "\x01\x02\x1f<div>\x0b\x7f</div>",
    "<p><b><i>unclosed",
    "</p></div></b>",
    "<<<>>>",
    "<!-- never closed",
    "<![CDATA[x]]>",
    "&#0;&#xD800;&#1114112;&bogus;&amp",
    "<div>" * 100_000 + "deep" + "</div>" * 100_000,
    "<b>" * 50_000 + "bold",
    "<scr<script>ipt>alert(1)</script>",
    "<p>" + "x" * 1_000_000 + "</p>",
    "\ufffe\uffff",
    "<svg><foreignObject><p>in svg</p></foreignObject></svg>",
]


@pytest.mark.parametrize("fragment", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_fragments_never_raise_and_give_clean_text(fragment: str) -> None:
    text = html_to_text(fragment)
    assert isinstance(text, str)
    assert not any(ord(c) < 32 and c != "\n" for c in text)
    assert not any(0xD800 <= ord(c) < 0xE000 for c in text)
    text.encode("utf-8")  # storable


def test_control_characters_and_surrogates_are_dropped_but_the_text_is_kept() -> None:
    assert html_to_text("text<br>more\x0c") == "text\nmore"
    assert html_to_text("<p>a\x00b</p>") == "ab"
    assert html_to_text("<p>a\ud800b</p>c") == "ab\nc"
    assert html_to_text("tab\x0bbed\x0cline") == "tab bed line"


def test_deep_nesting_keeps_its_text() -> None:
    assert html_to_text("<div>" * 100_000 + "deep" + "</div>" * 100_000) == "deep"
    assert html_to_text("<div>" * 3000 + "deep <script>x()</script>tail") == "deep tail"
    assert html_to_text("<b>" * 1500 + "bold") == "bold"


def test_scripts_styles_and_comments_are_not_text() -> None:
    fragment = "<script>alert(1)</script><style>p{}</style><noscript>js off</noscript><!-- c -->shown"
    assert html_to_text(fragment) == "shown"


def test_entities_are_decoded_with_or_without_tags() -> None:
    assert html_to_text("<p>caf&eacute; &amp; t&#xE8;</p>") == "café & tè"
    assert html_to_text("I&#x27;m &lt;3") == "I'm <3"
    assert html_to_text("a&nbsp;&nbsp;b") == "a b"


def test_block_elements_give_line_breaks_and_blank_runs_collapse() -> None:
    assert html_to_text("one<br>two<br/>three") == "one\ntwo\nthree"
    assert html_to_text("<p>first  para</p>\n\n\n<p>second</p>") == "first para\n\nsecond"
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\nb"
    assert html_to_text("<p><b>unclosed bold") == "unclosed bold"


def test_empty_and_blank_input() -> None:
    assert html_to_text(None) == "" and html_to_text("") == "" and html_to_text(" \x00\x0c ") == ""
