"""The map page and its downloads: formats, filters, privacy, caching and messages."""

from __future__ import annotations

import re
from datetime import date

import pytest

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.ripples import services
from tests import factories
from tests.conftest import login


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    """Give every test its own render cache, away from the instance folder."""
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _world(app) -> dict:
    """One collaboration with a small ripple map, a member and an outsider."""
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Achterveld")
        other = factories.CollaborationFactory(slug="elders")
        member = factories.UserFactory(email="member@example.org")
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        outsider = factories.UserFactory(email="outsider@example.org")
        factories.MembershipFactory(user=outsider, collaboration_id=other.id,
                                    role=Role.MEMBER.value)
        sleutel = code_by_qualified_slug("borging:sleutelpersonen")
        markt = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                          date_start=date(2023, 4, 1), visibility="network")
        netwerk = factories.EffectFactory(collaboration=collab, title="Sterker netwerk",
                                          date_start=date(2023, 6, 1), visibility="network",
                                          intended=True, valence="positive")
        netwerk.codes = [sleutel]
        vrijwilligers = factories.EffectFactory(
            collaboration=collab, title="Vrijwilligers melden zich",
            date_start=date(2024, 2, 1), visibility="network", intended=False,
            valence="mixed")
        vertrek = factories.EffectFactory(collaboration=collab, title="Privé vertrek medewerkers",
                                          date_start=date(2024, 5, 1), valence="negative",
                                          intended=False)
        los = factories.EffectFactory(collaboration=collab, title="Los effect",
                                      date_start=date(2024, 9, 1), visibility="network",
                                      valence=None, intended=None)
        services.add_link(markt, netwerk)
        services.add_link(netwerk, vrijwilligers)
        services.add_link(markt, vertrek)
        db.session.commit()
        return {"markt": markt.id, "netwerk": netwerk.id, "vrijwilligers": vrijwilligers.id,
                "vertrek": vertrek.id, "los": los.id}


def _svg_item_ids(body: str) -> set[int]:
    """Return the item ids drawn in an SVG (Graphviz writes "-" as &#45; in ids)."""
    return {int(n) for n in re.findall(r'<g id="item(?:-|&#45;)(\d+)" class="node', body)}


@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_map_page_shows_the_svg_inline_with_title_and_text_alternative(app, client, layout):
    ids = _world(app)
    login(client, "member@example.org")
    r = client.get(f"/collaborations/dorp/map?layout={layout}")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<svg" in body and "<?xml" not in body and "<!DOCTYPE svg" not in body
    assert '<title id="map-title">Rimpelkaart Achterveld</title>' in body
    assert '<desc id="map-desc">' in body and "4 effecten" in body
    assert _svg_item_ids(body) == set(ids.values())
    assert f'/collaborations/dorp/items/{ids["netwerk"]}' in body
    # The text alternative: activity with its ripples nested, loose effect apart.
    outline = body[body.index('id="outline-heading"'):]
    assert "Inspiratiemarkt" in outline and "2e rimpeling" in outline
    assert outline.index("Zonder oorzaak") < outline.index("Los effect")
    drawn = body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'style="' not in body.split("<svg", 1)[1]  # CSP: no inline styles
    assert "<script" not in drawn
    # The map's data for its scripts is JSON, never a script that runs (strict CSP).
    assert body.count("<script") == body.count("<script src=") + body.count(
        '<script type="application/json"')


def test_unknown_layout_falls_back_to_the_timeline_on_the_page(app, client):
    _world(app)
    login(client, "member@example.org")
    r = client.get("/collaborations/dorp/map?layout=spiral")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "kaartvorm bestaat niet" in body
    assert "class=\"node period\"" in body  # the timeline spine


@pytest.mark.parametrize("fmt,content_type,magic", [
    ("svg", "image/svg+xml", b"<?xml"),
    ("png", "image/png", b"\x89PNG"),
    ("pdf", "application/pdf", b"%PDF"),
    ("dot", "text/vnd.graphviz; charset=utf-8", b"digraph"),
])
@pytest.mark.parametrize("layout", ["timeline", "radial"])
def test_every_download_format_has_its_content_type_and_filename(app, client, fmt,
                                                                 content_type, magic, layout):
    _world(app)
    login(client, "member@example.org")
    r = client.get(f"/collaborations/dorp/map.{fmt}?layout={layout}")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == content_type
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="dorp-ripple-map-{layout}.{fmt}"')
    assert r.data.startswith(magic)
    assert r.headers["ETag"]


def test_svg_download_has_a_title_and_description(app, client):
    _world(app)
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/map.svg").get_data(as_text=True)
    assert '<title id="map-title">' in body and '<desc id="map-desc">' in body


def test_unknown_format_is_404_and_unknown_layout_is_400(app, client):
    _world(app)
    login(client, "member@example.org")
    assert client.get("/collaborations/dorp/map.gif").status_code == 404
    assert client.get("/collaborations/nergens/map.svg").status_code == 404
    r = client.get("/collaborations/dorp/map.svg?layout=spiral")
    assert r.status_code == 400 and r.mimetype == "text/plain"


def test_filters_narrow_the_nodes_and_keep_the_full_ripple_order(app, client):
    ids = _world(app)
    login(client, "member@example.org")

    def drawn(query: str) -> set[int]:
        r = client.get(f"/collaborations/dorp/map.svg?{query}")
        assert r.status_code == 200
        return _svg_item_ids(r.get_data(as_text=True))

    assert drawn("code=borging:sleutelpersonen") == {ids["netwerk"]}
    assert drawn("intended=no") == {ids["markt"], ids["vrijwilligers"], ids["vertrek"]}
    assert drawn("valence=mixed") == {ids["markt"], ids["vrijwilligers"]}
    assert drawn("from=2024&to=2024-06-30") == {ids["vrijwilligers"], ids["vertrek"]}
    assert drawn("max_order=1") == {ids["markt"], ids["netwerk"], ids["vertrek"]}
    # Filtered on its own, the 2nd-order effect still says so.
    page = client.get("/collaborations/dorp/map?valence=mixed").get_data(as_text=True)
    assert "2e rimpeling" in page
    dot = client.get("/collaborations/dorp/map.dot?valence=mixed").get_data(as_text=True)
    assert "order-2" in dot and f"item{ids['markt']} -> item{ids['netwerk']}" not in dot
    # The page's download links carry the layout and the filters, in canonical form.
    page = client.get("/collaborations/dorp/map?layout=radial&valence=mixed&from=2024-1-5"
                      ).get_data(as_text=True)
    links = [link for link in re.findall(r'href="(/collaborations/dorp/map\.png[^"]*)"', page)
             if "width=" not in link]
    assert len(links) == 1
    link = links[0].replace("&amp;", "&")
    assert "layout=radial" in link and "valence=mixed" in link and "from=2024-01-05" in link
    assert _svg_item_ids(client.get(link.replace(".png", ".svg")).get_data(as_text=True)) \
        == {ids["vrijwilligers"]}


