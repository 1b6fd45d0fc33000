"""Map filters say what they could not read (on the page, beside the field, and as a 400
for a download), "intended unknown" is a filter, and the code filter shows its choice."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps.filters import parse_filters, refusal
from tests import factories
from tests.conftest import login
from tests.test_map_views import _svg_item_ids, _world

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


@pytest.mark.parametrize("typed", ["2024-13-45", "lente", "2024-Q5", "voorjaar 2024"])
def test_an_unreadable_date_is_said_beside_the_field_and_kept_in_it(app, client, typed):
    _world(app)
    login(client, "member@example.org")
    page = client.get("/collaborations/dorp/map", query_string={"from": typed})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    # The message at the top names the field, repeats what was typed and shows the forms.
    top = re.findall(r'class="notice notice-warning" role="status">([^<]*)<', body)
    assert len(top) == 1 and "“vanaf”" in top[0] and "2024-Q2" in top[0]
    assert "niet gebruikt" in top[0]
    # The field keeps the text, is marked invalid and points at its own error.
    field = re.search(r'<input id="filter-from"[^>]*>', body).group(0)
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="filter-from-error filter-date-hint"' in field
    assert 'id="filter-from-error"' in body
    # The filter box is open and its summary line says a filter could not be read.
    assert re.search(r'<details class="map-filters" open>', body)
    assert "1 filter niet te lezen" in body
    # The hint names a quarter too.
    assert "kwartaal (2024-Q2)" in body


def test_a_readable_quarter_is_no_problem(app, client):
    _world(app)
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/map?from=2024-Q2").get_data(as_text=True)
    assert "notice-warning" not in body and 'aria-invalid' not in body
    assert 'value="2024-Q2"' in body


@pytest.mark.parametrize("query", ["from=2024-13-45", "to=lente", "max_order=veel",
                                   "code=nope:nope", "intended=misschien", "valence=top"])
@pytest.mark.parametrize("fmt", ["dot", "svg"])
def test_a_download_refuses_what_it_cannot_read(app, client, query, fmt):
    _world(app)
    login(client, "member@example.org")
    r = client.get(f"/collaborations/dorp/map.{fmt}?{query}")
    assert r.status_code == 400 and r.mimetype == "text/plain"
    assert "niets gedownload" in r.get_data(as_text=True)


def test_the_download_message_names_the_date_and_the_forms(app, client):
    _world(app)
    login(client, "member@example.org")
    text = client.get("/collaborations/dorp/map.dot?from=lente").get_data(as_text=True)
    assert "“lente”" in text and "2024-Q2" in text and "vanaf" in text


def test_parse_filters_keeps_problems_by_argument(ctx):
    filters, messages = parse_filters(MultiDict([("from", "lente"), ("to", "2025"),
                                                 ("max_order", "-1")]), set())
    assert filters.date_from is None and filters.date_to.iso() == "2025"
    assert filters.unreadable == {"from": "lente", "max_order": "-1"}
    assert set(filters.problems) == {"from", "max_order"} and len(messages) == 2
    assert refusal(filters) is not None
    good, _messages = parse_filters(MultiDict([("from", "2024-Q2")]), set())
    assert refusal(good) is None and good.to_args() == {"from": "2024-Q2"}
    # Swapped dates are a note, not a problem: a download of them is fine.
    swapped, notes = parse_filters(MultiDict([("from", "2025"), ("to", "2024")]), set())
    assert notes and refusal(swapped) is None


@needs_dot
def test_intended_unknown_shows_the_effects_nobody_could_answer_or_was_asked(app, client):
    ids = _world(app)
    with app.app_context():
        collab = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))
        asked_later = factories.EffectFactory(collaboration=collab, title="Alleen een titel",
                                              date_start=date(2024, 10, 1), intended=None,
                                              valence=None, unanswered=True,
                                              visibility="network")
        db.session.commit()
        ids["asked_later"] = asked_later.id
    login(client, "member@example.org")
    drawn = _svg_item_ids(client.get("/collaborations/dorp/map.svg?intended=unknown")
                          .get_data(as_text=True))
    # Activities always pass; of the effects only those whose intention is not known.
    assert drawn == {ids["markt"], ids["los"], ids["asked_later"]}
    body = client.get("/collaborations/dorp/map?intended=unknown").get_data(as_text=True)
    assert '<option value="unknown" selected>' in body
    assert "nog niet gesteld" in body  # the hint says both kinds count
    assert "bedoeld of niet: onbekend" in body  # the summary line and the map's title


def test_the_code_filter_shows_what_is_chosen(app, client):
    _world(app)
    login(client, "member@example.org")
    body = client.get("/collaborations/dorp/map").get_data(as_text=True)
    assert "Geen code gekozen: alle codes." in body
    body = client.get("/collaborations/dorp/map?code=borging:sleutelpersonen"
                      ).get_data(as_text=True)
    chosen = re.search(r'<p id="filter-code-chosen"[^>]*>([^<]*)</p>', body).group(1)
    assert chosen == "Gekozen: Sleutelpersonen"
    # The filter box's own summary (the page's menus have summaries too).
    summary = re.search(r"<summary>Filteren(.*?)</summary>", body, re.S).group(1)
    assert "Sleutelpersonen" in summary
    select = re.search(r'<select id="filter-code"[^>]*>', body).group(0)
    assert "filter-code-chosen" in select
