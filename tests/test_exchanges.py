"""Learning exchanges: preparing, shared evidence (only what is shared with the network),
maps, the pack, outcomes and adopting them into a learning log."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rem.accounts.models import Role
from rem.audit.models import AuditEvent
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.core import pdf
from rem.exchanges import maps as exchange_maps
from rem.exchanges import services
from rem.exchanges.models import ExchangeAdoption, ExchangeOutcome, LearningExchange
from rem.extensions import db
from rem.logbook.models import LogCitation, LogEntry
from rem.ripples import services as ripple_services
from tests import factories
from tests.conftest import login, post

FIN = "borging:financiele-duurzaamheid"
SECRETS = ("Geheim bedrag", "Hub-geheim", "Privé les", "B geheim", "Weggegooid",
           "Gedeeld buiten")


@pytest.fixture(autouse=True)
def _map_cache(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REM_MAP_CACHE_DIR", str(tmp_path / "map-cache"))


def _world(app) -> dict:
    """Hubs A (a1 shares, a2 shares nothing) and B (b1 shares), and C (c1, not taking part).
    Private, hub-only and deleted evidence is coded with the theme too: it must never show."""
    with app.app_context():
        hubs = {key: factories.HubFactory(slug=f"hub-{key}", name=f"Hub {key.upper()}")
                for key in "abc"}
        a1 = factories.CollaborationFactory(slug="a1", name="Dorp A", hub=hubs["a"])
        a2 = factories.CollaborationFactory(slug="a2", name="Stil A2", hub=hubs["a"])
        b1 = factories.CollaborationFactory(slug="b1", name="Stad B", hub=hubs["b"])
        c1 = factories.CollaborationFactory(slug="c1", name="Elders C", hub=hubs["c"])
        people = {"admin": factories.UserFactory(email="admin@example.org", is_admin=True),
                  "researcher": factories.UserFactory(email="onderzoek@example.org",
                                                      is_researcher=True),
                  "nobody": factories.UserFactory(email="niemand@example.org")}
        for name, hub, collab, role in [
                ("coord", hubs["a"], None, Role.COORDINATOR),
                ("coord-c", hubs["c"], None, Role.COORDINATOR),
                ("fac-a1", None, a1, Role.FACILITATOR), ("lid-a1", None, a1, Role.MEMBER),
                ("fac-b1", None, b1, Role.FACILITATOR), ("fac-c1", None, c1, Role.FACILITATOR)]:
            people[name] = factories.UserFactory(email=f"{name}@example.org", name=name)
            factories.MembershipFactory(user=people[name], role=role.value,
                                        hub_id=hub.id if hub else None,
                                        collaboration_id=collab.id if collab else None)
        fin = code_by_qualified_slug(FIN)
        keys = code_by_qualified_slug("borging:sleutelpersonen")

        def coded(row, *codes):
            row.codes = list(codes)
            return row

        subsidie = coded(factories.ActivityFactory(
            collaboration=a1, title="Subsidie aangevraagd", visibility="network",
            date_start=date(2024, 2, 1)), fin)
        vast = coded(factories.EffectFactory(
            collaboration=a1, title="Vaste financiering", visibility="network",
            date_start=date(2024, 9, 1)), fin)
        coded(factories.EffectFactory(collaboration=a1, title="Geheim bedrag"), fin)
        coded(factories.EffectFactory(collaboration=a1, title="Hub-geheim", visibility="hub"),
              fin)
        coded(factories.EffectFactory(collaboration=a1, title="Trekker vertrekt",
                                      visibility="network"), keys)
        weg = coded(factories.ActivityFactory(collaboration=a1, title="Weggegooid",
                                              visibility="network"), fin)
        coded(factories.LogEntryFactory(collaboration=a1, kind="lesson", title="Les over geld",
                                        body="Vraag **structureel** geld.",
                                        visibility="network"), fin)
        coded(factories.LogEntryFactory(collaboration=a1, kind="decision",
                                        title="Besluit gedeeld", visibility="network"), fin)
        coded(factories.LogEntryFactory(collaboration=a1, kind="reflection",
                                        title="Reflectie gedeeld", visibility="network"), fin)
        coded(factories.LogEntryFactory(collaboration=a1, kind="lesson", title="Privé les"),
              fin)
        coded(factories.ActivityFactory(collaboration=b1, title="IZA-aanvraag",
                                        visibility="network", date_start=date(2025, 1, 1)), fin)
        coded(factories.LogEntryFactory(collaboration=b1, kind="lesson", title="B geheim"), fin)
        coded(factories.ActivityFactory(collaboration=a2, title="Stil maar privé"), fin)
        coded(factories.ActivityFactory(collaboration=c1, title="Gedeeld buiten",
                                        visibility="network"), fin)
        ripple_services.add_link(subsidie, vast)
        ripple_services.delete_item(weg)
        db.session.commit()
        return {"a1": a1.id, "a2": a2.id, "b1": b1.id, "c1": c1.id, "hub_a": hubs["a"].id,
                "hub_b": hubs["b"].id, "hub_c": hubs["c"].id, "fin": fin.id,
                "people": {k: v.id for k, v in people.items()}}


def _exchange(app, ids, collaborations=("a1", "a2", "b1"), theme=FIN, question="",
              creator="coord") -> int:
    with app.app_context():
        exchange = LearningExchange(
            title="Geld voor de lange termijn", question=question,
            theme_code_id=code_by_qualified_slug(theme).id if theme else None,
            participants=[db.session.get(Collaboration, ids[c]) for c in collaborations],
            created_by_id=ids["people"][creator], meeting_date=date(2025, 11, 20))
        db.session.add(exchange)
        db.session.commit()
        return exchange.id


def _client(app, who: str):
    client = app.test_client()
    demo = who in ("coordinator", "achterveld")  # demo accounts have the demo password
    login(client, f"{who}@example.org", **({"password": "demo-wachtwoord"} if demo else {}))
    return client


# Preparing an exchange


def test_a_coordinator_prepares_an_exchange_between_two_hubs(app):
    ids = _world(app)
    client = _client(app, "coord")
    r = post(client, "/exchanges/new", {
        "title": "Geld", "theme_code_id": str(ids["fin"]), "question": "Hoe houden we het?",
        "hubs": [str(ids["hub_a"]), str(ids["hub_b"])], "meeting_date": "2026-12-01",
        "place": "Online"}, token_from="/exchanges/new")
    assert r.status_code == 302
    with app.app_context():
        exchange = db.session.scalar(sa.select(LearningExchange))
        assert {c.slug for c in exchange.participants} == {"a1", "a2", "b1"}
        assert exchange.created_by_id == ids["people"]["coord"]
        assert db.session.scalar(sa.select(AuditEvent.action).where(
            AuditEvent.entity_type == "exchange")) == "create"
    assert "Geld" in client.get("/exchanges").get_data(as_text=True)


@pytest.mark.parametrize("data,message", [
    ({"collaborations": ["a1"]}, "minstens twee deelnemers"),
    ({"collaborations": []}, "minstens twee deelnemers"),
    ({"theme_code_id": "", "question": ""}, "Kies een thema"),
    ({"title": ""}, "Geef de leeruitwisseling een titel."),
    ({"theme_code_id": "999999"}, "ngeldige keuze"),
    ({"meeting_date": "1800-01-01"}, "Deze datum kan niet"),
])
def test_bad_exchanges_are_refused_with_a_clear_message(app, data, message):
    ids = _world(app)
    client = _client(app, "coord")
    form = {"title": "Geld", "theme_code_id": str(ids["fin"]), "question": "",
            "collaborations": ["a1", "b1"]}
    form.update(data)
    form["collaborations"] = [str(ids[c]) for c in form["collaborations"]]
    r = post(client, "/exchanges/new", form, token_from="/exchanges/new")
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearningExchange)) == 0


def test_who_may_see_prepare_and_manage(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    assert _client(app, "niemand").get("/exchanges").status_code == 403
    assert _client(app, "onderzoek").get(f"/exchanges/{exchange_id}").status_code == 200
    assert _client(app, "fac-a1").get("/exchanges/new").status_code == 403
    assert _client(app, "coord-c").get("/exchanges/new").status_code == 200
    # A coordinator of a hub that does not take part (and did not make it) cannot change it.
    assert _client(app, "coord-c").get(f"/exchanges/{exchange_id}/edit").status_code == 403
    assert _client(app, "coord").get(f"/exchanges/{exchange_id}/edit").status_code == 200
    assert _client(app, "admin").get(f"/exchanges/{exchange_id}/edit").status_code == 200


def test_editing_refuses_a_save_over_a_newer_save(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    client = _client(app, "coord")
    form = {"title": "Nieuw", "theme_code_id": str(ids["fin"]),
            "collaborations": [str(ids["a1"]), str(ids["b1"])], "version": "1"}
    url = f"/exchanges/{exchange_id}/edit"
    assert post(client, url, form, token_from=url).status_code == 302
    r = post(client, url, {**form, "title": "Te laat"}, token_from=url)
    assert r.status_code == 409 and "intussen gewijzigd" in r.get_data(as_text=True)
    with app.app_context():
        exchange = db.session.get(LearningExchange, exchange_id)
        assert exchange.title == "Nieuw" and len(exchange.participants) == 2


# Shared evidence: only what is shared with the whole network


def test_the_matrix_counts_only_what_is_shared_with_the_network(app, ctx):
    ids = _world(app)
    exchange = db.session.get(LearningExchange, _exchange(app, ids))
    evidence = services.evidence(exchange)
    assert [c.slug for c in evidence.columns] == [
        "sleutelpersonen", "infrastructuur", "kennisdeling-en-training", "beleidsverankering",
        "juridische-borging", "financiele-duurzaamheid"]
    assert evidence.theme_column == 5 and evidence.theme_total == 6
    rows = {row.collaboration.slug: row for group in evidence.groups for row in group.rows}
    fin = rows["a1"].cells[5]
    assert (fin.activities, fin.effects, fin.entries) == (1, 1, 3)
    assert rows["a1"].cells[0].effects == 1  # Trekker vertrekt (sleutelpersonen)
    assert rows["b1"].cells[5].total == 1
    assert rows["a2"].shares_nothing and [c.slug for c in evidence.silent] == ["a2"]
    assert [g.hub.slug for g in evidence.groups] == ["hub-a", "hub-b"]
    assert fin.level == 2 and rows["b1"].cells[5].level == 1 and rows["b1"].cells[0].level == 0


def test_no_private_item_appears_anywhere_in_the_exchange_whoever_asks(app, monkeypatch):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    captured = {}
    monkeypatch.setattr(pdf, "render", lambda html, base, css: captured.setdefault(
        "html", html) and b"%PDF-fake")
    monkeypatch.setattr(pdf, "available", lambda: True)
    for who in ("admin", "coord", "fac-a1", "lid-a1", "fac-b1", "onderzoek"):
        client = _client(app, who)
        pages = [f"/exchanges/{exchange_id}", f"/exchanges/{exchange_id}/pack",
                 f"/exchanges/{exchange_id}/evidence?collaboration=a1",
                 f"/exchanges/{exchange_id}/evidence?collaboration=a1&code={FIN}",
                 f"/exchanges/{exchange_id}/search?q=geheim",
                 f"/exchanges/{exchange_id}/search?q=bedrag",
                 f"/exchanges/{exchange_id}/search?kind=lesson",
                 f"/exchanges/{exchange_id}/search?code={FIN}"]
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (who, page)
            body = response.get_data(as_text=True)
            for secret in SECRETS:
                assert secret not in body, (who, page, secret)
        captured.clear()
        assert client.get(f"/exchanges/{exchange_id}/pack.pdf").status_code == 200
        for secret in SECRETS:
            assert secret not in captured["html"], (who, secret)
    shown = _client(app, "admin").get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    for shared in ("Les over geld", "Besluit gedeeld", "Vaste financiering", "IZA-aanvraag"):
        assert shared in shown
    assert "Reflectie gedeeld" not in shown  # only lessons and decisions are listed


def test_the_exchange_page_says_who_shares_nothing_and_when_the_theme_is_empty(app):
    ids = _world(app)
    client = _client(app, "coord")
    body = client.get(f"/exchanges/{_exchange(app, ids)}").get_data(as_text=True)
    assert "deelt niets met het leernetwerk" in body
    assert "Stil A2 deelt (nog) niets met het leernetwerk" in body
    empty = _exchange(app, ids, theme="borging:juridische-borging")
    body = client.get(f"/exchanges/{empty}").get_data(as_text=True)
    assert "Over het thema “Juridische borging” is nog niets gedeeld" in body
    silent = _exchange(app, ids, collaborations=("a2",), creator="coord")
    body = client.get(f"/exchanges/{silent}").get_data(as_text=True)
    assert "maar één deelnemer" in body
    assert "Geen van de deelnemers deelt iets met het leernetwerk" in body


def test_a_theme_outside_the_borging_strategies_gets_its_own_column(app, ctx):
    ids = _world(app)
    theme = "werkzame-elementen:eigenaarschap-vergroten"
    exchange = db.session.get(LearningExchange, _exchange(app, ids, theme=theme))
    evidence = services.evidence(exchange)
    assert evidence.columns[0].qualified_slug == theme and evidence.theme_column == 0
    assert len(evidence.columns) == 7 and evidence.theme_total == 0


def test_a_question_only_exchange_shows_all_shared_evidence(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids, theme=None, question="Wat werkt?")
    body = _client(app, "coord").get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Wat werkt?" in body and "Trekker vertrekt" in body
    assert "nog niets gedeeld" not in body


def test_the_evidence_page_lists_a_cell_and_refuses_strangers(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    client = _client(app, "onderzoek")
    body = client.get(f"/exchanges/{exchange_id}/evidence?collaboration=a1&code={FIN}"
                      ).get_data(as_text=True)
    for title in ("Subsidie aangevraagd", "Vaste financiering", "Les over geld"):
        assert title in body
    assert "Trekker vertrekt" not in body
    assert client.get(f"/exchanges/{exchange_id}/evidence?collaboration=c1").status_code == 404
    assert client.get(f"/exchanges/{exchange_id}/evidence?collaboration=a1&code=x:y"
                      ).status_code == 404


def test_the_matrix_links_through_to_the_items(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    body = _client(app, "coord").get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert f"/exchanges/{exchange_id}/evidence?collaboration=a1&amp;code={FIN}" in body
    # The number is always written out, next to the shading.
    assert re.search(r'class="cell level-2 theme-col">\s*<a [^>]+>\s*'
                     r'<strong class="cell-total">5', body)


# Maps


def test_maps_side_by_side_and_combined_hold_only_shared_theme_items(app, ctx):
    ids = _world(app)
    exchange = db.session.get(LearningExchange, _exchange(app, ids))
    maps = exchange_maps.side_by_side(exchange)
    assert [m.collaboration.slug for m in maps] == ["a1", "a2", "b1"]
    titles = {m.collaboration.slug: {e.node.title for e in m.outline.activities}
              | {c.node.title for e in m.outline.activities for c in e.children}
              | {e.node.title for e in m.outline.without_cause} for m in maps}
    assert titles["a1"] == {"Subsidie aangevraagd", "Vaste financiering"}
    assert titles["b1"] == {"IZA-aanvraag"}
    assert maps[1].svg is None and "deelt niets met het leernetwerk" in maps[1].problem
    assert maps[0].svg is not None and 'id="map0-map-title"' in maps[0].svg
    combined = exchange_maps.combined(exchange)
    assert combined.nodes == 3
    # One band per collaboration (Graphviz writes "-" in ids as &#45;).
    assert 'id="combined-group&#45;0"' in combined.svg
    assert 'id="combined-group&#45;1"' in combined.svg
    assert "Dorp A" in combined.svg and "Stad B" in combined.svg
    for secret in SECRETS:
        assert secret not in combined.svg and secret not in maps[0].svg


def test_maps_on_the_exchange_page_are_the_map_itself_with_their_key_under_it(app, ctx):
    """Beside another map, a legend box and a title in the picture took most of it (the
    page heads each map): the picture has neither, and its key is written under it,
    for the signs it draws. On paper the pack keeps its own key (test_print_maps)."""
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    exchange = db.session.get(LearningExchange, exchange_id)
    for drawn in [exchange_maps.side_by_side(exchange)[0], exchange_maps.combined(exchange)]:
        assert "legend&#45;" not in drawn.svg, drawn.key
        assert re.search(r"<text[^>]*>Rimpelkaart|<text[^>]*>Gezamenlijke", drawn.svg) is None
        assert f'id="{drawn.key}-map-title">{drawn.title}</title>' in drawn.svg
        texts = [text for text, _colour in drawn.screen_key]
        assert any("Activiteit" in text for text in texts), texts
        assert any("effect" in text for text in texts), texts
    body = _client(app, "coord").get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    keys = re.findall(r'<ul class="map-key"[^>]*>(.*?)</ul>', body, re.S)
    assert len(keys) == 3  # the two maps with items, and the combined map
    assert all("Activiteit" in key for key in keys)


def test_the_exchange_page_has_no_duplicate_ids(app):
    ids = _world(app)
    body = _client(app, "coord").get(f"/exchanges/{_exchange(app, ids)}").get_data(
        as_text=True)
    found = re.findall(r'\sid="([^"]+)"', body)
    duplicates = {x for x in found if found.count(x) > 1}
    assert not duplicates


def test_prefix_ids_rewrites_ids_and_references():
    svg = ('<svg aria-labelledby="map-title" aria-describedby="map-desc"><title id="map-title">'
           '</title><g id="a"><a xlink:href="#a" href="/x"><path fill="url(#grad)"/></a></g></svg>')
    out = exchange_maps.prefix_ids(svg, "m1")
    assert 'aria-labelledby="m1-map-title"' in out and 'id="m1-map-title"' in out
    assert 'xlink:href="#m1-a"' in out and 'href="/x"' in out and "url(#m1-grad)" in out


# The pack


def test_the_pack_is_a_printable_page_and_a_pdf(app, monkeypatch):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    client = _client(app, "coord")
    page = client.get(f"/exchanges/{exchange_id}/pack")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "css/pack.css" in body and "<script" not in body
    assert "Uitwisselingspakket" in body and "Les over geld" in body
    if pdf.available():
        response = client.get(f"/exchanges/{exchange_id}/pack.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
    monkeypatch.setattr(pdf, "available", lambda: False)
    response = client.get(f"/exchanges/{exchange_id}/pack.pdf")
    assert response.status_code == 503 and "afdrukvenster" in response.get_data(as_text=True)
    assert "PDF downloaden" not in client.get(f"/exchanges/{exchange_id}/pack").get_data(
        as_text=True)


# Outcomes and adopting them


def _outcome(client, exchange_id: int, **data) -> None:
    url = f"/exchanges/{exchange_id}"
    r = post(client, f"{url}/outcomes", {"kind": "insight", "title": "Een inzicht", **data},
             token_from=url)
    assert r.status_code == 302


def test_the_coordinator_records_outcomes_and_others_cannot(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    coord = _client(app, "coord")
    _outcome(coord, exchange_id, kind="follow_up", title="Bel de verzekeraar",
             due_date=(date.today() + timedelta(days=30)).isoformat())
    body = coord.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Vervolgactie" in body and "Bel de verzekeraar" in body
    facilitator = _client(app, "fac-a1")
    r = post(facilitator, f"/exchanges/{exchange_id}/outcomes", {"kind": "insight",
                                                                  "title": "Niet van mij"},
             token_from=f"/exchanges/{exchange_id}")
    assert r.status_code == 403
    r = post(coord, f"/exchanges/{exchange_id}/outcomes", {"kind": "insight", "title": ""},
             token_from=f"/exchanges/{exchange_id}")
    assert "Geef de uitkomst een korte titel." in coord.get(
        r.headers["Location"]).get_data(as_text=True)


def test_a_facilitator_adopts_an_outcome_into_the_log_citing_the_exchange(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    due = (date.today() + timedelta(days=30))
    _outcome(_client(app, "coord"), exchange_id, kind="follow_up", title="Bel de verzekeraar",
             body="Samen met Stad B.", due_date=due.isoformat())
    with app.app_context():
        outcome_id = db.session.scalar(sa.select(ExchangeOutcome.id))
    facilitator = _client(app, "fac-a1")
    url = f"/exchanges/{exchange_id}/outcomes/{outcome_id}/adopt"
    r = post(facilitator, url, {"collaboration_id": str(ids["a1"])},
             token_from=f"/exchanges/{exchange_id}")
    assert r.status_code == 302 and "/collaborations/a1/log/" in r.headers["Location"]
    entry_page = facilitator.get(r.headers["Location"]).get_data(as_text=True)
    assert "Bel de verzekeraar" in entry_page and "Geld voor de lange termijn" in entry_page
    assert f'href="/exchanges/{exchange_id}"' in entry_page
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.title == "Bel de verzekeraar"))
        assert entry.kind == "action" and entry.due_date == due
        assert entry.owner_id == ids["people"]["fac-a1"] and entry.visibility == "collaboration"
        assert [c.exchange_id for c in entry.citations] == [exchange_id]
        assert [c.qualified_slug for c in entry.codes] == [FIN]
        entry_id = entry.id
    assert "Bel de verzekeraar" in facilitator.get("/collaborations/a1/log").get_data(
        as_text=True)
    # Adopting again gives the same entry.
    r = post(facilitator, url, {"collaboration_id": str(ids["a1"])},
             token_from=f"/exchanges/{exchange_id}")
    assert r.headers["Location"].endswith(f"/log/{entry_id}")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeAdoption)) == 1
    # The exchange page tells who adopted it; an adopted outcome can no longer be removed.
    coord = _client(app, "coord")
    body = coord.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "In het leerlogboek van" in body and "Dorp A" in body
    r = post(coord, f"/exchanges/{exchange_id}/outcomes/{outcome_id}/delete", {},
             token_from=f"/exchanges/{exchange_id}")
    with app.app_context():
        assert db.session.get(ExchangeOutcome, outcome_id) is not None


def test_only_facilitators_of_participants_adopt(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    _outcome(_client(app, "coord"), exchange_id)
    with app.app_context():
        outcome_id = db.session.scalar(sa.select(ExchangeOutcome.id))
    url = f"/exchanges/{exchange_id}/outcomes/{outcome_id}/adopt"
    for who in ("lid-a1", "fac-c1", "onderzoek"):
        r = post(_client(app, who), url, {"collaboration_id": str(ids["a1"])},
                 token_from=f"/exchanges/{exchange_id}")
        assert r.status_code == 403, who
    # Facilitator of b1 cannot adopt into a1's log.
    r = post(_client(app, "fac-b1"), url, {"collaboration_id": str(ids["a1"])},
             token_from=f"/exchanges/{exchange_id}")
    assert r.status_code == 302 and "/log/" not in r.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeAdoption)) == 0


def test_outcomes_can_be_removed_before_anyone_adopts_them(app):
    ids = _world(app)
    exchange_id = _exchange(app, ids)
    coord = _client(app, "coord")
    _outcome(coord, exchange_id, title="Vergissing")
    with app.app_context():
        outcome_id = db.session.scalar(sa.select(ExchangeOutcome.id))
    r = post(coord, f"/exchanges/{exchange_id}/outcomes/{outcome_id}/delete", {},
             token_from=f"/exchanges/{exchange_id}")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ExchangeOutcome, outcome_id) is None
        assert db.session.scalar(sa.select(AuditEvent.action).where(
            AuditEvent.action == "outcome_delete")) == "outcome_delete"


def test_adopt_service_rules(app, ctx):
    ids = _world(app)
    exchange = db.session.get(LearningExchange, _exchange(app, ids))
    outcome = services.add_outcome(exchange, "agreement", "We delen aanvragen")
    with pytest.raises(services.ExchangeError, match="deelnemers"):
        services.adopt(outcome, db.session.get(Collaboration, ids["c1"]))
    entry, created = services.adopt(outcome, db.session.get(Collaboration, ids["b1"]))
    assert created and entry.kind == "decision" and entry.owner_id is None
    # An adopted entry deleted from the log comes back when adopted again.
    from rem.logbook.services import delete_entry

    delete_entry(entry)
    again, created = services.adopt(outcome, db.session.get(Collaboration, ids["b1"]))
    assert again.id == entry.id and not created and again.deleted_at is None
    with pytest.raises(services.ExchangeError):
        services.add_outcome(exchange, "gossip", "x")
    citation = db.session.scalar(sa.select(LogCitation).where(LogCitation.entry_id == entry.id))
    assert citation.target_type == "exchange"


# Demo data


def test_the_demo_exchange_on_financial_sustainability(app):
    from rem.demo.loader import load_demo

    with app.app_context():
        counts = load_demo()
        db.session.commit()
        assert counts["exchanges"] == 1 and counts["log_entries"] >= 8
        exchange = db.session.scalar(sa.select(LearningExchange))
        assert exchange.theme_code.qualified_slug == FIN
        assert {c.hub.slug for c in exchange.participants} == {"utrecht", "twente"}
        evidence = services.evidence(exchange)
        assert not evidence.silent and evidence.theme_total >= 4
        adoption = db.session.scalar(sa.select(ExchangeAdoption))
        assert adoption.collaboration.slug == "achterveld"
        assert load_demo()["exchanges"] == 0
        db.session.commit()
        exchange_id, adopted = exchange.id, adoption.outcome.title
    coordinator = _client(app, "coordinator")
    body = coordinator.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Financiële duurzaamheid" in body and "Bewerken" in body
    facilitator = _client(app, "achterveld")
    log = facilitator.get("/collaborations/achterveld/log").get_data(as_text=True)
    assert adopted in log


def test_an_exchange_and_its_pack_show_a_participants_saved_view(app):
    from werkzeug.datastructures import MultiDict

    from rem.exchanges.models import exchange_participants
    from rem.maps import saved

    ids = _world(app)
    exchange_id = _exchange(app, ids)
    with app.test_request_context():
        a1 = db.session.get(Collaboration, ids["a1"])
        b1 = db.session.get(Collaboration, ids["b1"])
        view = saved.create_view(a1, "Rimpels rond het midden",
                                 MultiDict({"layout": "radial", "color_by": "order"}))
        other = saved.create_view(b1, "Van Stad B", MultiDict({"layout": "radial"}))
        db.session.commit()
        view_id, other_id = view.id, other.id

    def shown() -> int | None:
        with app.app_context():
            return db.session.scalar(sa.select(exchange_participants.c.map_view_id).where(
                exchange_participants.c.exchange_id == exchange_id,
                exchange_participants.c.collaboration_id == ids["a1"]))

    # The facilitator of a1 chooses the view on the exchange page.
    fac = _client(app, "fac-a1")
    page = fac.get(f"/exchanges/{exchange_id}").get_data(as_text=True)
    assert "Kaart van Dorp A in deze uitwisseling" in page
    assert "Kaart van Stad B in deze uitwisseling" not in page  # not theirs to choose
    response = post(fac, f"/exchanges/{exchange_id}/map-view",
                    {"collaboration": str(ids["a1"]), "view": str(view_id)})
    assert response.status_code == 302 and shown() == view_id
    for path in (f"/exchanges/{exchange_id}", f"/exchanges/{exchange_id}/pack"):
        body = _client(app, "coord").get(path).get_data(as_text=True)
        assert "Rimpels rond het midden" in body, path
        assert 'id="map0-ring&#45;1"' in body, path  # drawn radially, with its rings
        assert "Subsidie aangevraagd" in body and "Trekker vertrekt" not in body  # theme kept
    # Another collaboration's view, or a stranger choosing: refused, nothing changes.
    post(fac, f"/exchanges/{exchange_id}/map-view",
         {"collaboration": str(ids["a1"]), "view": str(other_id)})
    assert shown() == view_id
    stranger = _client(app, "fac-b1")
    assert post(stranger, f"/exchanges/{exchange_id}/map-view",
                {"collaboration": str(ids["a1"]), "view": ""}).status_code == 403
    assert post(fac, f"/exchanges/{exchange_id}/map-view",
                {"collaboration": str(ids["c1"]), "view": ""}).status_code == 404
    assert shown() == view_id
    # Back to the plain map; a binned view is no longer shown either.
    post(fac, f"/exchanges/{exchange_id}/map-view", {"collaboration": str(ids["a1"]), "view": ""})
    assert shown() is None
    post(fac, f"/exchanges/{exchange_id}/map-view",
         {"collaboration": str(ids["a1"]), "view": str(view_id)})
    with app.test_request_context():
        saved.delete_view(db.session.get(saved.SavedView, view_id))
        db.session.commit()
    body = _client(app, "coord").get(f"/exchanges/{exchange_id}/pack").get_data(as_text=True)
    assert "Rimpels rond het midden" not in body and "Subsidie aangevraagd" in body
