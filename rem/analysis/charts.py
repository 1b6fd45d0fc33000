"""Small SVG charts written on the server: bars, and stacked bars over time.

No JavaScript and no inline styles (the CSP forbids them): shapes carry classes that
static/css/analysis.css colours. Every chart has a <title> and <desc>, every bar a
<title> with its number, and a link to the items behind it. The page shows a table
with the same numbers beside each chart.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 190
BAR_WIDTH = 260
NUMBER_WIDTH = 50
COLUMN_WIDTH = 34
COLUMN_GAP = 10
CHART_HEIGHT = 160


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(title: str, bars: list[tuple[str, int, str | None]], chart_id: str) -> Markup:
    """Return a horizontal bar chart: one bar per (label, value, url)."""
    top = max((value for _label, value, _url in bars), default=0) or 1
    height = max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">'
             + escape("; ".join(f"{label}: {value}" for label, value, _url in bars))
             + "</desc>"]
    for index, (label, value, url) in enumerate(bars):
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        length = round(BAR_WIDTH * value / top) if value else 0
        bar = (f'<g class="bar"><title>{escape(label)}: {value}</title>'
               f'<text class="bar-label" x="{LABEL_WIDTH - 6}" y="{y + 15}" '
               f'text-anchor="end">{escape(_short(label))}</text>'
               f'<rect class="bar-fill bar-{index % 8}" x="{LABEL_WIDTH}" y="{y}" '
               f'width="{max(length, 1 if value else 0)}" height="{BAR_HEIGHT}"/>'
               f'<text class="bar-value" x="{LABEL_WIDTH + length + 4}" y="{y + 15}">'
               f"{value}</text></g>")
        if url and value:
            bar = f'<a href="{escape(url)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def stacked_chart(title: str, periods: list[tuple[str, str]], parts: list[tuple[str, str]],
                  value: Callable[[str, str], int], url: Callable[[str, str], str | None],
                  chart_id: str) -> Markup:
    """Return vertical stacked bars: one column per period, one band per part."""
    totals = [sum(value(p, part) for part, _l in parts) for p, _label in periods]
    top = max(totals, default=0) or 1
    width = max(len(periods), 1) * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_GAP + 40
    height = CHART_HEIGHT + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-stacked" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
           f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
           f'<title id="{chart_id}-title">{escape(title)}</title>',
           f'<desc id="{chart_id}-desc">'
           + escape("; ".join(f"{label}: {total}" for (_p, label), total
                              in zip(periods, totals, strict=True)))
           + "</desc>"]
    for index, ((period, label), total) in enumerate(zip(periods, totals, strict=True)):
        x = COLUMN_GAP + index * (COLUMN_WIDTH + COLUMN_GAP)
        y = CHART_HEIGHT + 10
        for band, (part, part_label) in enumerate(parts):
            count = value(period, part)
            if not count:
                continue
            size = max(round(CHART_HEIGHT * count / top), 1)
            y -= size
            rect = (f'<g class="band"><title>{escape(label)}, {escape(part_label)}: {count}'
                    f'</title><rect class="band-fill band-{band}" x="{x}" y="{y}" '
                    f'width="{COLUMN_WIDTH}" height="{size}"/></g>')
            link = url(period, part)
            out.append(f'<a href="{escape(link)}">{rect}</a>' if link else rect)
        out.append(f'<text class="column-value" x="{x + COLUMN_WIDTH / 2}" y="{y - 3}" '
                   f'text-anchor="middle">{total}</text>')
        out.append(f'<text class="column-label" x="{x + COLUMN_WIDTH / 2}" '
                   f'y="{CHART_HEIGHT + 26}" text-anchor="middle">{escape(_short(label, 9))}'
                   "</text>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped
