"""The Graphviz renderer: real renders, literal text whatever it contains, limits, errors."""

from __future__ import annotations

import re
import shutil
import time
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rem.maps import layouts, renderer
from rem.maps.model import MapEdge, MapNode, RippleMap

pytestmark = pytest.mark.one_database  # the same on every database

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")

LEGEND = {
    "title": "Legenda", "activity": "Activiteit", "intended": "Bedoeld",
    "unintended": "Onbedoeld", "intended_unknown": "Onbekend", "positive": "positief",
    "negative": "negatief", "mixed": "gemengd", "valence_unknown": "geen waardering",
    "link": "leidde tot", "no_cause": "zonder oorzaak", "spine": "Tijdlijn",
}

NASTY = [
    '"]; injected [label="x',
    '"] ; b [shape=box URL="javascript:alert(1)"]; a [label="',
    "<b>html</b>",
    "<<b>double</b>>",
    "<",
    "\\N \\G \\l \\E \\T \\H \\L \\n \\r",
    "ends with a backslash \\",
    '\\" quote after backslash',
    "{ braces } subgraph cluster_x { a -> b }",
    "emoji 😀 👩‍👩‍👧 🇳🇱 and ∑ ≠ ü",
    "line\nbreak\r\nand\ttab\x00nul\x07bell\x1b[31m",
    "&amp; &#65; &lt;not a tag&gt; & alone",
    "--> <!-- ]]> <![CDATA[ x",
    "node",
    "digraph",
    "\u202eright-to-left override",
    "x" * 5000,
]


def _node(node_id: int, title: str, *, kind: str = "effect", period: str = "2024",
          valence: str | None = "positive", intended: bool | None = True,
          codes: list[str] | None = None, tooltip: str | None = None,
          date_label: str = "maart 2024", order: int | None = 1) -> MapNode:
    """Return one map node with sensible defaults."""
    return MapNode(id=node_id, kind=kind, title=title, date_label=date_label, period=period,
                   order=None if kind == "activity" else order, intended=intended,
                   valence=valence, codes=codes or [], url=f"/collaborations/x/items/{node_id}",
                   tooltip=tooltip if tooltip is not None else title)


def _small_map() -> RippleMap:
    """Return a map with every kind of node and link."""
    nodes = [
        _node(1, "Inspiratiemarkt met 100 deelnemers", kind="activity", period="2023",
              valence=None, intended=None),
        _node(2, "Meer interactie tussen formele en informele zorg", period="2023"),
        _node(3, "Vier medewerkers van systeempartners vertrokken", valence="negative",
              intended=False),
        _node(4, "Inwoners melden zich als vrijwilliger", valence="mixed", order=2),
        _node(5, "Los effect zonder oorzaak", valence=None, intended=None, order=None,
              period="2025"),
    ]
    edges = [MapEdge(1, 2), MapEdge(1, 3), MapEdge(2, 4)]
    return RippleMap(title="Rimpelkaart Achterveld", centre_label="Achterveld", nodes=nodes,
                     edges=edges, legend=LEGEND, periods=["2023", "2024", "2025"])


def _parse(svg: bytes) -> ET.Element:
    """Parse the SVG as XML (this alone proves it is well-formed)."""
    return ET.fromstring(svg)  # noqa: S314 - our own Graphviz output, no DTD fetching


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    """Return the <g> elements whose class list contains ``cls``."""
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def _texts(group: ET.Element) -> list[str]:
    """Return the text lines drawn inside ``group``."""
    return [" ".join((t.text or "").split()) for t in group.iter(f"{SVG}text")]


def _item_groups(root: ET.Element) -> dict[int, ET.Element]:
    """Return the drawn items by id."""
    found = {}
    for g in _groups(root, "node"):
        match = re.fullmatch(r"item-(\d+)", g.get("id") or "")
        if match:
            found[int(match.group(1))] = g
    return found


def _tooltip(group: ET.Element) -> str | None:
    """Return the tooltip of a node group."""
    for a in group.iter(f"{SVG}a"):
        return a.get(XLINK_TITLE)
    return None


