"""How readable the projector's map is at 1920 x 1080: the label height and fill of a
realistic generated map, on the wall (the projector's layout) and on the page's timeline.

    .venv/bin/python -m benchmarks.projector_fit [ITEMS ...]

For each map: the SVG's size (points), the scale that fits it into the projector's map box
(1563 x 871 px at 1920 x 1080 during a session, measured in Chromium by
tests/browser/test_projector_map.py),
the smallest item label's height in px at that scale (the issue asks 18 px or more for up to
60 items), how much of the box's width and height the drawing takes, and dot's time.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time

from rem.maps import renderer
from rem.maps.builder import for_projector
from rem.maps.model import MapEdge, MapNode, RippleMap

# The projector's map box at 1920 x 1080 in Chromium (tests/browser/test_projector_map.py).
FRAME = (1563, 871)
MIN_LABEL_PX = 18.0
WORDS = ["buurthuis", "vrijwilligers", "ouderen", "jongeren", "netwerk", "moestuin", "wijkteam",
         "repaircafé", "taalmaatje", "boodschappen", "koffieochtend", "fietsles", "gemeente",
         "school", "bewoners", "contact", "meer", "minder", "samenwerking", "eenzaamheid",
         "zelfvertrouwen", "huiswerkklas", "sportclub", "nieuwe", "vriendschappen", "elkaar",
         "kennen", "helpen", "eigen", "initiatief", "subsidie"]


def _title(rng: random.Random) -> str:
    target = rng.randint(30, 70)
    words: list[str] = []
    while len(" ".join(words)) < target:
        words.append(rng.choice(WORDS))
    text = " ".join(words)[:target].rstrip()
    return text[0].upper() + text[1:]


def realistic_map(items: int, seed: int = 1, activities: int = 8) -> RippleMap:
    """A map as an evaluation has it: a few activities, effects with one to three causes,
    titles of 30-70 characters, dated over two years (quarters), in the builder's order."""
    rng = random.Random(seed)
    days = sorted((rng.randint(0, 200) if n < activities else rng.randint(0, 640), n)
                  for n in range(items))
    nodes: list[MapNode] = []
    edges: list[MapEdge] = []
    for day, n in days:
        month = day // 30
        kind = "activity" if n < activities else "effect"
        nodes.append(MapNode(
            id=n + 1, kind=kind, title=_title(rng), date_label="",
            period=f"{month % 12 // 3 + 1}e kwartaal {2024 + month // 12}",
            order=None if kind == "activity" else 1,
            intended=rng.choice([True, False, None]),
            valence=rng.choice(["positive", "negative", "mixed", None]), codes=[],
            url=f"/collaborations/x/items/{n + 1}", tooltip="t"))
        if kind == "effect" and len(nodes) > 1:
            earlier = [node.id for node in nodes[:-1]]
            for cause in rng.sample(earlier, min(len(earlier), rng.choice([1, 1, 2, 2, 3]))):
                edges.append(MapEdge(cause, n + 1))
    return RippleMap(title="Rimpelkaart", centre_label="Dorp", nodes=nodes, edges=edges,
                     legend={"title": "Legenda"},
                     periods=list(dict.fromkeys(node.period for node in nodes)))


def label_px(svg: bytes, frame: tuple[float, float] = FRAME) -> tuple[float, float, float]:
    """Return the smallest item label's height in px when the SVG is fitted to the projector's
    map box (``frame``: its width and height in px), and how much of the box's width and
    height the drawing takes."""
    text = svg.decode()
    width, height = map(float, re.search(
        r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', text).groups())
    scale = min(frame[0] / width, frame[1] / height)
    parts = re.split(r'(?=<g id=")', text)
    sizes = [float(size) for part in parts
             if part.startswith(('<g id="item&#45;', '<g id="a_item&#45;'))
             for size in re.findall(r'font-size="([\d.]+)"', part)]
    return min(sizes) * scale, width * scale / frame[0], height * scale / frame[1]



def measure(ripple_map: RippleMap, layout: str) -> str:
    """Draw ``ripple_map`` with dot and describe how it fits the projector."""
    source = renderer.to_dot(ripple_map, layout)
    started = time.monotonic()
    svg = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                         check=True).stdout
    seconds = time.monotonic() - started
    width, height = map(float, re.search(
        rb'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    px, fill_width, fill_height = label_px(svg)
    return (f"{width:.0f} x {height:.0f} pt, labels {px:.1f} px, fills {fill_width:.0%} x "
            f"{fill_height:.0%}, dot {seconds:.2f} s")


def main(counts: list[int]) -> None:
    for items in counts:
        for seed in (1, 2, 3):
            print(f"{items} items (seed {seed}):")
            print("  wall:               ", measure(for_projector(realistic_map(items, seed)),
                                                    "wall"))
            print("  wall, high contrast:", measure(
                for_projector(realistic_map(items, seed), bold=True), "wall"))
            print("  timeline:           ", measure(for_projector(realistic_map(items, seed)),
                                                    "timeline"))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [60, 120])
