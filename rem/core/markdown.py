"""The one place where user Markdown becomes HTML: rendered, then sanitized."""

from __future__ import annotations

import html as html_lib

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str | None) -> Markup:
    """Render ``text`` as Markdown and strip everything that could run or load content."""
    if not text:
        return Markup("")
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


def plain_text(text: str | None, limit: int | None = None) -> str:
    """Return ``text`` without Markdown markup, for tooltips and exports."""
    if not text:
        return ""
    html = md.markdown(text, output_format="html")
    plain = nh3.clean(html, tags=set()).strip()
    plain = " ".join(html_lib.unescape(plain).split())
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return plain
