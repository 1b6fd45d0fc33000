"""The learning log: entries, evidence they cite, rules, optimistic locking, audit, pages."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from rem.access import load_access
from rem.access.entries import may_edit, may_share, may_write, sees_entry
from rem.accounts.models import Role, User
from rem.audit.models import AuditEvent
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.logbook import services
from rem.logbook.models import LogEntry
from rem.ripples import services as ripple_services
from rem.ripples.models import Activity
from tests import factories
from tests.conftest import login, post

TODAY = date.today().isoformat()


def _world(app) -> dict:
    """Collaboration dorp (hub A) with a facilitator, two members and items; elders (hub B)
    with its own facilitator and an item."""
    with app.app_context():
        hub_a = factories.HubFactory(slug="hub-a")
        hub_b = factories.HubFactory(slug="hub-b")
        dorp = factories.CollaborationFactory(slug="dorp", name="Dorp", hub=hub_a)
        elders = factories.CollaborationFactory(slug="elders", name="Elders", hub=hub_b)
        people = {}
        for email, collab, role in [
            ("fac@example.org", dorp, Role.FACILITATOR), ("lid@example.org", dorp, Role.MEMBER),
            ("lid2@example.org", dorp, Role.MEMBER), ("ander@example.org", elders,
                                                      Role.FACILITATOR)]:
            user = factories.UserFactory(email=email, name=email.split("@")[0].title())
            factories.MembershipFactory(user=user, collaboration_id=collab.id, role=role.value)
            people[email] = user
        researcher = factories.UserFactory(email="onderzoek@example.org", is_researcher=True)
        markt = factories.ActivityFactory(collaboration=dorp, title="Inspiratiemarkt")
        effect = factories.EffectFactory(collaboration=dorp, title="Vrijwilligers melden zich",
                                         visibility="network")
        vreemd = factories.ActivityFactory(collaboration=elders, title="Vreemde activiteit")
        db.session.commit()
        return {"dorp": dorp.id, "elders": elders.id, "markt": markt.id, "effect": effect.id,
                "vreemd": vreemd.id, "lid": people["lid@example.org"].id,
                "fac": people["fac@example.org"].id, "researcher": researcher.id}


def _new_entry(client, data: dict, slug: str = "dorp"):
    payload = {"kind": "lesson", "title": "Persoonlijk uitnodigen werkt", "entry_date": TODAY,
               "body": "", "owner_id": ""}
    payload.update(data)
    return post(client, f"/collaborations/{slug}/log/new", payload,
                token_from=f"/collaborations/{slug}/log/new")


def _add(app, ids: dict, **fields) -> None:
    """Add an entry to dorp directly (no rules, no audit)."""
    with app.app_context():
        factories.LogEntryFactory(collaboration=db.session.get(Collaboration, ids["dorp"]),
                                  **fields)
        db.session.commit()


def _entry(app, title: str) -> LogEntry:
    with app.app_context():
        entry = db.session.scalar(sa.select(LogEntry).where(LogEntry.title == title))
        db.session.expunge_all()
        return entry


# Writing entries through the pages


def test_member_writes_an_entry_with_evidence_codes_and_markdown(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    fin = _code_id(app, "borging:financiele-duurzaamheid")
    r = _new_entry(client, {"title": "Eén subsidie is niet genoeg",
                            "body": "Wat gaat **goed**? <script>alert(1)</script>",
                            "items": [str(ids["markt"]), str(ids["effect"])],
                            "codes": [str(fin)], "visibility": "network"})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "<strong>goed</strong>" in page and "<script>alert" not in page
    assert "Inspiratiemarkt" in page and "Vrijwilligers melden zich" in page
    entry = _entry(app, "Eén subsidie is niet genoeg")
    # A member may not share: the visibility typed is ignored.
    assert entry.visibility == "collaboration"
    assert entry.author_id == ids["lid"] and entry.kind == "lesson"
    with app.app_context():
        entry = db.session.get(LogEntry, entry.id)
        assert {c.item_id for c in entry.citations} == {ids["markt"], ids["effect"]}
        assert [c.qualified_slug for c in entry.codes] == ["borging:financiele-duurzaamheid"]
    # The item page shows the entry that cites it.
    item_page = client.get(f"/collaborations/dorp/items/{ids['markt']}").get_data(as_text=True)
    assert "In het leerlogboek" in item_page and "Eén subsidie is niet genoeg" in item_page


def test_the_form_shows_the_prompts_and_preselects_the_cited_item(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    page = client.get(f"/collaborations/dorp/log/new?cite={ids['markt']}&kind=action")
    body = page.get_data(as_text=True)
    assert "Wat gaat goed?" in body and "Wat kan beter?" in body
    assert re.search(rf'value="{ids["markt"]}" checked', body)
    assert re.search(r'checked[^>]*value="action"', body)
    # An item of another collaboration is not offered (and ?cite= cannot pick it).
    assert "Vreemde activiteit" not in client.get(
        f"/collaborations/dorp/log/new?cite={ids['vreemd']}").get_data(as_text=True)
    # A member does not see the visibility choice.
    assert 'name="visibility"' not in body


def test_facilitator_may_share_an_entry_with_the_network(app, client):
    _world(app)
    login(client, "fac@example.org")
    assert 'name="visibility"' in client.get("/collaborations/dorp/log/new").get_data(
        as_text=True)
    assert _new_entry(client, {"title": "Gedeelde les", "visibility": "network"}
                      ).status_code == 302
    assert _entry(app, "Gedeelde les").visibility == "network"


@pytest.mark.parametrize("data,message", [
    ({"title": ""}, "Geef een titel op."),
    ({"title": "x" * 201}, "Te lang: hoogstens 200 tekens."),
    ({"entry_date": (date.today() + timedelta(days=10)).isoformat()}, "toekomst"),
    ({"entry_date": "1850-01-01"}, "vóór 1900"),
    ({"kind": "roddel"}, "ngeldige keuze"),
    ({"body": "x" * 20_001}, "Te lang: hoogstens 20000 tekens."),
])
def test_bad_input_is_refused_with_a_message(app, client, data, message):
    _world(app)
    login(client, "lid@example.org")
    r = _new_entry(client, data)
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LogEntry)) == 0


def test_an_item_of_another_collaboration_cannot_be_cited(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    r = _new_entry(client, {"items": [str(ids["vreemd"])]})
    assert r.status_code == 200 and "ngeldige keuze" in r.get_data(as_text=True)
    # The service refuses it too, whatever the form does.
    with app.test_request_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        with pytest.raises(services.LogError, match="aanhalen"):
            services.create_entry(dorp, services.EntryInput(
                kind="lesson", title="x", entry_date=date.today(), item_ids=[ids["vreemd"]]))
        db.session.rollback()


def test_an_entry_cannot_cite_itself_or_an_entry_elsewhere(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    elders = db.session.get(Collaboration, ids["elders"])
    here = services.create_entry(dorp, services.EntryInput(kind="lesson", title="Hier",
                                                           entry_date=date.today()))
    there = services.create_entry(elders, services.EntryInput(kind="lesson", title="Daar",
                                                              entry_date=date.today()))
    with pytest.raises(services.LogError, match="zichzelf"):
        services.update_entry(here, services.EntryInput(
            kind="lesson", title="Hier", entry_date=date.today(), entry_ids=[here.id]),
            here.version)
    with pytest.raises(services.LogError, match="aanhalen"):
        services.create_entry(dorp, services.EntryInput(
            kind="lesson", title="x", entry_date=date.today(), entry_ids=[there.id]))


# Who may change what


def test_members_edit_their_own_entries_and_facilitators_edit_all(app, client):
    ids = _world(app)
    _add(app, ids, title="Van lid", author_id=ids["lid"])
    entry = _entry(app, "Van lid")
    other = app.test_client()
    login(other, "lid2@example.org")
    assert other.get(f"/collaborations/dorp/log/{entry.id}").status_code == 200
    assert other.get(f"/collaborations/dorp/log/{entry.id}/edit").status_code == 403
    assert other.get(f"/collaborations/dorp/log/{entry.id}/delete").status_code == 403
    login(client, "lid@example.org")
    assert client.get(f"/collaborations/dorp/log/{entry.id}/edit").status_code == 200
    fac = app.test_client()
    login(fac, "fac@example.org")
    r = post(fac, f"/collaborations/dorp/log/{entry.id}/edit",
             {"kind": "decision", "title": "Door begeleider", "entry_date": TODAY,
              "version": str(entry.version), "owner_id": "", "visibility": "hub"},
             token_from=f"/collaborations/dorp/log/{entry.id}/edit")
    assert r.status_code == 302
    changed = _entry(app, "Door begeleider")
    assert changed.kind == "decision" and changed.visibility == "hub"
    assert changed.author_id == ids["lid"]  # the author stays the author
    # When the member edits the shared entry, the sharing stays as the facilitator set it.
    r = post(client, f"/collaborations/dorp/log/{entry.id}/edit",
             {"kind": "decision", "title": "Door lid", "entry_date": TODAY,
              "version": str(changed.version), "owner_id": "", "visibility": "collaboration"},
             token_from=f"/collaborations/dorp/log/{entry.id}/edit")
    assert r.status_code == 302
    assert _entry(app, "Door lid").visibility == "hub"


def test_access_rules_for_entries(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    entry = factories.LogEntryFactory(collaboration=dorp, author_id=ids["lid"])
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    lid = load_access(users["lid@example.org"])
    lid2 = load_access(users["lid2@example.org"])
    fac = load_access(users["fac@example.org"])
    ander = load_access(users["ander@example.org"])
    researcher = load_access(users["onderzoek@example.org"])
    assert may_write(lid, dorp) and may_write(fac, dorp)
    assert not may_write(ander, dorp) and not may_write(researcher, dorp)
    assert may_edit(lid, entry) and may_edit(fac, entry) and not may_edit(lid2, entry)
    assert may_share(fac, dorp) and not may_share(lid, dorp)
    assert not sees_entry(ander, entry) and not sees_entry(researcher, entry)
    entry.visibility = "network"
    assert sees_entry(ander, entry) and sees_entry(researcher, entry)
    assert not may_edit(ander, entry)


def test_private_entries_stay_private(app, client):
    ids = _world(app)
    _add(app, ids, title="Geheime les", author_id=ids["lid"])
    _add(app, ids, title="Gedeelde les", author_id=ids["lid"], visibility="network")
    secret = _entry(app, "Geheime les")
    shared = _entry(app, "Gedeelde les")
    for email in ("ander@example.org", "onderzoek@example.org"):
        c = app.test_client()
        login(c, email)
        log = c.get("/collaborations/dorp/log").get_data(as_text=True)
        assert "Geheime les" not in log and "Gedeelde les" in log
        assert c.get(f"/collaborations/dorp/log/{secret.id}").status_code == 404
        shared_page = c.get(f"/collaborations/dorp/log/{shared.id}").get_data(as_text=True)
        # Names are personal data: people outside the collaboration do not see who wrote it.
        assert "Lid" not in re.sub(r"<[^>]+>", " ", shared_page).split("Gedeelde les", 1)[1] \
            .split("</header>", 1)[0]
        assert "iemand van Dorp" in shared_page


def test_cited_items_that_are_not_shared_stay_hidden_on_a_shared_entry(app, client):
    ids = _world(app)
    with app.test_request_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        entry = services.create_entry(dorp, services.EntryInput(
            kind="lesson", title="Gedeeld met verwijzingen", entry_date=date.today(),
            visibility="network", item_ids=[ids["markt"], ids["effect"]]))
        db.session.commit()
        entry_id = entry.id
    login(client, "ander@example.org")
    page = client.get(f"/collaborations/dorp/log/{entry_id}").get_data(as_text=True)
    assert "Vrijwilligers melden zich" in page  # shared with the network
    assert "Inspiratiemarkt" not in page  # private to dorp
    assert "1 bron is niet te zien" in page


# Optimistic locking, bin and audit


def test_a_save_over_a_newer_save_is_refused_and_both_versions_shown(app, client):
    ids = _world(app)
    _add(app, ids, title="Origineel", author_id=ids["lid"])
    entry = _entry(app, "Origineel")
    login(client, "lid@example.org")
    form = {"kind": "lesson", "entry_date": TODAY, "owner_id": "",
            "version": str(entry.version)}
    assert post(client, f"/collaborations/dorp/log/{entry.id}/edit",
                {**form, "title": "Eerste wijziging"},
                token_from=f"/collaborations/dorp/log/{entry.id}/edit").status_code == 302
    r = post(client, f"/collaborations/dorp/log/{entry.id}/edit",
             {**form, "title": "Tweede wijziging"},
             token_from=f"/collaborations/dorp/log/{entry.id}/edit")
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Eerste wijziging" in body and "Tweede wijziging" in body
    assert _entry(app, "Eerste wijziging") is not None


def test_changing_only_codes_or_citations_bumps_the_version(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    entry = services.create_entry(dorp, services.EntryInput(kind="lesson", title="V",
                                                            entry_date=date.today()))
    before = entry.version
    services.update_entry(entry, services.EntryInput(
        kind="lesson", title="V", entry_date=date.today(), item_ids=[ids["markt"]]), before)
    assert entry.version == before + 1


def test_delete_and_restore_with_audit_events(app, client):
    ids = _world(app)
    login(client, "lid@example.org")
    r = _new_entry(client, {"title": "Weg en terug"})
    entry = _entry(app, "Weg en terug")
    assert post(client, f"/collaborations/dorp/log/{entry.id}/edit",
                {"kind": "lesson", "title": "Weg en terug", "entry_date": TODAY,
                 "owner_id": "", "body": "meer", "version": str(entry.version)},
                token_from=f"/collaborations/dorp/log/{entry.id}/edit").status_code == 302
    r = post(client, f"/collaborations/dorp/log/{entry.id}/delete", {},
             token_from=f"/collaborations/dorp/log/{entry.id}/delete")
    assert r.status_code == 302
    listed = f'/collaborations/dorp/log/{entry.id}">Weg en terug</a>'
    assert listed not in client.get("/collaborations/dorp/log").get_data(as_text=True)
    assert listed in client.get("/collaborations/dorp/log/bin").get_data(as_text=True)
    # Others see nothing of it; its author can open it to restore it.
    other = app.test_client()
    login(other, "lid2@example.org")
    assert other.get(f"/collaborations/dorp/log/{entry.id}").status_code == 404
    assert listed not in other.get("/collaborations/dorp/log/bin").get_data(as_text=True)
    r = post(client, f"/collaborations/dorp/log/{entry.id}/restore", {},
             token_from="/collaborations/dorp/log/bin")
    assert r.status_code == 302
    assert listed in client.get("/collaborations/dorp/log").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.entity_type == "log_entry",
                                               AuditEvent.entity_id == entry.id)
            .order_by(AuditEvent.id)).all()
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.entity_type == "log_entry", AuditEvent.action == "update"))
        assert event.after == {"body": "meer"} and event.user_id == ids["lid"]
    assert actions == ["create", "update", "delete", "restore"]
    history = client.get(f"/collaborations/dorp/log/{entry.id}").get_data(as_text=True)
    assert "naar prullenbak" in history and "teruggezet" in history


def test_deleted_entries_are_not_shown_as_citing_an_item(app, client):
    ids = _world(app)
    with app.test_request_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        entry = services.create_entry(dorp, services.EntryInput(
            kind="lesson", title="Citeert de markt", entry_date=date.today(),
            item_ids=[ids["markt"]]))
        services.delete_entry(entry)
        db.session.commit()
    login(client, "lid@example.org")
    page = client.get(f"/collaborations/dorp/items/{ids['markt']}").get_data(as_text=True)
    assert "Citeert de markt" not in page


def test_entries_citing_another_entry_are_listed(app, client):
    ids = _world(app)
    with app.test_request_context():
        dorp = db.session.get(Collaboration, ids["dorp"])
        first = services.create_entry(dorp, services.EntryInput(
            kind="question", title="Vraag", entry_date=date.today()))
        services.create_entry(dorp, services.EntryInput(
            kind="decision", title="Antwoord", entry_date=date.today(), entry_ids=[first.id]))
        db.session.commit()
        first_id = first.id
    login(client, "lid@example.org")
    page = client.get(f"/collaborations/dorp/log/{first_id}").get_data(as_text=True)
    assert "Regels die hiernaar verwijzen" in page and "Antwoord" in page


def test_log_page_filters_on_kind_and_counts(app, client):
    ids = _world(app)
    for kind, title in [("lesson", "Les A"), ("lesson", "Les B"), ("question", "Vraag C")]:
        _add(app, ids, kind=kind, title=title)
    login(client, "lid@example.org")
    page = client.get("/collaborations/dorp/log?kind=question").get_data(as_text=True)
    assert "Vraag C" in page and "Les A" not in page
    assert "Lessen (2)" in page and "Alles (3)" in page
    assert "Les A" in client.get("/collaborations/dorp/log?kind=nonsense").get_data(
        as_text=True)


def _code_id(app, qualified: str) -> int:
    with app.app_context():
        return code_by_qualified_slug(qualified).id


def test_purging_an_items_bin_keeps_the_entry(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    markt = db.session.get(Activity, ids["markt"])
    entry = services.create_entry(dorp, services.EntryInput(
        kind="lesson", title="Over de markt", entry_date=date.today(), item_ids=[markt.id]))
    ripple_services.delete_item(markt)
    db.session.flush()
    ripple_services.purge_bin(dorp)
    db.session.commit()
    db.session.expire_all()
    entry = db.session.get(LogEntry, entry.id)
    assert entry is not None
    access = load_access(db.session.get(User, ids["lid"]))
    shown, hidden = services.visible_citations(entry, access)
    assert shown == [] and hidden <= 1


def test_a_citation_of_a_binned_item_survives_an_edit(app, ctx):
    ids = _world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    entry = services.create_entry(dorp, services.EntryInput(
        kind="lesson", title="Over de markt", entry_date=date.today(),
        item_ids=[ids["markt"], ids["effect"]]))
    ripple_services.delete_item(db.session.get(Activity, ids["markt"]))
    services.update_entry(entry, services.EntryInput(
        kind="lesson", title="Over de markt", entry_date=date.today(),
        item_ids=[ids["effect"]]), entry.version)
    assert {c.item_id for c in entry.citations} == {ids["markt"], ids["effect"]}
    ripple_services.restore_item(db.session.get(Activity, ids["markt"]))
    services.update_entry(entry, services.EntryInput(
        kind="lesson", title="Over de markt", entry_date=date.today(),
        item_ids=[ids["effect"]]), entry.version)
    assert {c.item_id for c in entry.citations} == {ids["effect"]}

