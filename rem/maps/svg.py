"""Graphviz's SVG made fit for a page and a download: one readable title and description,
no internal node names, an optional width."""


from __future__ import annotations

import html
import re

from rem.maps.graphviz_process import RenderError
from rem.maps.labels import (
    clean_text,
)

_PROLOG_RE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
# Graphviz's comments, and the <title> with the internal name of every node and link: one
# pass over the text (a 1,000-node drawing is about 2 MB).
_NAMES_RE = re.compile(r"<!--.*?-->|<title>[^<]*</title>\n?", re.DOTALL)
_SVG_OPEN_RE = re.compile(r"<svg\b[^>]*>")


def titled_svg(svg: bytes, title: str, desc: str, *, inline: bool = False) -> str:
    """Give the SVG one readable <title> and <desc>; ``inline`` also drops the prolog.

    Graphviz gives every node and edge a <title> with its internal name
    (``item12``, ``item3->item12``); those are removed so that screen readers
    read the labels and link texts instead.
    """
    return titled_svg_bytes(svg, title, desc, inline=inline).decode("utf-8")


_PROLOG_BYTES_RE = re.compile(_PROLOG_RE.pattern.encode(), re.DOTALL)
_NAMES_BYTES_RE = re.compile(_NAMES_RE.pattern.encode(), re.DOTALL)
_SVG_OPEN_BYTES_RE = re.compile(_SVG_OPEN_RE.pattern.encode())


def titled_svg_bytes(svg: bytes, title: str, desc: str, *, inline: bool = False) -> bytes:
    """:func:`titled_svg` as UTF-8 bytes, for a download: a 1,000-node drawing is about
    2 MB, which is then neither decoded nor encoded again."""
    text = _NAMES_BYTES_RE.sub(b"", svg)
    if inline:
        text = _PROLOG_BYTES_RE.sub(b"", text, count=1)
    match = _SVG_OPEN_BYTES_RE.search(text)
    if match is None:
        raise RenderError("Graphviz returned no SVG.")
    opening = match.group(0)
    extra = b' role="graphics-document" aria-labelledby="map-title" aria-describedby="map-desc"'
    opening = opening[:-1].rstrip(b"/") + extra + b">"
    head = (f'<title id="map-title">{html.escape(clean_text(title))}</title>'
            f'<desc id="map-desc">{html.escape(clean_text(desc))}</desc>').encode()
    return b"".join((text[: match.start()], opening, head, text[match.end():]))


_SIZE_RE = re.compile(r'\s(width|height)="([0-9.]+)pt"')


def with_width(svg: str, width_px: int) -> str:
    """Return ``svg`` drawn ``width_px`` wide, its height in proportion (the viewBox keeps
    the drawing; only the outer size changes)."""
    match = _SVG_OPEN_RE.search(svg)
    if match is None:
        return svg
    opening = match.group(0)
    sizes = dict(_SIZE_RE.findall(opening))
    if "width" not in sizes or "height" not in sizes or float(sizes["width"]) == 0:
        return svg
    height = float(sizes["height"]) * width_px / float(sizes["width"])
    resized = _SIZE_RE.sub(lambda m: f' {m.group(1)}="'
                           + (f"{width_px}px" if m.group(1) == "width" else f"{height:.0f}px")
                           + '"', opening)
    return svg[: match.start()] + resized + svg[match.end():]


_STYLE_RE = re.compile(r'\sstyle="([^"]*)"')
_DECLARATION_RE = re.compile(r"\s*([a-z-]+)\s*:\s*([^;<>&\"']+?)\s*")


def presentation_attributes(svg: str) -> str:
    """Return ``svg`` with every ``style="fill:red;stroke:none;"`` written as attributes
    (``fill="red" stroke="none"``).

    Graphviz's cairo SVG styles every shape with a style attribute. WeasyPrint reads the
    style attribute of an SVG inline in a page (the exchange pack) as page CSS, which
    knows no fill or stroke, and logs a warning for every declaration (still drawing the
    shape right): hundreds of lines per map. Attributes are the same paint, without the
    noise. A style that is not plain declarations is left as it is.
    """
    def attributes(match: re.Match) -> str:
        parts = [part for part in match.group(1).split(";") if part.strip()]
        pairs = [_DECLARATION_RE.fullmatch(part) for part in parts]
        if not pairs or not all(pairs):
            return match.group(0)
        return "".join(f' {pair.group(1)}="{pair.group(2)}"' for pair in pairs)

    return _STYLE_RE.sub(attributes, svg)


_BOX_RE = re.compile(r'(<svg\b[^>]*?\s)width="([0-9.]+)pt"([^>]*?\s)height="([0-9.]+)pt"'
                     r'([^>]*?\s)viewBox="[^"]*"')


def scaled_down(svg: str, scale: int) -> str:
    """Return an SVG Graphviz drew ``scale`` times larger (see
    rem.maps.graphviz_process.print_source) at its size in points: the width, height and
    viewBox of the drawing at 72 dpi, its content scaled to fit, so that a point of the
    viewBox is a point on paper (rem.maps.paper crops tiles by it)."""
    match = _BOX_RE.search(svg)
    if match is None or scale == 1:
        return svg
    width, height = float(match.group(2)) / scale, float(match.group(4)) / scale
    opening = (f'{match.group(1)}width="{width:g}pt"{match.group(3)}height="{height:g}pt"'
               f'{match.group(5)}viewBox="0 0 {width:g} {height:g}"')
    end = svg.index(">", match.end()) + 1
    close = svg.rindex("</svg>")
    return (svg[:match.start()] + opening + svg[match.end():end]
            + f'<g transform="scale({1 / scale:g})">' + svg[end:close] + "</g>" + svg[close:])


_GLYPH_USE_RE = re.compile(r'<use (xlink:href="#[\w-]*glyph[\w-]*")')


def sized_glyph_uses(svg: str) -> str:
    """Return a cairo SVG with a width and height on every ``<use>`` of a glyph.

    A glyph is a ``<symbol overflow="visible">``: the size of its viewport changes
    nothing drawn. Without one WeasyPrint measures the glyph's outline for every use
    (a third of the time it takes to draw a map).
    """
    return _GLYPH_USE_RE.sub(r'<use \1 width="1" height="1"', svg)


_FONT_FAMILY_RE = re.compile(r' font-family="([^"]*)"')
_FONT_SIZE_RE = re.compile(r' font-size="([0-9.]+)"')
_LINK_GROUP_RE = re.compile(r'<g id="a_[^"]*">\n?(?=<a\b)')
_LINK_GROUP_END = "</a>\n</g>"
_BETWEEN_TAGS_RE = re.compile(r">\n+<")


def _most_common(values: list[str]) -> str | None:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def slim_svg(svg: str) -> str:
    """Return Graphviz's SVG smaller, drawing the same, for a page (before
    :func:`titled_svg`, which it leaves less to do: the comments and Graphviz's own
    titles go here already).

    Graphviz writes the font family, the font size and ``text-anchor="middle"`` on every
    line of text (about a quarter of the bytes of a large map) and wraps every link in a
    ``<g id="a_...">`` of its own. Here the most common family and size and the middle
    anchor are written once on the ``<svg>`` element, which every text inherits (a text
    with another family, size or anchor keeps its own attribute, which wins); the ``a_``
    groups go (the ``<a>`` stays, inside its node's or link's ``<g>``, with its href and
    tooltip), and so do the line breaks between tags. Ids, classes, titles, links and
    tooltips (rem.maps.renderer's SVG contract) are left as they are, and the SVG stays a
    document of its own (nothing moves to the page's CSS).

    It takes some 30 ms for a 1,000-node map, so the render cache keeps its result
    (rem.maps.cache.slim_cached). The coordinates keep Graphviz's two decimals: rounding
    them to one saves about 3 % of the bytes for another 70 ms.
    """
    svg = _NAMES_RE.sub("", svg)
    match = _SVG_OPEN_RE.search(svg)
    if match is None:
        return svg
    opening, body = match.group(0), svg[match.end():]
    inherited = []
    family = _most_common(_FONT_FAMILY_RE.findall(body))
    if family is not None and " font-family=" not in opening:
        body = body.replace(f' font-family="{family}"', "")
        inherited.append(f' font-family="{family}"')
    size = _most_common(_FONT_SIZE_RE.findall(body))
    if size is not None and " font-size=" not in opening:
        body = body.replace(f' font-size="{size}"', "")
        inherited.append(f' font-size="{float(size):g}"')
    if ' text-anchor="middle"' in body and " text-anchor=" not in opening:
        body = body.replace(' text-anchor="middle"', "")
        inherited.append(' text-anchor="middle"')
    groups = len(_LINK_GROUP_RE.findall(body))
    if groups and groups == body.count(_LINK_GROUP_END):
        body = _LINK_GROUP_RE.sub("", body).replace(_LINK_GROUP_END, "</a>")
    body = _BETWEEN_TAGS_RE.sub("><", body.lstrip("\n"))
    return (svg[: match.start()] + opening[:-1].rstrip("/") + "".join(inherited) + ">"
            + body)
