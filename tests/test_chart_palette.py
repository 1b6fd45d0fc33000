"""Issue 19, item 3: one palette for the whole app. The analysis charts use the map's
valence colours, activities and effects in colours no valence uses, a legend on every chart,
value labels inside the picture; every colour has 3:1 contrast on white (WCAG 1.4.11 for
graphical objects) and the palette stays apart under simulated deuteranopia and protanopia
(Machado, Oliveira & Fernandes 2009, severity 1, applied in linear RGB; distances in CIELAB)."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

from rem.maps.styles import ACTIVITY_FILL, CHART_BACKGROUND, CHART_COLOURS, VALENCE_STYLE
from tests.conftest import login
from tests.test_analysis import _map_cache, world  # noqa: F401

MACHADO = {
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
}
# CIELAB distance (ΔE*ab) two filled areas need to be told apart with ease; 2.3 is "just
# noticeable", 10 is "clearly different at a glance".
APART = 10.0
CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "app.css"


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _luminance(rgb: list[float]) -> float:
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(_linear(first)), _luminance(_linear(second))),
                         reverse=True)
    return (light + 0.05) / (dark + 0.05)


def simulate(hex_colour: str, vision: str) -> list[float]:
    matrix, rgb = MACHADO[vision], _linear(hex_colour)
    return [min(1.0, max(0.0, sum(matrix[i][j] * rgb[j] for j in range(3)))) for i in range(3)]


def lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_simulation_is_honest():
    # Red and green that people with deuteranopia confuse come out close; black and
    # white stay apart; the matrices keep white white.
    red, green = "#c0392b", "#6b8e23"
    normal = math.dist(lab(simulate(red, "normal vision")), lab(simulate(green, "normal vision")))
    deut = math.dist(lab(simulate(red, "deuteranopia")), lab(simulate(green, "deuteranopia")))
    assert deut < normal / 2
    assert math.dist(lab(simulate("#000000", "protanopia")),
                     lab(simulate("#ffffff", "protanopia"))) > 90
    assert all(abs(c - 1) < 0.01 for c in simulate("#ffffff", "deuteranopia"))


def test_every_chart_colour_has_3_to_1_contrast_on_the_background():
    for key, colour in CHART_COLOURS.items():
        ratio = contrast(colour, CHART_BACKGROUND)
        print(f"{key:9} {colour} contrast {ratio:.2f}:1")
        assert ratio >= 3.0, (key, colour, ratio)


def test_the_palette_stays_apart_for_colour_blind_readers():
    for vision in MACHADO:
        pairs = [(math.dist(lab(simulate(CHART_COLOURS[a], vision)),
                            lab(simulate(CHART_COLOURS[b], vision))), a, b)
                 for a, b in itertools.combinations(CHART_COLOURS, 2)]
        closest = min(pairs)
        print(f"{vision}: closest pair {closest[1]}/{closest[2]} ΔE {closest[0]:.1f}")
        assert closest[0] >= APART, (vision, closest)


def test_valence_is_the_maps_colour_everywhere():
    css = CSS.read_text(encoding="utf-8")
    for valence in ("positive", "negative", "mixed"):
        border = VALENCE_STYLE[valence][1]
        assert CHART_COLOURS[valence] == border
        assert re.search(rf"--rem-{valence}:\s*{border};", css), valence
    assert CHART_COLOURS["unknown"] == VALENCE_STYLE[None][1]
    assert CHART_COLOURS["activity"] == ACTIVITY_FILL
    valences = {CHART_COLOURS[v] for v in ("positive", "negative", "mixed", "unknown")}
    assert CHART_COLOURS["effect"] not in valences
    assert CHART_COLOURS["activity"] not in valences


def _charts(page: str) -> dict[str, str]:
    """Every chart of the page by its id."""
    pattern = r'<svg[^>]*aria-labelledby="(chart-[a-z0-9-]+)-title[^>]*>.*?</svg>'
    return {m.group(1): m.group(0) for m in re.finditer(pattern, page, re.S)}


def test_the_charts_use_the_palette_with_a_legend_and_room_for_numbers(app, world):  # noqa: F811
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/collaborations/dorp/analysis?period=quarter").get_data(as_text=True)
    charts = _charts(page)
    assert {"chart-kind", "chart-valence", "chart-time", "chart-valence-time"} <= set(charts)
    for chart_id, svg in charts.items():
        assert 'class="chart-legend-row"' in svg, chart_id
        assert "style=" not in svg
        # No value label above the top of the picture (it used to be clipped there).
        for y in re.findall(r'class="(?:column|bar)-value"[^>]*\by="(-?[\d.]+)"', svg):
            assert float(y) >= 14, (chart_id, y)
    valence_fills = set(re.findall(r'class="bar-fill"[^>]*fill="(#[0-9a-f]{6})"',
                                   charts["chart-valence"]))
    assert valence_fills == {CHART_COLOURS[v] for v in ("positive", "negative", "mixed",
                                                        "unknown")}
    time_fills = set(re.findall(r'fill="(#[0-9a-f]{6})"', charts["chart-time"]))
    assert time_fills == {CHART_COLOURS["activity"], CHART_COLOURS["effect"]}
    band_fills = set(re.findall(r'class="band-fill band-negative"[^>]*fill="(#[0-9a-f]{6})"',
                                charts["chart-valence-time"]))
    assert band_fills == {VALENCE_STYLE["negative"][1]}
    legend = charts["chart-time"].split('class="chart-legend-row"', 1)[1].split("</g>", 1)[0]
    assert "Activiteiten" in legend and "Effecten" in legend
