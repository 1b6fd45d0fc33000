"""The renderer's fast paths give exactly what the slow, obvious versions give.

``to_dot`` writes item nodes and links itself instead of through ``graphviz.Digraph``,
cleans text with one regular expression instead of a test per character, and skips
``textwrap`` for short lines (see docs/performance.md for why). These tests hold
those shortcuts to the originals.
"""

from __future__ import annotations

import re
import sys
import textwrap

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rem.maps import renderer

pytestmark = pytest.mark.one_database  # the same on every database

TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=120),
    st.text(st.sampled_from(list('\\"<>&{}[];=#\n\r\t\x00 -lnrNGETHL0123456789')),
            max_size=60),
)


def test_the_forbidden_character_class_matches_the_per_character_rule():
    different = [cp for cp in range(sys.maxunicode + 1)
                 if bool(renderer._FORBIDDEN_RE.match(chr(cp)))
                 != renderer._is_forbidden(chr(cp))]
    assert different == []


def test_printable_characters_are_never_forbidden_nor_odd_whitespace():
    # clean_text returns printable text with single inner spaces as it is: that is only
    # right if no printable character is forbidden or whitespace other than " ".
    space = re.compile(r"\s")
    wrong = [cp for cp in range(sys.maxunicode + 1)
             if chr(cp).isprintable() and cp != 0x20
             and (renderer._is_forbidden(chr(cp)) or space.match(chr(cp)))]
    assert wrong == []


@pytest.mark.parametrize("text", ["gewoon", " voor", "na ", "twee  spaties", "tab\there",
                                  "nbsp\u00a0hier", "em\u2003space", "regel\u2028scheiding",
                                  "\u200bzero width", "\u202eomgekeerd", "\ufdd0", "x\U0001fffe",
                                  "\x85next", "a\u3000b", "   "])
def test_clean_text_fast_path_examples(text):
    assert renderer.clean_text(text) == _slow_clean(text)


def _slow_clean(text: str) -> str:
    text = "".join(" " if renderer._is_forbidden(ch) else ch for ch in text)
    return renderer._SPACE_RE.sub(" ", text).strip()


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_clean_text_equals_the_per_character_version(text):
    assert renderer.clean_text(text) == _slow_clean(text)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, width=st.integers(min_value=5, max_value=40))
def test_wrap_title_equals_textwrap(text, width):
    clean = renderer.shorten(text, renderer.TITLE_LIMIT)
    expected = textwrap.wrap(clean, width=width, break_long_words=True,
                             break_on_hyphens=False) or [renderer.ELLIPSIS]
    assert renderer.wrap_title(text, width=width) == expected


ATTR_VALUES = st.one_of(
    TEXT.map(renderer.dot_text),
    TEXT.map(lambda t: renderer.dot_lines([t, t])),
    TEXT.map(renderer.tooltip_text),
    st.sampled_from(["box", "filled,rounded", "#1d4e89", "1.5", "node", "edge", "-4.2",
                     "<b>x</b>", "ripple effect valence-positive", ""]),
)


@settings(max_examples=300, deadline=None)
@given(name=st.one_of(st.sampled_from(["item1", "item-2", "node", "legend_x"]),
                     TEXT.map(renderer.dot_text)),
       attrs=st.dictionaries(st.sampled_from(["label", "tooltip", "URL", "class", "id",
                                              "shape", "style", "fillcolor"]),
                             ATTR_VALUES, max_size=8))
def test_node_and_edge_lines_equal_the_graphviz_package(name, attrs):
    graph = graphviz.Digraph()
    graph.node(name, **attrs)
    assert graph.body == [renderer.node_line(name, attrs)]


@given(tail=st.integers(min_value=1, max_value=10**9), head=st.integers(min_value=1))
def test_edge_lines_equal_the_graphviz_package(tail, head):
    graph = graphviz.Digraph()
    graph.edge(renderer.node_name(tail), renderer.node_name(head), id=f"link-{tail}-{head}")
    graph.edge(renderer.node_name(tail), renderer.node_name(head), id=f"link-{tail}-{head}",
               penwidth="3", color=renderer.HIGHLIGHT_COLOUR, **{"class": "highlight"})
    assert graph.body == [renderer.edge_line(renderer.node_name(tail), renderer.node_name(head)),
                          renderer.edge_line(renderer.node_name(tail), renderer.node_name(head),
                                             highlight=True)]


@given(tail=st.integers(min_value=1, max_value=10**9), head=st.integers(min_value=1),
       highlight=st.booleans(), dimmed=st.booleans(), free=st.booleans())
def test_a_map_link_is_written_as_edge_line_writes_it(tail, head, highlight, dimmed, free):
    from rem.maps import dotwriter
    from rem.maps.model import MapEdge

    edge = MapEdge(tail, head, highlight=highlight, dimmed=dimmed)
    assert dotwriter._edge(edge, free=free) == renderer.edge_line(
        renderer.node_name(tail), renderer.node_name(head), highlight, dimmed=dimmed, free=free)


def _item(**changes):
    from rem.maps.model import MapNode

    fields = dict(id=7, kind="effect", title="Meer contact", date_label="maart 2024",
                  period="2024", order=2, intended=True, valence="positive", codes=["A"],
                  url="/collaborations/x/items/7", tooltip="Meer contact\nmaart 2024")
    return MapNode(**{**fields, **changes})


def test_item_lines_are_remembered_and_change_with_every_drawn_field():
    node = _item()
    first = renderer.item_line(node)
    assert first == renderer.node_line("item7", renderer._node_attrs(node))
    assert renderer.item_line(_item()) is first
    for change in [dict(title="Ander"), dict(date_label="april 2024"), dict(order=3),
                   dict(intended=False), dict(valence="negative"), dict(kind="activity"),
                   dict(url="/collaborations/y/items/7"), dict(tooltip="Anders"), dict(id=8),
                   dict(wrap=5), dict(compact=True), dict(scale=2.0)]:
        changed = _item(**change)
        line = renderer.item_line(changed)
        assert line != first, change
        assert line == renderer.node_line(renderer.node_name(changed.id),
                                          renderer._node_attrs(changed))


def test_the_item_line_memo_stays_bounded():
    from rem.maps import dotwriter  # the memo lives with the item statements

    dotwriter._ITEM_LINES.clear()
    for n in range(dotwriter.ITEM_LINE_CACHE_SIZE + 20):
        renderer.item_line(_item(id=n))
    assert len(dotwriter._ITEM_LINES) == dotwriter.ITEM_LINE_CACHE_SIZE
    # The least recently used went first; the newest are still there.
    newest = _item(id=dotwriter.ITEM_LINE_CACHE_SIZE + 19)
    assert dotwriter._item_key(newest) in dotwriter._ITEM_LINES
    assert dotwriter._item_key(_item(id=0)) not in dotwriter._ITEM_LINES


@settings(max_examples=300, deadline=None)
@given(title=TEXT, date_label=TEXT, tooltip=TEXT,
       kind=st.sampled_from(["activity", "effect"]),
       order=st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
       intended=st.sampled_from([True, False, None]),
       valence=st.sampled_from(["positive", "negative", "mixed", None, "odd"]),
       url=st.sampled_from(["/collaborations/x/items/7", "", "javascript:alert(1)",
                            "https://example.org/a b", "//elders"]),
       highlight=st.booleans())
def test_item_statements_equal_the_general_node_line(title, date_label, tooltip, kind, order,
                                                    intended, valence, url, highlight):
    node = _item(title=title, date_label=date_label, tooltip=tooltip, kind=kind, order=order,
                 intended=intended, valence=valence, url=url, highlight=highlight)
    assert renderer._item_statement(node) == renderer.node_line(
        renderer.node_name(node.id), renderer._node_attrs(node))


def test_a_remembered_legend_gives_the_same_dot_text():
    from rem.maps.model import RippleMap
    from tests.test_map_renderer import LEGEND

    ripple_map = RippleMap(title="Kaart", centre_label="Dorp", nodes=[_item()], edges=[],
                           legend=LEGEND, periods=["2024"])
    from rem.maps import legend  # the memo lives with the legend

    legend._LEGENDS.clear()
    first = renderer.to_dot(ripple_map, "timeline")
    assert legend._LEGENDS  # remembered
    assert renderer.to_dot(ripple_map, "timeline") == first
    other = RippleMap(title="Kaart", centre_label="Dorp", nodes=[_item()], edges=[],
                      legend=dict(LEGEND, activity="Iets anders"), periods=["2024"])
    assert "Iets anders" in renderer.to_dot(other, "timeline")
    assert first.count("cluster_legend") == 1


BOXES = st.builds(
    lambda ring, x, y, width, height, ellipse: _box(ring, x, y, width, height, ellipse),
    st.integers(0, 3), st.floats(-900, 900), st.floats(-600, 600), st.floats(20, 200),
    st.floats(10, 80), st.booleans())


def _box(ring, x, y, width, height, ellipse):
    from rem.maps import radial

    return radial.Box(f"item{ring}", ring, 0.0, width, height, ellipse=ellipse, x=x, y=y)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(BOXES, BOXES, st.booleans()), min_size=1, max_size=6),
       radii=st.lists(st.lists(st.floats(50, 900), min_size=5, max_size=5), min_size=1,
                      max_size=3))
def test_a_kept_link_route_is_the_route_of_its_boxes_and_rings(pairs, radii):
    """The radial map keeps each link's route by its two boxes and the rings around the
    cause: whatever was routed before, a route equals routing it afresh."""
    from rem.maps import layouts, radial

    for sizes in radii:
        rings = radial.Rings(radii=[0.0, *sorted(sizes)], boxes={})
        for start, end, arrow in pairs:
            points, tip = radial.route(rings, start, end)
            assert layouts._routed(rings, start, end, arrow=arrow) == layouts._spline(
                points, tip if arrow else None)