def _expected_count(ripple_map: RippleMap, layout: str) -> int:
    """Return how many nodes the SVG must hold: items, legend, spine or centre."""
    if layout == "wall":  # the items and a heading per column, no legend
        columns = -(-len(ripple_map.nodes) // layouts.wall_rows(ripple_map.nodes))
        return len(ripple_map.nodes) + columns
    legend_keys = {k for k, v in ripple_map.legend.items() if v}
    legend = len(legend_keys - {"title", "no_cause", "rings"}) if layout == "timeline" \
        else len(legend_keys - {"spine", "gap"})
    if layout == "timeline":
        periods = set(ripple_map.periods) | {n.period for n in ripple_map.nodes}
        return len(ripple_map.nodes) + legend + len(periods)
    # The radial map also draws one circle per ring and a label for each named ring.
    unknown = renderer._unknown_ring(ripple_map)
    rings = max(renderer.ring_of(node, unknown) for node in ripple_map.nodes)
    labels = sum(1 for ring in ripple_map.ring_labels if ring <= rings)
    return len(ripple_map.nodes) + legend + 1 + rings + labels


# --- real renders -------------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("layout", ["timeline", "radial"])
@pytest.mark.parametrize("fmt,magic", [("svg", b"<?xml"), ("png", b"\x89PNG"),
                                       ("pdf", b"%PDF")])
def test_small_map_renders_in_every_format(layout, fmt, magic):
    source = renderer.to_dot(_small_map(), layout)
    data = renderer.render(source, renderer.engine_for(layout), fmt, timeout=30)
    assert data.startswith(magic)


@needs_dot
@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_svg_holds_every_item_with_link_tooltip_id_and_class(layout):
    ripple_map = _small_map()
    ripple_map.ring_labels = {1: "Activiteiten", 2: "1e orde", 3: "2e orde", 4: "Orde onbekend"}
    svg = renderer.render(renderer.to_dot(ripple_map, layout), renderer.engine_for(layout),
                          "svg", timeout=30)
    root = _parse(svg)
    items = _item_groups(root)
    assert set(items) == {1, 2, 3, 4, 5}
    assert len(_groups(root, "node")) == _expected_count(ripple_map, layout)
    assert items[1].get("class") == "node ripple activity"
    assert items[3].get("class") == "node ripple effect valence-negative unintended order-1"
    assert items[5].get("class") == "node ripple effect valence-unknown intended-unknown"
    link = next(items[2].iter(f"{SVG}a"))
    assert link.get(XLINK_HREF) == "/collaborations/x/items/2"
    # Symbols carry valence besides colour; borders carry intent.
    assert _texts(items[3])[0].startswith("\u2212 ")
    assert _texts(items[4])[0].startswith("\u00b1 ")
    assert _texts(items[2])[0].startswith("+ ")
    assert any(e.get("stroke-dasharray") for e in items[3].iter(f"{SVG}ellipse"))
    assert not any(e.get("stroke-dasharray") for e in items[2].iter(f"{SVG}ellipse"))
    assert any(p.get("fill") == "#1d4e89" for p in items[1].iter(f"{SVG}path"))
    legend_texts = [t for g in _groups(root, "legend") for t in _texts(g)]
    assert "+ positief" in legend_texts and "Activiteit" in legend_texts
    if layout == "timeline":
        assert [_texts(g)[0] for g in _groups(root, "period")] == ["2023", "2024", "2025"]
    else:
        centre = _groups(root, "centre")
        assert len(centre) == 1 and _texts(centre[0]) == ["Achterveld"]
        # The loose effect sits on the outer ring, labelled as without a known order.
        rings = _groups(root, "ring")
        assert len(rings) >= 2
        assert "Orde onbekend" in [t for g in _groups(root, "ring-label") for t in _texts(g)]


@needs_dot
def test_timeline_ranks_items_with_their_period():
    ripple_map = _small_map()
    svg = renderer.render(renderer.to_dot(ripple_map, "timeline"), "dot", "svg", timeout=30)
    root = _parse(svg)

    def x_of(group: ET.Element) -> float:
        text = next(group.iter(f"{SVG}text"))
        return float(text.get("x"))

    periods = {_texts(g)[0]: x_of(g) for g in _groups(root, "period")}
    for node_id, group in _item_groups(root).items():
        node = next(n for n in ripple_map.nodes if n.id == node_id)
        assert abs(x_of(group) - periods[node.period]) < 1, node.title


# --- literal text, whatever it contains --------------------------------------------------


def _check_literal(ripple_map: RippleMap, layout: str) -> None:
    """Render and check node count, ids, label lines and tooltips against the input."""
    source = renderer.to_dot(ripple_map, layout)
    svg = renderer.render(source, renderer.engine_for(layout), "svg", timeout=30)
    root = _parse(svg)
    assert len(_groups(root, "node")) == _expected_count(ripple_map, layout)
    items = _item_groups(root)
    assert set(items) == ripple_map.node_ids()
    for node in ripple_map.nodes:
        group = items[node.id]
        assert _texts(group) == renderer.label_lines(node)
        tooltip = " ".join((_tooltip(group) or "").split())
        expected = " ".join(renderer.clean_text(line) for line in node.tooltip.splitlines())
        expected = " ".join(expected.split())
        if len(expected) < renderer.TOOLTIP_LIMIT - 50:
            assert tooltip == expected
        else:
            assert tooltip.endswith(renderer.ELLIPSIS)
        assert group.get("class", "").startswith("node ripple ")
        link = next(group.iter(f"{SVG}a"))
        assert link.get(XLINK_HREF) == node.url
    graph_title = renderer.shorten(ripple_map.title, renderer.GRAPH_TITLE_LIMIT)
    graph_texts = [" ".join((t.text or "").split())
                   for t in root.findall(f"{SVG}g/{SVG}text")]
    # The projector's wall has no title in the picture (the page's heading says it).
    assert graph_texts == ([graph_title] if graph_title and layout != "wall" else [])


def _map_with(texts: list[str], title: str = "Kaart", centre: str = "Midden") -> RippleMap:
    """Return a map whose titles, codes, tooltips and dates are ``texts``."""
    nodes = []
    for index, text in enumerate(texts, start=1):
        nodes.append(_node(index, text, kind="activity" if index == 1 else "effect",
                           codes=[text], tooltip=f"{text}\n{text}\nCodes: {text}",
                           date_label=text[:30], period=text[:40] or "2024"))
    edges = [MapEdge(1, i) for i in range(2, len(nodes) + 1)]
    return RippleMap(title=title, centre_label=centre, nodes=nodes, edges=edges,
                     legend=dict(LEGEND, positive=texts[0]), periods=[])


@needs_dot
@pytest.mark.parametrize("layout", ["timeline", "radial", "wall"])
@pytest.mark.parametrize("text", NASTY, ids=[repr(t[:20]) for t in NASTY])
def test_hostile_text_is_drawn_literally(layout, text):
    _check_literal(_map_with([text, "gewoon", text], title=text, centre=text), layout)


def test_dot_source_keeps_hostile_text_inside_its_quotes():
    source = renderer.to_dot(_map_with(NASTY), "timeline")
    node_lines = [line for line in source.splitlines() if re.match(r"\s*item\d+ \[", line)]
    assert len(node_lines) == len(NASTY)
    assert "injected [" not in re.sub(r'"(?:[^"\\]|\\.)*"', '""', source)
    assert "\x00" not in source and "\x1b" not in source
    assert "<b>html</b>" not in re.findall(r"=<.*>", source)


def test_wrapping_and_truncation():
    lines = renderer.wrap_title("woord " * 10)
    assert all(len(line) <= renderer.WRAP_WIDTH for line in lines)
    long = renderer.wrap_title("x" * 5000)
    assert "".join(long).endswith(renderer.ELLIPSIS)
    assert len("".join(long)) == renderer.TITLE_LIMIT
    assert renderer.wrap_title("") == [renderer.ELLIPSIS]
    assert renderer.wrap_title("\x00\x01") == [renderer.ELLIPSIS]


def test_urls_must_be_relative_or_http():
    assert renderer.dot_url("javascript:alert(1)") is None
    assert renderer.dot_url("//evil.example/x") is None
    assert renderer.dot_url('/a"b<c>&d') == "/a%22b%3Cc%3E%26d"
    assert renderer.dot_url("https://example.org/x") == "https://example.org/x"


# Any text, plus text made of the characters that matter to DOT, escStrings and XML.
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.text(st.sampled_from(list('\\"<>&{}[];=#\n\r\t\x00 -lnrNGETHL0123456789')),
            max_size=80),
)


