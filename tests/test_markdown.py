"""User Markdown is rendered and sanitized in one place."""

import pytest

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
