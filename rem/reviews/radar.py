"""The participatiespin: a radar chart of participatiescan scores, as a clean SVG.

Drawn here rather than with a charting library: the page's CSP forbids inline
``<style>`` and scripts, which such libraries embed. Only presentation attributes
are used, the SVG carries ``<title>`` and ``<desc>`` (and the page puts a table of
the same scores beside it), and WeasyPrint draws it in the PDF.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 660, 500
CENTRE_X, CENTRE_Y = WIDTH / 2, 232
RADIUS = 165
MAX_SCORE = 5


@dataclass
class Series:
    """One line on the radar: a name, a value per axis (None: not scored) and a look."""

    name: str
    values: list[float | None]
    stroke: str
    fill: str = "none"
    dash: str = ""
    marker: bool = True


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * max(0.0, min(value, MAX_SCORE)) / MAX_SCORE
    return CENTRE_X + r * math.cos(angle), CENTRE_Y + r * math.sin(angle)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _wrap(label: str, width: int = 18) -> list[str]:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines or [""]


def radar_svg(axes: list[str], series: list[Series], title: str, description: str,
              id_prefix: str = "radar") -> Markup:
    """Return the radar chart as an SVG element (escaped labels, no styles, no scripts)."""
    count = len(axes)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" class="radar" '
             f'aria-labelledby="{id_prefix}-title {id_prefix}-desc">',
             f'<title id="{id_prefix}-title">{escape(title)}</title>',
             f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
             '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>']
    if count < 3:
        parts.append('</svg>')
        return Markup("".join(parts))  # noqa: S704 - built from escaped text only
    # The grid: one ring per score, one spoke per axis.
    for ring in range(1, MAX_SCORE + 1):
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in
                          (_point(i, count, ring) for i in range(count)))
        parts.append(f'<polygon points="{points}" fill="none" stroke="#c8c8c8" '
                     f'stroke-width="1"/>')
        x, y = _point(0, count, ring)
        parts.append(f'<text x="{_fmt(x + 4)}" y="{_fmt(y + 4)}" font-size="11" '
                     f'fill="#555555" font-family="sans-serif">{ring}</text>')
    for i, label in enumerate(axes):
        x, y = _point(i, count, MAX_SCORE)
        parts.append(f'<line x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{_fmt(x)}" y2="{_fmt(y)}" '
                     f'stroke="#c8c8c8" stroke-width="1"/>')
        lx, ly = _point(i, count, MAX_SCORE * 1.13)
        anchor = "middle" if abs(lx - CENTRE_X) < 20 else ("start" if lx > CENTRE_X else "end")
        lines = _wrap(label)
        top = ly - (len(lines) - 1) * 7 if abs(ly - CENTRE_Y) < RADIUS * 0.8 else (
            ly - (len(lines) - 1) * 14 if ly < CENTRE_Y else ly + 4)
        parts.append(f'<text x="{_fmt(lx)}" y="{_fmt(top)}" font-size="15" fill="#111111" '
                     f'font-family="sans-serif" text-anchor="{anchor}">')
        for n, line in enumerate(lines):
            dy = "0" if n == 0 else "14"
            parts.append(f'<tspan x="{_fmt(lx)}" dy="{dy}">{escape(line)}</tspan>')
        parts.append('</text>')
    for s in series:
        present = [(i, v) for i, v in enumerate(s.values) if v is not None]
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        parts.append(f'<g><title>{escape(s.name)}</title>')
        if len(present) == count:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in
                              (_point(i, count, v) for i, v in present))
            opacity = ' fill-opacity="0.25"' if s.fill != "none" else ""
            parts.append(f'<polygon points="{points}" fill="{s.fill}"{opacity} '
                         f'stroke="{s.stroke}" stroke-width="2.5"{dash}/>')
        if s.marker or len(present) != count:
            for i, v in present:
                x, y = _point(i, count, v)
                parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{s.stroke}"/>')
        parts.append('</g>')
    # The legend, bottom left.
    y = HEIGHT - 14 - 18 * (len(series) - 1)
    for s in series:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        parts.append(f'<line x1="12" y1="{y - 4}" x2="40" y2="{y - 4}" stroke="{s.stroke}" '
                     f'stroke-width="3"{dash}/>')
        parts.append(f'<text x="46" y="{y}" font-size="14" fill="#111111" '
                     f'font-family="sans-serif">{escape(s.name)}</text>')
        y += 18
    parts.append('</svg>')
    return Markup("".join(parts))  # noqa: S704 - built from escaped text and numbers only


def data_uri(svg: str) -> str:
    """Return ``svg`` as a data: URI (for the PDF, which scales it as an image)."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode()