@needs_dot
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(TEXT, min_size=1, max_size=4), title=TEXT,
       layout=st.sampled_from(["timeline", "radial", "wall"]))
def test_any_text_renders_literally_without_injection(texts, title, layout):
    _check_literal(_map_with(texts, title=title, centre=title), layout)
    for text in texts:
        lines = renderer.wrap_title(text)
        clean = renderer.clean_text(text)
        if len(clean) <= renderer.TITLE_LIMIT:
            assert "".join(lines).replace(" ", "") == (clean.replace(" ", "") or "…")


# --- svg for pages -------------------------------------------------------------------------


@needs_dot
def test_titled_svg_has_one_title_and_desc_and_no_prolog():
    svg = renderer.render(renderer.to_dot(_small_map(), "radial"), "twopi", "svg", 30)
    inline = renderer.titled_svg(svg, 'Kaart <"&>', "Vijf items.", inline=True)
    assert inline.startswith("<svg")
    assert "<!--" not in inline and "<!DOCTYPE" not in inline
    assert inline.count("<title") == 1
    assert '<title id="map-title">Kaart &lt;&quot;&amp;&gt;</title>' in inline
    assert '<desc id="map-desc">Vijf items.</desc>' in inline
    assert 'aria-labelledby="map-title"' in inline
    download = renderer.titled_svg(svg, "Kaart", "Vijf items.")
    assert download.startswith("<?xml")
    _parse(download.encode())


