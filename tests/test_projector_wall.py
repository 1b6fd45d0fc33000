"""The projector's map ("wall"): the timeline poured into columns of the screen's shape, with
short, large labels. A realistic map of 60 items must be readable whole at 1920 x 1080 (labels
at least 18 px high in the projector's map box); a larger one is left to the page's zoom."""

from __future__ import annotations

import re

import pytest

from benchmarks.projector_fit import MIN_LABEL_PX, label_px, realistic_map
from rem.maps import layouts, renderer
from rem.maps.builder import PROJECTOR_LINES, PROJECTOR_WRAP, for_projector
from rem.maps.model import RippleMap
from rem.workshops import drawing
from tests.test_map_renderer import needs_dot

pytestmark = pytest.mark.one_database  # the same on every database


def _drawn(ripple_map: RippleMap) -> bytes:
    return renderer.render(renderer.to_dot(ripple_map, "wall"), renderer.engine_for("wall"),
                           "svg", timeout=30)


def test_projector_labels_are_two_lines_of_thirty_characters_at_most():
    node = realistic_map(9).nodes[-1]
    node.title = "Jongeren uit de wijk helpen ouderen met boodschappen en met de computer"
    for_projector(RippleMap(title="k", centre_label="c", nodes=[node], edges=[]))
    lines = renderer.label_lines(node)
    assert len(lines) == PROJECTOR_LINES
    assert lines[-1].endswith(renderer.ELLIPSIS)
    prefix = 2 if not node.is_activity and node.valence else 0
    assert all(len(line) <= PROJECTOR_WRAP + prefix for line in lines), lines
    # A short title is kept whole.
    node.title = "Meer contact tussen buren"
    assert renderer.ELLIPSIS not in "".join(renderer.label_lines(node))


def test_projector_items_are_boxes_and_keep_the_intent_border():
    ripple_map = for_projector(realistic_map(20))
    assert ripple_map.legend == {}
    for node in ripple_map.nodes:
        attrs = renderer._node_attrs(node)
        assert attrs["shape"] == "box"
        if node.is_activity:
            assert attrs["style"] == "filled"  # square corners, dark fill
        else:
            intent = {True: "solid", False: "dashed", None: "dotted"}[node.intended]
            assert attrs["style"] == f"filled,rounded,{intent}"
    # The page's map keeps its ellipses.
    plain = realistic_map(20).nodes[-1]
    assert renderer._node_attrs(plain)["shape"] == "ellipse"


