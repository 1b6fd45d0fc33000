"""Small SVG charts written on the server: bars, and stacked bars over time.

No JavaScript and no inline styles (the CSP forbids them). The colours are the app's one
palette (rem/maps/styles.py CHART_COLOURS: valence as on the map, activities and effects in
colours no valence uses), written as SVG presentation attributes. Every chart has a <title>
and <desc>, a legend of its colours, every bar a <title> with its number and a link to the
items behind it; value labels have room above the highest column. The page shows a table
with the same numbers beside each chart.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from rem.maps.styles import CHART_COLOURS

BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 215  # at most: a label of 28 characters
MIN_LABEL_WIDTH = 70
BAR_WIDTH = 260
NUMBER_WIDTH = 50
COLUMN_WIDTH = 34
COLUMN_GAP = 10
CHART_HEIGHT = 160
LEGEND_HEIGHT = 24  # one row of swatches above the bars
VALUE_ROOM = 18  # above the highest column, for its number
SWATCH = 12


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def colour(key: str) -> str:
    """The palette colour of a series key (activity, effect, a valence, unknown)."""
    return CHART_COLOURS.get(key, CHART_COLOURS["effect"])


def _legend(entries: list[tuple[str, str]], width: int) -> str:
    """One row of (swatch, label) for the series keys in ``entries``, wrapping is not
    needed: at most four short labels."""
    out = ['<g class="chart-legend-row" aria-hidden="true">']
    x = 0
    step = max(width // max(len(entries), 1), 90)
    for key, label in entries:
        out.append(f'<rect class="chart-swatch" x="{x}" y="4" width="{SWATCH}" '
                   f'height="{SWATCH}" fill="{colour(key)}"/>'
                   f'<text class="legend-label" x="{x + SWATCH + 5}" y="14">'
                   f"{escape(_short(label, 22))}</text>")
        x += step
    out.append("</g>")
    return "".join(out)


def _open(kind: str, width: int, height: int, chart_id: str, title: str, desc: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="group" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>')


def bar_chart(title: str, bars: list[tuple[str, int, str | None, str]], chart_id: str,
              legend: list[tuple[str, str]]) -> Markup:
    """Return a horizontal bar chart: one bar per (label, value, url, series key), with a
    legend of (series key, label) above it."""
    top = max((value for _label, value, _url, _key in bars), default=0) or 1
    # The label column as wide as the longest label needs (about 7 px a character at
    # 12 px), so that a chart of short labels is not shrunk on a phone for empty space.
    longest = max((len(_short(label)) for label, _value, _url, _key in bars), default=0)
    label_width = min(LABEL_WIDTH, max(MIN_LABEL_WIDTH, round(7.2 * longest) + 12))
    width = label_width + BAR_WIDTH + NUMBER_WIDTH
    height = LEGEND_HEIGHT + max(len(bars), 1) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    parts = [_open("bars", width, height, chart_id, title,
                   "; ".join(f"{label}: {value}" for label, value, _url, _key in bars)),
             _legend(legend, width)]
    for index, (label, value, url, key) in enumerate(bars):
        y = LEGEND_HEIGHT + BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        length = round(BAR_WIDTH * value / top) if value else 0
        bar = (f'<g class="bar"><title>{escape(label)}: {value}</title>'
               f'<text class="bar-label" x="{label_width - 6}" y="{y + 15}" '
               f'text-anchor="end">{escape(_short(label))}</text>'
               f'<rect class="bar-fill" x="{label_width}" y="{y}" fill="{colour(key)}" '
               f'width="{max(length, 1 if value else 0)}" height="{BAR_HEIGHT}"/>'
               f'<text class="bar-value" x="{label_width + length + 4}" y="{y + 15}">'
               f"{value}</text></g>")
        if url and value:
            bar = f'<a href="{escape(url)}">{bar}</a>'
        parts.append(bar)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def stacked_chart(title: str, periods: list[tuple[str, str]], parts: list[tuple[str, str]],
                  value: Callable[[str, str], int], url: Callable[[str, str], str | None],
                  chart_id: str) -> Markup:
    """Return vertical stacked bars: one column per period, one band per part (a series
    key of the palette: activity/effect, or a valence), with a legend of the parts."""
    totals = [sum(value(p, part) for part, _l in parts) for p, _label in periods]
    top = max(totals, default=0) or 1
    width = max(max(len(periods), 1) * (COLUMN_WIDTH + COLUMN_GAP) + COLUMN_GAP + 40,
                len(parts) * 90)
    base = LEGEND_HEIGHT + VALUE_ROOM + CHART_HEIGHT  # the bottom of the columns
    height = base + 30
    out = [_open("stacked", width, height, chart_id, title,
                 "; ".join(f"{label}: {total}" for (_p, label), total
                           in zip(periods, totals, strict=True))),
           _legend(parts, width)]
    for index, ((period, label), total) in enumerate(zip(periods, totals, strict=True)):
        x = COLUMN_GAP + index * (COLUMN_WIDTH + COLUMN_GAP)
        y = base
        for part, part_label in parts:
            count = value(period, part)
            if not count:
                continue
            size = max(round(CHART_HEIGHT * count / top), 1)
            y -= size
            rect = (f'<g class="band"><title>{escape(label)}, {escape(part_label)}: {count}'
                    f'</title><rect class="band-fill band-{escape(part)}" x="{x}" y="{y}" '
                    f'fill="{colour(part)}" width="{COLUMN_WIDTH}" height="{size}"/></g>')
            link = url(period, part)
            out.append(f'<a href="{escape(link)}">{rect}</a>' if link else rect)
        out.append(f'<text class="column-value" x="{x + COLUMN_WIDTH / 2}" y="{y - 4}" '
                   f'text-anchor="middle">{total}</text>')
        out.append(f'<text class="column-label" x="{x + COLUMN_WIDTH / 2}" '
                   f'y="{base + 16}" text-anchor="middle">{escape(_short(label, 9))}'
                   "</text>")
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped
