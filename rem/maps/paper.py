"""The map on paper: landscape A4 or A3 pages whose text stays readable.

A map that fits one page with its smallest text at 7 pt or more is printed on one page.
A larger one is printed in tiles at the scale that keeps 7 pt, after an overview page
that shows the whole map with the tiles marked; a tile on which nothing of the map is
drawn (white space between the columns of a map, say) is left out. Past MAX_PAGES pages
the answer is that the map is too large for that paper (a filter or the larger paper
helps).

The tiles are the map's SVG for paper (rem.maps.drawing.print_svg: its text shaped and
written as glyph outlines; or the screen SVG when its text needs no shaping) with a
narrower viewBox; WeasyPrint (rem/core/pdf.py) lays the pages out. A print SVG has no
``<text>`` to read font sizes from: the smallest text is measured on the screen SVG of
the same DOT (:func:`smallest_font`).

Each item on a page links to its page in rem, as its node does in the screen SVG: WeasyPrint
draws an SVG image without its links, so the PDF gets a link area over every node that the
page shows (:func:`node_links`, read from the screen SVG).
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import escape

from rem.core import pdf

MM = 72 / 25.4
# Landscape sizes in millimetres.
PAPERS = {"a4": (297, 210), "a3": (420, 297)}
MARGIN_MM = 10
HEADER_MM = 9
MIN_TEXT_PT = 7.0
MAX_PAGES = 24
OVERLAP_PT = 18.0  # tiles share a strip, so nothing is cut in two without a second look

_FONT_RE = re.compile(r'font-size="([0-9.]+)"')
_SIZE_RE = re.compile(r'<svg\b[^>]*?\swidth="([0-9.]+)pt"[^>]*?\sheight="([0-9.]+)pt"')
_VIEWBOX_RE = re.compile(r'viewBox="[^"]*"')
_GRAPH_RE = re.compile(r'<g\b[^>]*\sclass="graph"[^>]*\stransform="scale\(([-0-9.]+) ([-0-9.]+)\)'
                       r' rotate\(0\) translate\(([-0-9.]+) ([-0-9.]+)\)"[^>]*>')
_G_TAG_RE = re.compile(r"<g\b|</g>")
_PAIR_RE = re.compile(r"(-?[0-9.]+),(-?[0-9.]+)")
_POINTS_RE = re.compile(r'\s(?:points|d)="([^"]*)"')
_XY_RE = re.compile(r'\s(?:x|cx)="(-?[0-9.]+)"[^>]*?\s(?:y|cy)="(-?[0-9.]+)"')
_ELLIPSE_RE = re.compile(r'<ellipse\b[^>]*?\scx="(-?[0-9.]+)" cy="(-?[0-9.]+)" '
                         r'rx="([0-9.]+)" ry="([0-9.]+)"')
# Text may reach past the points it is placed at (a label under a node, say): a part of the
# drawing is kept on a tile when it comes this close to it (in the drawing's points).
CULL_MARGIN = 72.0


class TooLarge(ValueError):
    """The map needs more than MAX_PAGES pages on this paper."""


@dataclass
class Plan:
    """How the map goes on paper: its scale and its tiles (columns × rows)."""

    scale: float
    columns: int
    rows: int
    area: tuple[float, float]  # printable width and height of a page, in points
    smallest_font: float

    @property
    def tiled(self) -> bool:
        """Tell whether the map is printed in tiles (after an overview page)."""
        return self.columns * self.rows > 1

    @property
    def pages(self) -> int:
        """Return the number of pages, the overview included."""
        return self.columns * self.rows + (1 if self.tiled else 0)


def smallest_font(svg: str) -> float:
    """Return the smallest font size used in ``svg`` (points), 10 when there is none."""
    sizes = [float(size) for size in _FONT_RE.findall(svg)]
    return min(sizes) if sizes else 10.0


# An item's node in the screen SVG, with the link Graphviz wrote for it (rem.maps.renderer).
_NODE_LINK_RE = re.compile(r'<g id="item&#45;\d+" class="node[^"]*">\s*(?:<title>[^<]*</title>\s*)?'
                           r'<g id="a_item&#45;\d+"><a xlink:href="([^"]+)"(.*?)</a>', re.S)


@dataclass
class NodeLink:
    """Where an item's node is drawn (points, in the SVG's viewBox) and where it links."""

    href: str
    left: float
    top: float
    right: float
    bottom: float


def node_links(svg: str) -> list[NodeLink]:
    """Return the items' nodes of a screen SVG that link somewhere, with their boxes."""
    graph = _GRAPH_RE.search(svg)
    if graph is None:
        return []
    scale_x, scale_y, shift_x, shift_y = (float(v) for v in graph.groups())
    links = []
    for match in _NODE_LINK_RE.finditer(svg, graph.end()):
        box = _box(match.group(2))
        if box is None:
            continue
        left, right = sorted(((box[0] + shift_x) * scale_x, (box[2] + shift_x) * scale_x))
        top, bottom = sorted(((box[1] + shift_y) * scale_y, (box[3] + shift_y) * scale_y))
        links.append(NodeLink(html.unescape(match.group(1)), left, top, right, bottom))
    return links


def scaled_links(links: list[NodeLink], factor: float) -> list[NodeLink]:
    """Return ``links`` for a drawing ``factor`` times as large (the print SVG of a map can
    differ from its screen SVG by a fraction of a point)."""
    return [NodeLink(link.href, link.left * factor, link.top * factor, link.right * factor,
                     link.bottom * factor) for link in links]


def _link_areas(links: list[NodeLink], x: float, y: float, width: float, height: float,
                scale: float) -> str:
    """Return the link areas (HTML, for WeasyPrint) of the nodes that the rectangle
    (x, y, width, height) of the drawing shows, placed over its image ``scale`` times as
    large; a node cut by the rectangle's edge links with the part that is shown."""
    areas = []
    for link in links:
        left, top = max(link.left, x), max(link.top, y)
        right, bottom = min(link.right, x + width), min(link.bottom, y + height)
        if right - left < 1 or bottom - top < 1:
            continue
        areas.append(f'<a href="{escape(link.href)}" style="left:{(left - x) * scale:.2f}pt;'
                     f'top:{(top - y) * scale:.2f}pt;width:{(right - left) * scale:.2f}pt;'
                     f'height:{(bottom - top) * scale:.2f}pt"></a>')
    return "".join(areas)


def plan(width: float, height: float, paper: str, font: float) -> Plan:
    """Decide the scale and tiles for a map of ``width`` × ``height`` points whose smallest
    text is ``font`` points; raise TooLarge past MAX_PAGES."""
    page_w, page_h = PAPERS[paper]
    area = ((page_w - 2 * MARGIN_MM) * MM, (page_h - 2 * MARGIN_MM - HEADER_MM) * MM)
    fit = min(area[0] / width, area[1] / height)
    least = MIN_TEXT_PT / font
    if fit >= least:
        return Plan(min(fit, 2.0), 1, 1, area, font)
    step_w, step_h = area[0] - OVERLAP_PT, area[1] - OVERLAP_PT
    columns = max(1, math.ceil((width * least - OVERLAP_PT) / step_w))
    rows = max(1, math.ceil((height * least - OVERLAP_PT) / step_h))
    if columns * rows + 1 > MAX_PAGES:
        raise TooLarge(paper)
    return Plan(least, columns, rows, area, font)


def _data_uri(svg: str) -> str:
    return pdf.SVG_DATA + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _cropped(svg: str, x: float, y: float, width: float, height: float, scale: float) -> str:
    """Return ``svg`` showing only the rectangle (x, y, width, height) of its viewBox,
    ``scale`` times as large."""
    svg = _VIEWBOX_RE.sub(f'viewBox="{x:.2f} {y:.2f} {width:.2f} {height:.2f}"', svg, count=1)
    return re.sub(r'(<svg\b[^>]*?\s)width="[0-9.]+pt"([^>]*?\s)height="[0-9.]+pt"',
                  lambda m: f'{m.group(1)}width="{width * scale:.2f}pt"{m.group(2)}'
                            f'height="{height * scale:.2f}pt"', svg, count=1)