def test_invalid_filters_are_ignored_with_a_message(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    r = client.get("/collaborations/dorp/map?code=nope:nope&intended=maybe&valence=great"
                   "&from=gisteren&max_order=-1&to=2024-13-45")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    for text in ("bestaat niet", "ja, nee of onbekend", "positief, negatief of gemengd",
                 "niet te lezen", "heel getal"):
        assert text in body
    assert _svg_item_ids(body) == set(ids.values())
    # A download is a citable address: it refuses what it cannot read (tests/test_map_filters.py).
    r = client.get("/collaborations/dorp/map.dot?max_order=abc&from=x")
    assert r.status_code == 400


def test_private_items_never_reach_an_outsider(app, client):
    ids = _world(app)
    login(client, "outsider@example.org")
    for path in ("/collaborations/dorp/map", "/collaborations/dorp/map?layout=radial",
                 "/collaborations/dorp/map.dot", "/collaborations/dorp/map.svg",
                 "/collaborations/dorp/map.dot?layout=radial"):
        body = client.get(path).get_data(as_text=True)
        assert "Privé vertrek" not in body, path
        assert f"item{ids['vertrek']}" not in body and f"item-{ids['vertrek']}" not in body
        assert "Sterker netwerk" in body, path


def test_member_sees_the_private_item(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/map.dot").get_data(as_text=True)
    assert "Privé vertrek" in body and f"item{ids['vertrek']}" in body


def test_etag_gives_304_and_changes_with_the_data(app, client):
    ids = _world(app)
    login(client, "member@example.org")
    first = client.get("/collaborations/dorp/map.svg?layout=radial")
    etag = first.headers["ETag"]
    again = client.get("/collaborations/dorp/map.svg?layout=radial",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == etag
    other_format = client.get("/collaborations/dorp/map.png?layout=radial")
    assert other_format.headers["ETag"] != etag
    with app.app_context():
        item = db.session.get(services.RippleItem, ids["los"])
        item.title = "Los effect, hernoemd"
        db.session.commit()
    changed = client.get("/collaborations/dorp/map.svg?layout=radial",
                         headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "hernoemd" in changed.get_data(as_text=True)


def test_renders_are_cached_as_files(app, client, tmp_path):
    _world(app)
    login(client, "member@example.org")
    client.get("/collaborations/dorp/map.png")
    # The render, keyed by its DOT text, and the download, keyed by what the map is made of.
    files = sorted((tmp_path / "map-cache").glob("*.png"),
                   key=lambda p: p.name.startswith("download-"))
    assert len(files) == 2 and files[1].name.startswith("download-")
    assert not files[0].name.startswith("download-")
    assert all(f.read_bytes().startswith(b"\x89PNG") for f in files)
    assert files[0].read_bytes() == files[1].read_bytes()
    assert not list((tmp_path / "map-cache").glob(".tmp-*"))


def test_missing_dot_gives_a_message_and_dot_download_still_works(app, client, tmp_path,
                                                                   monkeypatch):
    _world(app)
    login(client, "member@example.org")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    r = client.get("/collaborations/dorp/map")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Graphviz (het programma dot) is niet geïnstalleerd op de server." in body
    assert "<svg" not in body and "Inspiratiemarkt" in body  # the list still shows
    for fmt in ("svg", "png", "pdf"):
        r = client.get(f"/collaborations/dorp/map.{fmt}")
        assert r.status_code == 503 and r.mimetype == "text/plain"
        assert "niet geïnstalleerd" in r.get_data(as_text=True)
    r = client.get("/collaborations/dorp/map.dot")
    assert r.status_code == 200 and r.data.startswith(b"digraph")


def test_too_large_map_gives_a_message(app, client, monkeypatch):
    _world(app)
    login(client, "member@example.org")
    monkeypatch.setitem(app.config, "REM_MAP_MAX_NODES", 3)
    body = client.get("/collaborations/dorp/map").get_data(as_text=True)
    assert "Deze kaart is te groot om te tekenen (5 items)." in body
    # Not the items one by one, but the summarised map (tests/test_map_summary.py).
    assert _svg_item_ids(body) == set() and re.search(r'id="summary(-|&#45;)map"', body)
    r = client.get("/collaborations/dorp/map.png")
    assert r.status_code == 503 and "te groot" in r.get_data(as_text=True)
    assert client.get("/collaborations/dorp/map.dot").status_code == 200
    # A filter brings it under the limit.
    body = client.get("/collaborations/dorp/map?valence=mixed").get_data(as_text=True)
    assert "<svg" in body


def test_render_timeout_gives_the_too_large_message(app, client, monkeypatch):
    from rem.maps import renderer

    _world(app)
    login(client, "member@example.org")

    def slow(*args, **kwargs):
        raise renderer.RenderTimeout("too slow")

    monkeypatch.setattr(renderer, "render", slow)
    body = client.get("/collaborations/dorp/map").get_data(as_text=True)
    assert "te groot om te tekenen (5 items)" in body
    assert client.get("/collaborations/dorp/map.pdf").status_code == 503


def test_empty_collaboration_says_add_the_first(app, client):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="leeg")
        user = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        db.session.commit()
    login(client, "fac@example.org")
    body = client.get("/collaborations/leeg/map").get_data(as_text=True)
    assert "Nog geen activiteiten of effecten: voeg de eerste toe." in body
    assert client.get("/collaborations/leeg/map.svg").status_code == 200


def test_hostile_titles_are_shown_literally(app, client):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="raar", name='Raar "]; x [label="y')
        user = factories.UserFactory(email="fac@example.org")
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.ActivityFactory(collaboration=collab, title="<script>alert(1)</script>")
        factories.EffectFactory(collaboration=collab, title='"]; injected [label="x \\N')
        db.session.commit()
    login(client, "fac@example.org")
    for layout in ("timeline", "radial"):
        body = client.get(f"/collaborations/raar/map?layout={layout}").get_data(as_text=True)
        assert "<script>alert(1)" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "injected [label=" in body.replace("&quot;", '"').replace("&#34;", '"')
        assert len(_svg_item_ids(body)) == 2


def test_anonymous_visitors_are_sent_to_login(app, client):
    _world(app)
    r = client.get("/collaborations/dorp/map.svg")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- the builder on its own --------------------------------------------------------------


def test_spine_uses_quarters_for_short_maps_and_years_for_long_ones(app, client):
    _world(app)
    login(client, "member@example.org")
    dot = client.get("/collaborations/dorp/map.dot").get_data(as_text=True)
    labels = re.findall(r'period\d+ \[label="([^"]+)"', dot)
    # Few months with items: a column per month, empty stretches compressed into one.
    assert labels[0] == "april 2023" and labels[-1] == "september 2024"
    assert sum("(niets)" in label for label in labels) >= 1
    dot = client.get("/collaborations/dorp/map.dot?granularity=quarter").get_data(as_text=True)
    labels = re.findall(r'period\d+ \[label="([^"]+)"', dot)
    assert labels[0] == "2e kwartaal 2023" and labels[-1] == "3e kwartaal 2024"
    # Two empty quarters in a row become one marked column, never two empty ones.
    assert labels[1].replace("\\n", " ") == "3e kwartaal 2023 – 4e kwartaal 2023 (niets)"
    with app.app_context():
        collab = db.session.scalar(db.select(services.Collaboration).filter_by(slug="dorp"))
        factories.ActivityFactory(collaboration=collab, title="Oud", date_start=date(2019, 1, 1),
                                  visibility="network")
        db.session.commit()
    # One item years earlier no longer stretches the spine: the empty years are one column.
    dot = client.get("/collaborations/dorp/map.dot?granularity=year").get_data(as_text=True)
    assert [label.strip('"') for label in re.findall(r'period\d+ \[label=("[^"]*"|\S+)', dot)] == [
        "2019", "2020 – 2022 (niets)", "2023", "2024"]
    assert 'class="period gap"' in dot


def test_parse_filters_reads_good_values_and_reports_bad_ones(ctx):
    from werkzeug.datastructures import MultiDict

    from rem.maps.filters import parse_filters

    args = MultiDict([("code", "borging:sleutelpersonen"), ("code", "borging:sleutelpersonen"),
                      ("code", "x:y"), ("intended", "no"), ("valence", "negative"),
                      ("from", "2025"), ("to", "2024-03"), ("max_order", "2")])
    filters, messages = parse_filters(args, {"borging:sleutelpersonen"})
    assert filters.codes == ["borging:sleutelpersonen"]
    assert filters.intended == "no" and filters.valence == "negative"
    assert filters.date_from.iso() == "2024-03" and filters.date_to.iso() == "2025"
    assert filters.max_order == 2
    assert len(messages) == 2  # the unknown code, and the swapped dates
    assert filters.to_args() == {"code": ["borging:sleutelpersonen"], "intended": "no",
                                 "valence": "negative", "from": "2024-03", "to": "2025",
                                 "max_order": "2"}
    empty, messages = parse_filters(MultiDict(), set())
    assert not empty.active and messages == [] and empty.to_args() == {}


def _outline_map():
    from rem.maps.model import MapEdge, MapNode, RippleMap

    def node(i, kind="effect", order=None):
        return MapNode(id=i, kind=kind, title=f"n{i}", date_label="2024", period="2024",
                       order=order, intended=None, valence=None, codes=[], url=f"/i/{i}",
                       tooltip="")

    nodes = [node(1, "activity", 0), node(2, order=1), node(3, order=1), node(4, order=2),
             node(5), node(6)]
    edges = [MapEdge(1, 2), MapEdge(1, 3), MapEdge(2, 4), MapEdge(3, 4), MapEdge(5, 6)]
    return RippleMap("t", "c", nodes, edges, {}, [])


def test_outline_nests_effects_once_and_lists_the_rest_apart():
    from rem.maps.outline import outline

    result = outline(_outline_map())
    [activity] = result.activities
    assert activity.node.id == 1
    assert [c.node.id for c in activity.children] == [2, 3]
    first, second = activity.children
    assert [(c.node.id, c.repeat) for c in first.children] == [(4, False)]
    assert [(c.node.id, c.repeat) for c in second.children] == [(4, True)]
    assert [e.node.id for e in result.without_cause] == [5]
    assert [c.node.id for c in result.without_cause[0].children] == [6]


def test_outline_of_a_very_deep_chain_stays_shallow():
    from rem.maps.model import MapEdge, MapNode, RippleMap
    from rem.maps.outline import OUTLINE_MAX_DEPTH, outline

    nodes = [MapNode(id=i, kind="activity" if i == 0 else "effect", title=str(i),
                     date_label="", period="2024", order=i, intended=None, valence=None,
                     codes=[], url="/", tooltip="") for i in range(3000)]
    edges = [MapEdge(i, i + 1) for i in range(2999)]
    result = outline(RippleMap("t", "c", nodes, edges, {}, []))
    depth, entry, seen = 0, result.activities[0], 1
    while entry.children:
        if len(entry.children) > 1:
            seen += len(entry.children)
            break
        entry, depth, seen = entry.children[0], depth + 1, seen + 1
    assert depth == OUTLINE_MAX_DEPTH and seen == 3000


def test_cache_key_and_render_cache(tmp_path, monkeypatch):
    from rem.maps import cache, renderer

    source = "digraph { a -> b }"
    key = cache.cache_key(source, "dot", "svg")
    assert len(key) == 64
    assert key != cache.cache_key(source, "dot", "png")
    assert key != cache.cache_key(source, "twopi", "svg")
    assert key != cache.cache_key(source + " ", "dot", "svg")
    calls = []
    real_render = renderer.render

    def counting(*args, **kwargs):
        calls.append(args)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(renderer, "render", counting)
    first = cache.render_cached(source, "dot", "svg", 10, tmp_path)
    second = cache.render_cached(source, "dot", "svg", 10, tmp_path)
    assert first == second and first.startswith(b"<?xml") and len(calls) == 1
    assert (tmp_path / f"{key}.svg").read_bytes() == first
    assert cache.render_cached(source, "dot", "dot", 10, tmp_path) == source.encode()
    monkeypatch.setattr(cache, "CACHE_MAX_FILES", 3)
    monkeypatch.setattr(cache, "CACHE_KEEP_FILES", 2)
    for i in range(5):
        cache.render_cached(f"digraph {{ n{i} }}", "dot", "svg", 10, tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) <= 3


def test_a_large_map_loads_its_outline_on_demand_and_links_to_it(app, client, monkeypatch):
    """Above OUTLINE_INLINE_NODES the map page leaves the outline out (a large map's page
    would be megabytes): htmx loads the lists when they are reached, and without
    JavaScript a link leads to the outline on a page of its own, with the same filters."""
    from rem.maps import views as map_views  # noqa: PLC0415 - the limit is changed here only

    _world(app)
    login(client, "member@example.org")
    monkeypatch.setattr(map_views, "OUTLINE_INLINE_NODES", 2)
    body = client.get("/collaborations/dorp/map?layout=radial").get_data(as_text=True)
    tail = body[body.index('id="map-outline-body"'):]
    assert "Inspiratiemarkt" not in tail and 'data-outline-tree' not in tail
    link = re.search(r'<a href="(/collaborations/dorp/map/outline\?[^"]*)">', tail).group(1)
    assert "layout=radial" in link and 'hx-trigger="revealed"' in tail
    page = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "<html" in page and "Inspiratiemarkt" in page and "2e rimpeling" in page
    assert page.index("Zonder oorzaak") < page.index("Los effect")
    part = client.get(link.replace("&amp;", "&"), headers={"HX-Request": "true"})
    lists = part.get_data(as_text=True)
    assert "<html" not in lists and 'data-outline-tree="activities"' in lists
    assert "Inspiratiemarkt" in lists
