"""User Markdown is rendered and sanitized in one place."""

import html as html_lib

import nh3
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rem.core.markdown import plain_text, render_markdown

pytestmark = pytest.mark.one_database  # the same on every database

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=\"https://example.org\"></iframe>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "<p onclick=alert(1)>x</p>",
    "<form action=https://evil.example><input></form>",
    "<object data=x></object><embed src=x>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_survives(payload):
    html = str(render_markdown(payload)).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<svg",
                "<math", "style=", "data:text", "<form", "<object", "<embed"):
        assert bad not in html, (payload, html)


def test_ordinary_markdown_still_renders():
    html = str(render_markdown("**vet** en *schuin*\n\n- een\n- twee\n\n[link](https://example.org)"))
    assert "<strong>vet</strong>" in html and "<em>schuin</em>" in html
    assert "<li>een</li>" in html
    assert 'href="https://example.org"' in html and "noopener" in html


def test_plain_text_strips_markup_and_truncates():
    assert plain_text("**Vet** <b>html</b> & meer") == "Vet html & meer"
    assert plain_text("a" * 50, limit=10) == "a" * 9 + "…"
    assert plain_text(None) == ""


_MARKDOWN_ALPHABET = list("aZé 12.\n\r\t*_`[]()<>&\\#>+=-!|:'\"~\x02\x03\xa0\u2028\u3000")


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(st.sampled_from(_MARKDOWN_ALPHABET), max_size=40),
                 st.text(max_size=60),
                 st.lists(st.sampled_from(["- a", "1. b", "# c", "> d", "===", "---", "  e",
                                           "    f", "x  ", "", "10.5 km", "g-h", "*i*"]),
                          max_size=5).map("\n".join)),
       st.sampled_from([None, 5, 200]))
@example("Titel\r===", None)  # a heading underlined after a carriage return
@example("Eerst\r\n\r\n- een lijst", None)
def test_plain_text_of_plain_sentences_is_what_markdown_gives(text, limit):
    """Text without markup skips the Markdown conversion: its plain text must be exactly
    what converting it gives (the texts drawn are meant to reach both paths)."""
    from rem.core import markdown as markdown_module

    converted = markdown_module._convert(text, "plain")
    expected = " ".join(html_lib.unescape(nh3.clean(converted, tags=set()).strip()).split())
    if limit is not None and len(expected) > limit:
        expected = expected[: limit - 1].rstrip() + "…"
    assert markdown_module._plain_text(text, limit) == expected