def _parts(body: str) -> list[tuple[int, int]]:
    """Return where each top-level ``<g>`` of ``body`` starts and ends."""
    parts, depth, start = [], 0, 0
    for tag in _G_TAG_RE.finditer(body):
        if tag.group(0) == "<g":
            if depth == 0:
                start = tag.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                parts.append((start, tag.end()))
    return parts


def _box(part: str) -> tuple[float, float, float, float] | None:
    """Return the smallest box around the coordinates in ``part``: Graphviz writes every
    shape, line and text with absolute coordinates of the drawing."""
    xs: list[float] = []
    ys: list[float] = []
    for values in _POINTS_RE.findall(part):
        for x, y in _PAIR_RE.findall(values):
            xs.append(float(x))
            ys.append(float(y))
    for x, y in _XY_RE.findall(part):
        xs.append(float(x))
        ys.append(float(y))
    # An ellipse reaches its radii past its centre (a wide label's: 150 points and more).
    for cx, cy, rx, ry in _ELLIPSE_RE.findall(part):
        xs += [float(cx) - float(rx), float(cx) + float(rx)]
        ys += [float(cy) - float(ry), float(cy) + float(ry)]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _culled(svg: str, x: float, y: float, width: float, height: float) -> tuple[str, bool]:
    """Return ``svg`` without the nodes, links and boxes that lie wholly outside the
    rectangle (x, y, width, height) of its viewBox, give or take CULL_MARGIN: WeasyPrint
    draws every part of an image, also what a tile's narrower viewBox leaves out, so each
    tile page drew the whole map. Also say whether any part lies inside (else the tile
    shows nothing of the map). Anything that is not a part Graphviz drew (a map drawn by
    cairo for shaped text) is returned as it is, and counts as showing something."""
    graph = _GRAPH_RE.search(svg)
    if graph is None:
        return svg, True
    scale_x, scale_y, shift_x, shift_y = (float(v) for v in graph.groups())
    if not scale_x or not scale_y:
        return svg, True
    # The tile in the drawing's own coordinates (the group scales, then translates).
    left, top = x / scale_x - shift_x - CULL_MARGIN, y / scale_y - shift_y - CULL_MARGIN
    right = left + width / scale_x + 2 * CULL_MARGIN
    bottom = top + height / scale_y + 2 * CULL_MARGIN
    body_start = graph.end()
    body = svg[body_start:]
    kept, last, shown = [], 0, False
    for start, end in _parts(body):
        box = _box(body[start:end])
        outside = box is not None and (box[2] < left or box[0] > right
                                       or box[3] < top or box[1] > bottom)
        if outside:
            kept.append(body[last:start])
            last = end
        elif box is not None:
            shown = True
    kept.append(body[last:])
    return svg[:body_start] + "".join(kept), shown


@dataclass
class Tile:
    """One printed tile: its page number, place in the grid and part of the drawing."""

    page: int
    row: int
    column: int
    x: float
    y: float
    width: float
    height: float
    svg: str


def _tiles(svg: str, width: float, height: float, layout: Plan) -> list[Tile]:
    """Return the tiles that show something of the map, numbered from page 2 on."""
    step_w = (layout.area[0] - OVERLAP_PT) / layout.scale
    step_h = (layout.area[1] - OVERLAP_PT) / layout.scale
    tiles: list[Tile] = []
    for row in range(layout.rows):
        for column in range(layout.columns):
            x, y = column * step_w, row * step_h
            tile_w = min(layout.area[0] / layout.scale, width - x)
            tile_h = min(layout.area[1] / layout.scale, height - y)
            part, shown = _culled(svg, x, y, tile_w, tile_h)
            if shown:
                tiles.append(Tile(2 + len(tiles), row, column, x, y, tile_w, tile_h, part))
    return tiles


