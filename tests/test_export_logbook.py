"""Exports of the learning log and the session of origin; hub, "everything" and exchange
scopes. A private entry never reaches a researcher or an outsider."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import networkx as nx
import pytest
from openpyxl import load_workbook

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import login, post
from tests.test_export_formats import build_log, cli_export

FORMATS = ("json", "csv", "xlsx", "graphml", "ripplefx")


def _entry_texts(fmt: str, data: bytes) -> str:
    """Return every cell of an export as one text, to look for leaks."""
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                         for v in row)
    if fmt in ("csv", "ripplefx"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return data.decode("utf-8")


@pytest.fixture
def world(app):
    ids = build_log(app)
    from rem.exchanges.models import LearningExchange
    from rem.workshops import services as sessions

    with app.app_context():
        collab = db.session.get(factories.CollaborationFactory._meta.model, ids["collab"])
        fac = db.session.scalar(db.select(factories.UserFactory._meta.model)
                                .filter_by(email="fac@example.org"))
        member = db.session.scalar(db.select(factories.UserFactory._meta.model)
                                   .filter_by(email="member@example.org"))
        outsider = factories.UserFactory(email="outsider@example.org", name="Olga Buiten")
        other = factories.CollaborationFactory(slug="elders", hub=collab.hub, name="Elders")
        db.session.flush()
        factories.MembershipFactory(user=outsider, collaboration_id=other.id,
                                    role=Role.FACILITATOR.value)
        shared = factories.LogEntryFactory(
            collaboration=collab, kind="action", title="Gedeelde actie",
            body="**Anna de Vries** belt Bram Bakker.", author_id=fac.id, owner_id=member.id,
            due_date=date(2024, 10, 1), visibility="network")
        shared.codes = [code_by_qualified_slug("borging:infrastructuur")]
        from rem.logbook.models import LogCitation

        shared.citations = [LogCitation(item_id=ids["market"]),
                            LogCitation(item_id=ids["private"])]
        private = factories.LogEntryFactory(collaboration=collab, title="Geheime les",
                                            body="Alleen voor ons.", author_id=member.id)
        session = sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Voorjaarssessie", held_on=date(2024, 3, 1),
            focus_question="Wat veranderde er?"))
        db.session.flush()
        db.session.get(RippleItem, ids["effect"]).session_id = session.id
        exchange = LearningExchange(title="Uitwisseling", question="Hoe verder?",
                                    participants=[collab, other], created_by_id=fac.id,
                                    theme_code=code_by_qualified_slug("borging:infrastructuur"))
        db.session.add(exchange)
        db.session.commit()
        return {**ids, "shared_entry": shared.id, "private_entry": private.id,
                "session": session.id, "exchange": exchange.id}


def test_json_export_holds_entries_and_sessions(app, tmp_path, world):
    doc = json.loads(cli_export(app, tmp_path, "json"))
    assert doc["format"] == "rem/1"
    entries = {e["id"]: e for e in doc["log_entries"]}
    assert set(entries) == {world["shared_entry"], world["private_entry"]}
    action = entries[world["shared_entry"]]
    assert action["kind"] == "action" and action["date"] == "2024-09-01"
    assert action["body"] == "Anna de Vries belt Bram Bakker."  # plain text, no Markdown
    assert action["author"] == "Anna de Vries" and action["author_role"] == "facilitator"
    assert action["owner"] == "Bram Bakker" and action["due_date"] == "2024-10-01"
    assert action["visibility"] == "network"
    assert action["codes"] == ["borging:infrastructuur"]
    assert sorted(action["cited_item_ids"]) == sorted([world["market"], world["private"]])
    items = {i["id"]: i for i in doc["items"]}
    assert items[world["effect"]]["session_id"] == world["session"]
    assert items[world["market"]]["session_id"] is None
    assert doc["sessions"] == [{"id": world["session"], "collaboration": "achterveld",
                                "title": "Voorjaarssessie", "date": "2024-03-01",
                                "place": "", "focus_question": "Wat veranderde er?"}]


def test_pseudonymised_entries(app, tmp_path, world):
    doc = json.loads(cli_export(app, tmp_path, "json", "--pseudonymise"))
    action = next(e for e in doc["log_entries"] if e["id"] == world["shared_entry"])
    assert "Anna" not in action["body"] and "Bram" not in action["body"]
    assert action["author"] == "facilitator" and action["owner"] == "member"
    text = json.dumps(doc, ensure_ascii=False)
    assert "Anna de Vries" not in text and "Bram Bakker" not in text


def test_tables_and_graphml_carry_entries_and_session(app, tmp_path, world):
    archive = zipfile.ZipFile(io.BytesIO(cli_export(app, tmp_path, "csv")))
    rows = list(csv.DictReader(io.StringIO(archive.read("log_entries.csv").decode())))
    assert {int(r["id"]) for r in rows} == {world["shared_entry"], world["private_entry"]}
    nodes = {int(r["id"]): r for r in csv.DictReader(
        io.StringIO(archive.read("nodes.csv").decode()))}
    assert nodes[world["effect"]]["session_id"] == str(world["session"])
    book = load_workbook(io.BytesIO(cli_export(app, tmp_path, "xlsx")))
    assert book["log_entries"].max_row == 3
    header = [c.value for c in next(book["nodes"].iter_rows(max_row=1))]
    assert "session_id" in header
    path = tmp_path / "g.graphml"
    path.write_bytes(cli_export(app, tmp_path, "graphml"))
    graph = nx.read_graphml(path)
    assert graph.nodes[str(world["effect"])]["session_id"] == world["session"]


def _web_export(client, fmt, **extra):
    response = post(client, "/collaborations/achterveld/export", {"format": fmt, **extra},
                    token_from="/collaborations/achterveld/export")
    assert response.status_code == 200, response.data[:300]
    return response.data


@pytest.mark.parametrize("email", ["researcher@example.org", "outsider@example.org"])
def test_private_entry_never_reaches_researcher_or_outsider(app, world, email):
    client = app.test_client()
    login(client, email)
    scopes = ["collaboration", "hub", "all"] if email.startswith("researcher") else [
        "collaboration"]
    for scope in scopes:
        for fmt in FORMATS:
            text = _entry_texts(fmt, _web_export(client, fmt, scope=scope))
            assert "Geheime les" not in text and "Alleen voor ons" not in text, (scope, fmt)
        doc = json.loads(_web_export(client, "json", scope=scope))
        assert [e["id"] for e in doc["log_entries"]] == [world["shared_entry"]]
        # A cited item the reader may not see is left out.
        assert doc["log_entries"][0]["cited_item_ids"] == [world["market"]]
        assert "Anna de Vries" not in json.dumps(doc, ensure_ascii=False)
    page = client.get(f"/exchanges/{world['exchange']}/export")
    assert page.status_code == 200
    for fmt in FORMATS:
        response = client.get(f"/exchanges/{world['exchange']}/export?format={fmt}")
        assert response.status_code == 200
        text = _entry_texts(fmt, response.data)
        assert "Geheime les" not in text and "Alleen voor ons" not in text


def test_scopes_offered_per_role(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    page = client.get("/collaborations/achterveld/export").get_data(as_text=True)
    assert 'value="hub"' not in page and 'value="all"' not in page
    response = post(client, "/collaborations/achterveld/export",
                    {"format": "json", "scope": "all"},
                    token_from="/collaborations/achterveld/export")
    assert response.status_code == 200 and b"rem/1" not in response.data[:50]
    client = app.test_client()
    login(client, "researcher@example.org")
    page = client.get("/collaborations/achterveld/export").get_data(as_text=True)
    assert 'value="hub"' in page and 'value="all"' in page


def test_member_gets_the_private_entries_of_own_collaboration(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    doc = json.loads(_web_export(client, "json"))
    assert {e["id"] for e in doc["log_entries"]} == {world["shared_entry"],
                                                     world["private_entry"]}


def test_exchange_export_is_the_shared_selection_on_its_theme(app, world):
    client = app.test_client()
    login(client, "fac@example.org")
    show = client.get(f"/exchanges/{world['exchange']}").get_data(as_text=True)
    assert f"/exchanges/{world['exchange']}/export" in show
    doc = json.loads(client.get(f"/exchanges/{world['exchange']}/export?format=json").data)
    # Only the network-shared item coded with the theme, even for its own facilitator.
    found = {i["id"] for i in doc["items"]}
    assert world["market"] in found  # shared and coded with the theme
    assert world["twin"] not in found  # shared, but not on the theme
    assert world["private"] not in found  # not shared with the network
    assert [e["id"] for e in doc["log_entries"]] == [world["shared_entry"]]
    assert client.get(f"/exchanges/{world['exchange']}/export?format=nope").status_code == 404


def _cli_exchange(app, tmp_path, reference, *extra):
    target = tmp_path / "exchange.json"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", "json", "--exchange", str(reference), "-o", str(target),
              *extra])
    return result, (target.read_bytes() if result.exit_code == 0 else b"")


def test_command_line_exports_an_exchange_selection_like_the_web(app, tmp_path, world):
    client = app.test_client()
    login(client, "fac@example.org")
    web = json.loads(client.get(f"/exchanges/{world['exchange']}/export?format=json").data)
    for reference in (world["exchange"], "uitwisseling", "Uitwisseling"):
        result, data = _cli_exchange(app, tmp_path, reference, "--as", "fac@example.org")
        assert result.exit_code == 0, result.output
        doc = json.loads(data)
        assert [i["id"] for i in doc["items"]] == [i["id"] for i in web["items"]]
        assert [e["id"] for e in doc["log_entries"]] == [world["shared_entry"]]
        assert {c["slug"] for c in doc["collaborations"]} == {"achterveld", "elders"}
    # Without --as (the operator): still only what was shared with the network, on theme.
    result, data = _cli_exchange(app, tmp_path, world["exchange"])
    found = {i["id"] for i in json.loads(data)["items"]}
    assert world["market"] in found and world["private"] not in found
    assert world["twin"] not in found
    # A researcher may; the collaboration's pseudonymisation rule still applies.
    result, data = _cli_exchange(app, tmp_path, world["exchange"], "--pseudonymise",
                                 "--as", "researcher@example.org")
    assert result.exit_code == 0, result.output
    assert "Anna de Vries" not in data.decode() and json.loads(data)["pseudonymised"]


def test_command_line_exchange_export_refuses(app, tmp_path, world):
    with app.app_context():
        factories.UserFactory(email="loner@example.org", name="Lonely")
        db.session.commit()
    result, _data = _cli_exchange(app, tmp_path, world["exchange"], "--as", "loner@example.org")
    assert result.exit_code != 0 and "may not see learning exchanges" in result.output
    result, _data = _cli_exchange(app, tmp_path, 9999)
    assert result.exit_code != 0 and "No learning exchange" in result.output
    result, _data = _cli_exchange(app, tmp_path, "bestaat-niet")
    assert result.exit_code != 0 and "No learning exchange" in result.output
    result, _data = _cli_exchange(app, tmp_path, world["exchange"], "--collaboration",
                                  "achterveld")
    assert result.exit_code != 0 and "one of" in result.output
    with app.app_context():
        from rem.exchanges.models import LearningExchange

        db.session.add(LearningExchange(title="Uitwisseling!", question="Nog een"))
        db.session.commit()
    result, _data = _cli_exchange(app, tmp_path, "uitwisseling")
    assert result.exit_code != 0 and "give the number" in result.output
    with app.app_context():
        from rem.audit.models import AuditEvent

        # Refused exports leave no trace of an export in the audit trail.
        assert not db.session.scalars(db.select(AuditEvent).filter_by(action="export")).all()


ENTRY_IGNORED = {"id", "collaboration", "author", "author_role", "owner", "created_at",
                 "updated_at", "cited_item_ids"}


def _entries(doc: dict) -> list[dict]:
    """The entries apart from ids, people and timestamps; citations by item position."""
    position = {item["id"]: n for n, item in enumerate(doc["items"])}
    return sorted(({**{k: v for k, v in e.items() if k not in ENTRY_IGNORED},
                    "cites": sorted(position[i] for i in e["cited_item_ids"])}
                   for e in doc["log_entries"]), key=lambda e: e["title"])


def test_json_round_trip_keeps_the_learning_log(app, tmp_path, world):
    from tests.test_import_formats import cli_import, make_world

    make_world(app)
    first = cli_export(app, tmp_path, "json")
    result = cli_import(app, tmp_path, "json", {"log.json": first})
    assert result.exit_code == 0, result.output
    target = tmp_path / "again.json"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", "json", "--collaboration", "doel", "-o", str(target)])
    assert result.exit_code == 0, result.output
    again = json.loads(target.read_bytes())
    assert _entries(again) == _entries(json.loads(first))
    assert len(again["log_entries"]) == 2
    # The session of origin comes along: a closed copy in the other collaboration.
    assert [(s["title"], s["date"], s["collaboration"]) for s in again["sessions"]] == [
        ("Voorjaarssessie", "2024-03-01", "doel")]
    effect = next(i for i in again["items"] if "vrijwilligers" in i["title"])
    assert effect["session_id"] == again["sessions"][0]["id"] != world["session"]
    assert sum(1 for i in again["items"] if i["session_id"]) == 1


def test_json_import_reads_sessions_and_notes_entries(app, tmp_path, world):
    from rem.interchange.imports import ImportOptions
    from rem.interchange.imports.base import UploadedFile
    from rem.interchange.imports.remjson import parse

    data = cli_export(app, tmp_path, "json")
    with app.test_request_context():
        plan = parse([UploadedFile("x.json", data)], ImportOptions(format="json"), 10**8)
    notes = " ".join(plan.notes)
    assert "leerlogboek" in notes
    assert [(s.title, s.held_on.isoformat()) for s in plan.workshops.values()] == [
        ("Voorjaarssessie", "2024-03-01")]
    assert [i.workshop_key for i in plan.items if i.workshop_key] == [str(world["session"])]


def test_coordinator_gets_the_hub_scope_but_not_everything(app, world):
    with app.app_context():
        from rem.hubs.models import Hub

        hub = db.session.scalar(db.select(Hub).filter_by(slug="hub-x"))
        coordinator = factories.UserFactory(email="coord@example.org")
        db.session.flush()
        factories.MembershipFactory(user=coordinator, hub_id=hub.id,
                                    role=Role.COORDINATOR.value)
        db.session.commit()
    client = app.test_client()
    login(client, "coord@example.org")
    page = client.get("/collaborations/achterveld/export").get_data(as_text=True)
    assert 'value="hub"' in page and 'value="all"' not in page
    doc = json.loads(_web_export(client, "json", scope="hub"))
    assert {c["slug"] for c in doc["collaborations"]} == {"achterveld", "elders"}
    assert {e["id"] for e in doc["log_entries"]} == {world["shared_entry"],
                                                     world["private_entry"]}