# --- limits and errors -------------------------------------------------------------------


def _big_map(count: int) -> RippleMap:
    """Return a map of ``count`` items over six years, each effect with one or two causes."""
    nodes, edges = [], []
    activities = max(1, count // 8)
    for i in range(1, count + 1):
        kind = "activity" if i <= activities else "effect"
        year = 2019 + (i * 7) % 6
        nodes.append(_node(i, f"Item {i} over buurt, netwerk en vrijwilligers", kind=kind,
                           period=str(year), valence=("positive", "negative", "mixed")[i % 3],
                           intended=bool(i % 2)))
        if kind == "effect":
            edges.append(MapEdge((i * 31) % (i - 1) + 1, i))
            if i % 4 == 0:
                edges.append(MapEdge((i * 17) % (i - 1) + 1, i))
    return RippleMap(title="Groot", centre_label="Midden", nodes=nodes,
                     edges=[e for e in edges if e.cause_id != e.effect_id], legend=LEGEND,
                     periods=[str(y) for y in range(2019, 2025)])


@needs_dot
@pytest.mark.slow
@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_two_thousand_nodes_render_in_time_or_time_out_cleanly(layout):
    source = renderer.to_dot(_big_map(2000), layout)
    started = time.monotonic()
    try:
        svg = renderer.render(source, renderer.engine_for(layout), "svg", timeout=20)
    except renderer.RenderTimeout:
        assert time.monotonic() - started < 25
    else:
        assert len(_item_groups(_parse(svg))) == 2000


@needs_dot
def test_a_tiny_timeout_raises_render_timeout():
    source = renderer.to_dot(_big_map(1500), "timeline")
    started = time.monotonic()
    with pytest.raises(renderer.RenderTimeout) as caught:
        renderer.render(source, "dot", "svg", timeout=0.05)
    assert time.monotonic() - started < 5
    assert isinstance(caught.value, renderer.MapRenderError)
    assert isinstance(caught.value, RuntimeError)


def test_missing_binary_raises_graphviz_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    source = renderer.to_dot(_small_map(), "timeline")
    for engine, fmt in (("dot", "svg"), ("twopi", "png"), ("dot", "pdf")):
        with pytest.raises(renderer.GraphvizMissing):
            renderer.render(source, engine, fmt, timeout=5)
    assert renderer.render(source, "dot", "dot", timeout=5) == source.encode()


@needs_dot
def test_invalid_dot_raises_render_error():
    with pytest.raises(renderer.RenderError) as caught:
        renderer.render("digraph { a -> ", "dot", "svg", timeout=10)
    assert "syntax error" in str(caught.value)


def test_unknown_layout_engine_and_format_are_refused():
    with pytest.raises(ValueError):
        renderer.to_dot(_small_map(), "spiral")
    with pytest.raises(ValueError):
        renderer.render("digraph {}", "neato", "svg", timeout=5)
    with pytest.raises(ValueError):
        renderer.render("digraph {}", "dot", "gif", timeout=5)


def test_only_the_map_writers_import_graphviz_and_one_module_runs_it():
    from pathlib import Path

    package = Path(renderer.__file__).resolve().parent.parent
    imports = re.compile(r"^\s*(import graphviz|from graphviz)", re.MULTILINE)
    runs = re.compile(r"\bsubprocess\b|\bos\.system\b")
    texts = {str(path.relative_to(package)): path.read_text(encoding="utf-8")
             for path in package.rglob("*.py")}
    # The graphviz package (quoting, DOT text) only where the map's DOT is written.
    assert sorted(name for name, text in texts.items() if imports.search(text)) == [
        "maps/dotwriter.py", "maps/layouts.py", "maps/legend.py"]
    # The binaries: one module in the maps package runs them.
    assert sorted(name for name, text in texts.items()
                  if name.startswith("maps/") and runs.search(text)) == [
        "maps/graphviz_process.py"]
    # Outside the maps package, only rem.maps.renderer is the way in.
    for name, text in texts.items():
        if not name.startswith("maps/"):
            assert not re.search(r"rem\.maps\.(dotwriter|legend|layouts|graphviz_process|svg)\b|"
                                 r"from rem\.maps import [^\n]*\b(dotwriter|layouts|"
                                 r"graphviz_process)\b", text), name