def _overview(svg: str, width: float, height: float, layout: Plan, tiles: list[Tile]) -> str:
    """Return ``svg`` with the printed tiles drawn over it, each with its page number."""
    tile_w, tile_h = layout.area[0] / layout.scale, layout.area[1] / layout.scale
    marks = []
    font = max(12.0, min(width, height) / 12)
    for tile in tiles:
        x, y = tile.x, tile.y
        marks.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{tile_w:.1f}" '
                     f'height="{tile_h:.1f}" fill="none" stroke="#a32020" '
                     f'stroke-width="{font / 8:.1f}" stroke-dasharray="{font / 2:.1f}"/>'
                     f'<text x="{x + font / 2:.1f}" y="{y + font * 1.2:.1f}" '
                     f'font-family="Helvetica,Arial,sans-serif" font-size="{font:.1f}" '
                     f'fill="#a32020">{tile.page}</text>')
    end = svg.rfind("</svg>")
    return f'{svg[:end]}<g class="print-tiles">{"".join(marks)}</g>{svg[end:]}'


def size_of(svg: str) -> tuple[float, float]:
    """Return the width and height (points) Graphviz gave the SVG."""
    match = _SIZE_RE.search(svg)
    if match is None:
        raise ValueError("the SVG has no size in points")
    return float(match.group(1)), float(match.group(2))


def pdf_pages(svg: str, title: str, paper: str, *, smallest: float,
              links: list[NodeLink] | None = None) -> tuple[bytes, Plan]:
    """Return the PDF of the map (from its SVG for paper) on ``paper``, with its plan;
    ``smallest`` is the drawing's smallest font size in points (:func:`smallest_font` of
    its screen SVG); ``links``: the items' links (:func:`node_links` of the screen SVG),
    laid over their nodes on every page that shows them.

    Raises TooLarge when the map needs more than MAX_PAGES pages.
    """
    width, height = size_of(svg)
    layout = plan(width, height, paper, smallest)
    page_w, page_h = PAPERS[paper]
    head = escape(title)
    links = links or []
    # (heading, the page's SVG, its link areas)
    pages = []
    if not layout.tiled:
        pages.append((head, _cropped(svg, 0, 0, width, height, layout.scale),
                      _link_areas(links, 0, 0, width, height, layout.scale)))
    else:
        tiles = _tiles(svg, width, height, layout)
        overview_scale = min(layout.area[0] / width, layout.area[1] / height)
        pages.append((escape(_("%(title)s: overzicht, %(n)d bladen", title=title,
                                n=len(tiles))),
                      _cropped(_overview(svg, width, height, layout, tiles), 0, 0, width,
                               height, overview_scale),
                      _link_areas(links, 0, 0, width, height, overview_scale)))
        for tile in tiles:
            pages.append((escape(_("%(title)s: blad %(n)d (rij %(row)d, kolom %(column)d)",
                                   title=title, n=tile.page, row=tile.row + 1,
                                   column=tile.column + 1)),
                          _cropped(tile.svg, tile.x, tile.y, tile.width, tile.height,
                                   layout.scale),
                          _link_areas(links, tile.x, tile.y, tile.width, tile.height,
                                      layout.scale)))
    style = (f"@page {{ size: {page_w}mm {page_h}mm; margin: {MARGIN_MM}mm; }}"
             "body { margin: 0; font-family: Helvetica, Arial, sans-serif; }"
             f"h1 {{ font-size: 10pt; font-weight: normal; margin: 0; height: {HEADER_MM}mm; }}"
             "section { page-break-after: always; } section:last-child { page-break-after: auto; }"
             "img { display: block; } .drawing { position: relative; }"
             ".drawing a { position: absolute; display: block; }")
    body = "".join(f'<section><h1>{heading}</h1><div class="drawing">'
                   f'<img src="{_data_uri(page)}" alt="">{areas}</div></section>'
                   for heading, page, areas in pages)
    document = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
                f"<title>{head}</title><style>{style}</style></head><body>{body}</body></html>")
    return pdf.render(document, "", [], svg_data=True), layout