def test_the_wall_pours_the_items_into_columns_in_their_order():
    ripple_map = for_projector(realistic_map(60))
    source = renderer.to_dot(ripple_map, "wall")
    rows = layouts.wall_rows(ripple_map.nodes)
    columns = -(-60 // rows)
    assert 3 <= columns <= 6, columns
    # Each column a rank of its own, headed by the periods it spans, in the map's order.
    assert source.count("rank=same") == columns
    chained = re.findall(r"\t(\w+) -> (\w+) \[style=invis weight=100\]", source)
    order = [node.id for node in ripple_map.nodes]
    first_rows = [f"item{node_id}" for node_id in order[::rows]]
    assert [b for a, b in chained if a.startswith("period")] == first_rows
    # The links never move an item, and are drawn straight.
    links = re.findall(r"\titem\d+ -> item\d+ \[([^\]]*id=\"link-[^\]]*)\]", source)
    assert len(links) == len(ripple_map.edges)
    assert all("constraint=false" in attrs for attrs in links)
    assert "splines=line" in source
    # No legend and no picture title on the wall.
    assert "legend" not in source and '\tgraph [label="" ' in source
    assert 'period0 [label="1e kwartaal 2024 –\\n' in source  # a period a line


def _hidden_shares(ripple_map: RippleMap) -> dict[str, list[float]]:
    """Return, for the wall's links between neighbouring columns ("next") and within one
    column ("same"), the share of each link's length that lies behind other boxes."""
    plain = renderer.render(renderer.to_dot(ripple_map, "wall"), "dot", "plain",
                            timeout=30).decode()
    boxes, links = {}, []
    for line in plain.splitlines():
        parts = line.split()
        if parts[0] == "node":
            x, y, width, height = map(float, parts[2:6])
            boxes[parts[1]] = (x - width / 2, x + width / 2, y - height / 2, y + height / 2)
        elif parts[0] == "edge" and parts[1].startswith("item") and parts[2].startswith("item"):
            count = int(parts[3])
            points = [(float(parts[4 + 2 * i]), float(parts[5 + 2 * i])) for i in range(count)]
            links.append((parts[1], parts[2], points[0], points[-1]))
    rows = layouts.wall_rows(ripple_map.nodes, ripple_map.wall_aspect or layouts.WALL_ASPECT)
    column = {f"item{node.id}": index // rows for index, node in enumerate(ripple_map.nodes)}
    shares: dict[str, list[float]] = {"next": [], "same": []}
    for cause, effect, start, end in links:
        apart = abs(column[cause] - column[effect])
        if apart > 1:
            continue
        behind = 0
        for step in range(1, 100):
            x = start[0] + (end[0] - start[0]) * step / 100
            y = start[1] + (end[1] - start[1]) * step / 100
            behind += any(left < x < right and low < y < high
                          for name, (left, right, low, high) in boxes.items()
                          if name not in (cause, effect))
        shares["same" if apart == 0 else "next"].append(behind / 99)
    return shares


@needs_dot
def test_links_on_the_wall_run_beside_the_boxes_not_behind_them():
    """Drawn from centre to centre, a link between neighbouring columns lay 35-46% behind
    other boxes (on average, on these maps), one within a column 20-29%. From side to side
    (and from bottom to top within a column) they lie in the gaps: 6-20% and 12-15%."""
    shares: dict[str, list[float]] = {"next": [], "same": []}
    for seed in (1, 2, 3):
        for kind, values in _hidden_shares(for_projector(realistic_map(30, seed))).items():
            shares[kind] += values
    mean = {kind: sum(values) / len(values) for kind, values in shares.items()}
    assert len(shares["next"]) >= 30 and len(shares["same"]) >= 30, shares
    assert mean["next"] <= 0.25 and mean["same"] <= 0.18, mean


def test_a_small_map_gets_fewer_columns_than_a_large_one():
    small = for_projector(realistic_map(12, activities=2)).nodes
    large = for_projector(realistic_map(120)).nodes
    assert -(-12 // layouts.wall_rows(small)) < -(-120 // layouts.wall_rows(large))


@needs_dot
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("bold", [False, True], ids=["normal", "high-contrast"])
def test_sixty_items_are_readable_whole_on_a_1080p_projector(seed, bold):
    ripple_map = for_projector(realistic_map(60, seed), bold=bold)
    px, fill_width, fill_height = label_px(_drawn(ripple_map))
    assert px >= MIN_LABEL_PX, px
    # The map takes the screen's shape: it fills the box one way and nearly the other.
    assert max(fill_width, fill_height) > 0.99
    assert min(fill_width, fill_height) >= 0.85, (fill_width, fill_height)


# The projector's map box at 1400 x 1050, a 4:3 projector (measured in Chromium).
BOX_4_3 = (1125, 900)


@needs_dot
@pytest.mark.parametrize("seed", [1, 2])
def test_on_a_4_3_projector_the_wall_takes_its_box_shape(seed):
    """Drawn for the 1920 x 1080 box, 40 items on a 4:3 projector would be too small to read
    whole; drawn in that box's shape (fewer, longer columns) they are not."""
    wide = for_projector(realistic_map(40, seed))
    square = for_projector(realistic_map(40, seed), aspect=BOX_4_3[0] / BOX_4_3[1])
    assert layouts.wall_rows(square.nodes, square.wall_aspect) > layouts.wall_rows(wide.nodes)
    assert renderer.to_dot(square, "wall").count("rank=same") \
        < renderer.to_dot(wide, "wall").count("rank=same")
    px_wide = label_px(_drawn(wide), BOX_4_3)[0]
    px, fill_width, fill_height = label_px(_drawn(square), BOX_4_3)
    assert px_wide < MIN_LABEL_PX <= px, (px_wide, px)
    assert min(fill_width, fill_height) >= 0.85, (fill_width, fill_height)


def test_the_shape_the_page_asks_for_is_kept_in_twentieths_and_in_range():
    assert drawing.screen_shape("1.3333") == 1.35
    assert drawing.screen_shape("1.25") == 1.25
    assert drawing.screen_shape("0.2") == drawing.SHAPE_RANGE[0]
    assert drawing.screen_shape("1e300") == drawing.SHAPE_RANGE[1]
    for wrong in (None, "", "vierkant", "nan", "inf", "-inf", "1,5"):
        assert drawing.screen_shape(wrong) is None, wrong
    # Without one: the box at 1920 x 1080, rounded as the page rounds it.
    default = drawing.drawn_shape(None)
    assert default == drawing.screen_shape(str(layouts.WALL_ASPECT))
    assert abs(default - layouts.WALL_ASPECT) <= 0.5 / drawing.SHAPE_STEPS
    assert drawing.drawn_shape(1.25) == 1.25


@needs_dot
def test_the_timeline_could_not_show_sixty_items_whole():
    """What the wall is for: the page's timeline of the same map, even with the projector's
    labels, is too small to read whole (about 12 px: its columns are as tall as their
    periods are busy)."""
    ripple_map = for_projector(realistic_map(60))
    svg = renderer.render(renderer.to_dot(ripple_map, "timeline"), "dot", "svg", timeout=30)
    assert label_px(svg)[0] < MIN_LABEL_PX


@needs_dot
def test_a_map_of_120_items_does_not_fit_whole_and_is_left_to_the_zoom():
    px, _width, _height = label_px(_drawn(for_projector(realistic_map(120))))
    assert 10 < px < MIN_LABEL_PX
