"""The one place where user Markdown becomes HTML: rendered, then sanitized."""

from __future__ import annotations

import functools
import html as html_lib
import re
import threading

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# Building a Markdown converter costs far more than converting a short text (a map of
# 1,000 items makes 1,000 tooltips), so each thread keeps one of each kind and resets it.
_converters = threading.local()


def _convert(text: str, kind: str) -> str:
    """Return ``text`` as HTML with this thread's converter for ``kind`` ("full", "plain")."""
    converter = getattr(_converters, kind, None)
    if converter is None:
        converter = (md.Markdown(extensions=["extra", "sane_lists"], output_format="html")
                     if kind == "full" else md.Markdown(output_format="html"))
        setattr(_converters, kind, converter)
    return converter.reset().convert(text)


def render_markdown(text: str | None) -> Markup:
    """Render ``text`` as Markdown and strip everything that could run or load content."""
    if not text:
        return Markup("")
    html = _convert(text, "full")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


# Maps convert every visible description on every request; the same texts come back
# again and again, so short ones are remembered (at most ~4,096 x 2,000 characters).
PLAIN_CACHE_MAX_CHARS = 2000


@functools.lru_cache(maxsize=4096)
def _plain_text_cached(text: str, limit: int | None) -> str:
    return _plain_text(text, limit)


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Return ``text`` without Markdown markup, for tooltips and exports."""
    if not text:
        return ""
    if len(text) <= PLAIN_CACHE_MAX_CHARS:
        return _plain_text_cached(text, limit)
    return _plain_text(text, limit)


# Text in which Markdown finds nothing to do: no character that marks up inline text or
# starts an HTML tag or entity, no line that opens a heading, quote, list or rule or
# underlines a heading, and no control character (Markdown keeps \x02 and \x03 for
# itself). Most descriptions are such plain sentences; their plain text is their words
# (property-tested equal to converting them).
_MARKUP_RE = re.compile(r"[*_`\[\]<>&\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
                        r"|(?:^|\r)[ \t]*(?:[#>+=*-]|\d+\.)", re.MULTILINE)


def _plain_text(text: str, limit: int | None) -> str:
    if _MARKUP_RE.search(text) is None:
        plain = " ".join(text.split())
    else:
        html = _convert(text, "plain")
        plain = nh3.clean(html, tags=set()).strip()
        plain = " ".join(html_lib.unescape(plain).split())
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return plain
