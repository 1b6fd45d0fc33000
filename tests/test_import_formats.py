"""Imports: rem JSON round trip, RippleFX pairs, XMind (JSON and XML), tables; the
preview writes nothing and the import is all or nothing."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from openpyxl import Workbook

from rem.accounts.models import Role
from rem.codes.models import Code, Codebook
from rem.collaborations.services import by_slug
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import csrf_token, login
from tests.test_export_formats import build_log, cli_export

# --- small fixture files, made here ----------------------------------------------------


def xmind_json() -> bytes:
    """A current-format XMind map: root, a ring, deeper topics, detached, callout,
    an untitled topic, notes, labels, markers and a relationship."""
    content = [{
        "id": "sheet1", "class": "sheet", "title": "Rimpelkaart Achterveld",
        "rootTopic": {
            "id": "root", "title": "Burgerparticipatie Achterveld",
            "children": {
                "attached": [
                    {"id": "a1", "title": "Inspiratiemarkt",
                     "notes": {"plain": {"content": "100 deelnemers"}},
                     "labels": ["Infrastructuur"],
                     "children": {
                         "attached": [
                             {"id": "e1", "title": "Meer vrijwilligers",
                              "labels": ["Sleutelpersonen", "Eigen label"],
                              "markers": [{"markerId": "flag-red"}],
                              "children": {"attached": [{"id": "e2", "title": ""}],
                                           "callout": [{"id": "c1",
                                                        "title": "Zei een bewoner"}]}},
                         ]}},
                    {"id": "a2", "title": "Dorpsondersteuner"},
                ],
                "detached": [{"id": "f1", "title": "Los effect"}],
            }},
        "relationships": [{"id": "r1", "end1Id": "a2", "end2Id": "e1"},
                          {"id": "r2", "end1Id": "e2", "end2Id": "a1"}],
    }]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.json", json.dumps(content))
        archive.writestr("metadata.json", "{}")
    return buffer.getvalue()


def xmind8_xml() -> bytes:
    """An XMind 8 map (content.xml)."""
    xml = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" version="2.0">
  <sheet id="s1"><title>Kaart</title>
    <topic id="root"><title>Midden</title>
      <children><topics type="attached">
        <topic id="a1"><title>Bijeenkomst</title>
          <labels><label>Infrastructuur</label></labels>
          <children><topics type="attached">
            <topic id="e1"><title>Burgergroep opgericht</title>
              <notes><plain>Veertien inwoners</plain></notes>
              <marker-refs><marker-ref marker-id="priority-1"/></marker-refs>
            </topic>
          </topics></children>
        </topic>
      </topics></children>
    </topic>
    <relationships/>
  </sheet>
</xmap-content>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", xml)
    return buffer.getvalue()


NODES_CSV = """type,attribute_label_1,value_1,attribute_label_2,value_2,attribute_label_3,value_3
box,name,Inspiratiemarkt,date,14/03/2024,fillcolor,#ffffff
ellipse,name,Meer vrijwilligers,date,01/06/2024,source,workshop 2
ellipse,name,Sterker netwerk,date,,,
"""
RELS_CSV = """match id 1,match id 2,attribute_label_1,value_1
Inspiratiemarkt,Meer vrijwilligers,style,dashed
Meer vrijwilligers,Sterker netwerk,,
"""


def make_world(app) -> None:
    with app.app_context():
        hub = factories.HubFactory(slug="hub-i")
        target = factories.CollaborationFactory(slug="doel", hub=hub, name="Doel")
        facilitator = factories.UserFactory(email="f@example.org")
        member = factories.UserFactory(email="m@example.org")
        db.session.flush()
        factories.MembershipFactory(user=facilitator, collaboration_id=target.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=member, collaboration_id=target.id,
                                    role=Role.MEMBER.value)
        db.session.commit()


def cli_import(app, tmp_path, fmt, files: dict[str, bytes], *extra):
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    return app.test_cli_runner().invoke(
        args=["import", "--collaboration", "doel", "--format", fmt, *extra, *paths])


def items_of(app, slug="doel") -> dict[str, RippleItem]:
    with app.app_context():
        collab = by_slug(slug)
        rows = db.session.scalars(sa.select(RippleItem).where(
            RippleItem.collaboration_id == collab.id)).all()
        for r in rows:
            _ = [c.qualified_slug for c in r.codes]
        db.session.expunge_all()
        return {r.title: r for r in rows}


def count_items(app, slug="doel") -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem).where(
            RippleItem.collaboration_id == by_slug(slug).id))


def links_of(app, slug="doel") -> set[tuple[str, str]]:
    with app.app_context():
        collab = by_slug(slug)
        rows = db.session.scalars(sa.select(RippleLink).where(
            RippleLink.collaboration_id == collab.id)).all()
        return {(r.cause.title, r.effect.title) for r in rows}


# --- rem JSON round trip ---------------------------------------------------------------

IGNORED = {"id", "collaboration", "created_by", "created_by_role", "created_at", "updated_at"}


def _content(doc: dict) -> tuple:
    """The export apart from ids, authors and timestamps: items, links by position, and
    each item's session of origin by what the session is (title, date, place, question):
    session ids differ between collaborations and databases."""
    position = {item["id"]: n for n, item in enumerate(doc["items"])}
    sessions = {s["id"]: tuple(v for k, v in s.items() if k not in ("id", "collaboration"))
                for s in doc["sessions"]}
    items = [{**{k: v for k, v in item.items() if k not in IGNORED},
              "session_id": sessions[item["session_id"]] if item["session_id"] else None}
             for item in doc["items"]]
    links = sorted((position[lk["cause_id"]], position[lk["effect_id"]]) for lk in doc["links"])
    return items, links, doc["codebooks"], doc["log_entries"], sorted(sessions.values())


def _with_sessions(app, ids: dict) -> dict:
    """Two evaluation sessions of origin in Achterveld (one holds two items)."""
    from datetime import date

    from rem.workshops import services as sessions

    with app.app_context():
        collab = by_slug("achterveld")
        spring = sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Voorjaarssessie", held_on=date(2024, 3, 1), place="Dorpshuis",
            focus_question="Wat veranderde er sinds de markt?"))
        autumn = sessions.create_workshop(collab, sessions.WorkshopInput(
            title="Najaarssessie", held_on=date(2024, 10, 1),
            focus_question="Wat blijft er?"))
        db.session.flush()
        db.session.get(RippleItem, ids["market"]).session_id = spring.id
        db.session.get(RippleItem, ids["twin"]).session_id = spring.id
        db.session.get(RippleItem, ids["effect"]).session_id = autumn.id
        db.session.commit()
        return {"spring": spring.id, "autumn": autumn.id}


def _export(app, tmp_path, slug: str) -> dict:
    target = tmp_path / f"again-{slug}.json"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", "json", "--collaboration", slug, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return json.loads(target.read_bytes())


def _session_count(app, slug: str) -> int:
    from rem.workshops.models import Workshop

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Workshop)
                                 .where(Workshop.collaboration_id == by_slug(slug).id))


def test_json_round_trip_gives_the_same_log(app, tmp_path):
    ids = build_log(app)
    _with_sessions(app, ids)
    make_world(app)
    first = cli_export(app, tmp_path, "json")
    assert len(json.loads(first)["sessions"]) == 2
    result = cli_import(app, tmp_path, "json", {"log.json": first})
    assert result.exit_code == 0, result.output
    assert "0 herkend" in result.output and "2 nieuw" in result.output
    again = _export(app, tmp_path, "doel")
    assert _content(again) == _content(json.loads(first))
    # The sessions were made in the target collaboration, closed, with their details.
    from rem.workshops.models import Workshop

    with app.app_context():
        made = db.session.scalars(sa.select(Workshop).where(
            Workshop.collaboration_id == by_slug("doel").id)
            .order_by(Workshop.held_on)).all()
        assert [(s.title, s.place, s.status) for s in made] == [
            ("Voorjaarssessie", "Dorpshuis", "closed"), ("Najaarssessie", "", "closed")]
        assert made[0].focus_question == "Wat veranderde er sinds de markt?"
    # Read twice: the second import finds the sessions the first one made.
    result = cli_import(app, tmp_path, "json", {"log.json": first})
    assert result.exit_code == 0, result.output
    assert "2 herkend" in result.output and "0 nieuw" in result.output
    assert _session_count(app, "doel") == 2


def test_json_read_back_into_its_own_collaboration_keeps_its_sessions(app, tmp_path):
    ids = build_log(app)
    sessions = _with_sessions(app, ids)
    first = cli_export(app, tmp_path, "json")
    result = app.test_cli_runner().invoke(
        args=["import", "--collaboration", "achterveld", "--format", "json",
              str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    assert _session_count(app, "achterveld") == 2  # matched, none made
    with app.app_context():
        copies = db.session.scalars(sa.select(RippleItem).where(
            RippleItem.id.not_in([v for k, v in ids.items() if k != "collab"]),
            RippleItem.collaboration_id == ids["collab"])).all()
        by_title = {i.title: i.session_id for i in copies}
    assert by_title["Inspiratiemarkt met Anna de Vries"] == sessions["spring"]
    assert by_title["=HYPERLINK(\"x\") meer vrijwilligers"] == sessions["autumn"]
    assert json.loads(first)["sessions"][0]["id"] == sessions["spring"]


def test_json_session_not_described_in_the_file_is_dropped_with_a_warning(app, tmp_path):
    ids = build_log(app)
    _with_sessions(app, ids)
    make_world(app)
    doc = json.loads(cli_export(app, tmp_path, "json"))
    doc["sessions"] = [s for s in doc["sessions"] if s["title"] == "Voorjaarssessie"]
    result = cli_import(app, tmp_path, "json", {"log.json": json.dumps(doc).encode()})
    assert result.exit_code == 0, result.output
    assert "1 item noemt een evaluatiesessie die niet in het bestand staat" in result.output
    again = _export(app, tmp_path, "doel")
    assert [s["title"] for s in again["sessions"]] == ["Voorjaarssessie"]
    assert sum(1 for i in again["items"] if i["session_id"]) == 2


def test_dry_run_writes_nothing(app, tmp_path):
    make_world(app)
    result = cli_import(app, tmp_path, "xmind", {"kaart.xmind": xmind_json()}, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would import 5 items" in result.output
    assert items_of(app) == {}
    with app.app_context():
        assert db.session.scalar(sa.select(Codebook).where(
            Codebook.slug == "geimporteerd")) is None


# --- XMind -----------------------------------------------------------------------------


def test_xmind_first_ring_as_activities(app, tmp_path):
    make_world(app)
    result = cli_import(app, tmp_path, "xmind", {"kaart.xmind": xmind_json()})
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert "Burgerparticipatie Achterveld" not in items  # the centre names the map
    assert items["Inspiratiemarkt"].kind == "activity"
    assert items["Dorpsondersteuner"].kind == "activity"
    assert items["Meer vrijwilligers"].kind == "effect"
    assert items["Los effect"].kind == "effect"
    untitled = items["(zonder titel 1)"]
    assert untitled.kind == "effect"
    assert items["Inspiratiemarkt"].description == "100 deelnemers"
    assert "> Zei een bewoner" in items["Meer vrijwilligers"].description
    codes = {c.qualified_slug for c in items["Meer vrijwilligers"].codes}
    assert "borging:sleutelpersonen" in codes  # matched by name
    assert {"geimporteerd:eigen-label", "geimporteerd:flag-red"} <= codes  # created
    assert {c.qualified_slug for c in items["Inspiratiemarkt"].codes} == {
        "borging:infrastructuur"}
    links = links_of(app)
    assert ("Inspiratiemarkt", "Meer vrijwilligers") in links
    assert ("Meer vrijwilligers", "(zonder titel 1)") in links
    assert ("Dorpsondersteuner", "Meer vrijwilligers") in links  # a relationship
    assert "overgeslagen" in result.output  # r2 points at an activity: skipped, listed


def test_xmind_all_effects_and_xmind8(app, tmp_path):
    make_world(app)
    result = cli_import(app, tmp_path, "xmind", {"kaart.xmind": xmind_json()},
                        "--xmind-mode", "effects")
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert items["Burgerparticipatie Achterveld"].kind == "activity"
    assert items["Inspiratiemarkt"].kind == "effect"
    assert ("Burgerparticipatie Achterveld", "Inspiratiemarkt") in links_of(app)

    result = cli_import(app, tmp_path, "xmind", {"oud.xmind": xmind8_xml()})
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert items["Bijeenkomst"].kind == "activity"
    assert items["Burgergroep opgericht"].description == "Veertien inwoners"
    assert "geimporteerd:priority-1" in {c.qualified_slug
                                         for c in items["Burgergroep opgericht"].codes}
    assert ("Bijeenkomst", "Burgergroep opgericht") in links_of(app)


# --- RippleFX ------------------------------------------------------------------------


def test_ripplefx_pair(app, tmp_path):
    make_world(app)
    result = cli_import(app, tmp_path, "ripplefx", {"rels.csv": RELS_CSV.encode(),
                                                    "nodes.csv": NODES_CSV.encode()})
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert items["Inspiratiemarkt"].kind == "activity"
    assert items["Inspiratiemarkt"].when.iso() == "2024-03-14"
    assert items["Meer vrijwilligers"].kind == "effect"
    assert "source: workshop 2" in items["Meer vrijwilligers"].description
    assert items["Sterker netwerk"].date_precision == "year"  # no date: the fallback
    assert links_of(app) == {("Inspiratiemarkt", "Meer vrijwilligers"),
                             ("Meer vrijwilligers", "Sterker netwerk")}


def test_ripplefx_export_reads_back(app, tmp_path):
    build_log(app)
    make_world(app)
    pair = cli_export(app, tmp_path, "ripplefx")
    result = cli_import(app, tmp_path, "ripplefx", {"pair.zip": pair})
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert count_items(app) == 4
    effect = next(i for t, i in items.items() if t.endswith("meer vrijwilligers"))
    assert effect.date_precision == "quarter" and effect.valence == "mixed"
    assert effect.intended is False
    assert "borging:sleutelpersonen" in {c.qualified_slug for c in effect.codes}


def test_ripplefx_unknown_names_are_listed_and_nothing_is_written(app, tmp_path):
    make_world(app)
    rels = RELS_CSV + "Onbekende bron,Sterker netwerk,,\nInspiratiemarkt,Nergens,,\n"
    result = cli_import(app, tmp_path, "ripplefx", {"nodes.csv": NODES_CSV.encode(),
                                                    "rels.csv": rels.encode()})
    assert result.exit_code != 0
    assert "“Nergens”" in result.output and "“Onbekende bron”" in result.output
    assert items_of(app) == {}


# --- tables ------------------------------------------------------------------------------


def test_table_csv_with_mapping(app, tmp_path):
    make_world(app)
    nodes = ("Nr;Wat gebeurde er;Wanneer;Soort;Labels\n"
             "1;Buurtverbinders gestart;2024-Q1;activiteit;Sleutelpersonen\n"
             "2;Intentieverklaringen getekend;05-06-2024;;Beleidsverankering\n")
    links = "van;naar\n1;2\n"
    result = cli_import(app, tmp_path, "table",
                        {"items.csv": nodes.encode(), "links.csv": links.encode()},
                        "--map", "title=Wat gebeurde er", "--map", "key=Nr",
                        "--map", "codes=Labels")
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert items["Buurtverbinders gestart"].when.iso() == "2024-Q1"
    assert items["Intentieverklaringen getekend"].when.iso() == "2024-06-05"
    assert items["Intentieverklaringen getekend"].kind == "effect"
    assert links_of(app) == {("Buurtverbinders gestart", "Intentieverklaringen getekend")}


def test_table_xlsx_two_sheets(app, tmp_path):
    make_world(app)
    book = Workbook()
    sheet = book.active
    sheet.title = "nodes"
    sheet.append(["id", "title", "kind", "date"])
    sheet.append([1, "Coöperatie opgericht", "activity", "2023"])
    sheet.append([2, "IZA-geld binnen", "effect", "2024-05"])
    links = book.create_sheet("links")
    links.append(["cause_id", "effect_id"])
    links.append([1, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    result = cli_import(app, tmp_path, "table", {"kaart.xlsx": buffer.getvalue()})
    assert result.exit_code == 0, result.output
    assert links_of(app) == {("Coöperatie opgericht", "IZA-geld binnen")}


def test_csv_export_reads_back_as_a_table(app, tmp_path):
    build_log(app)
    make_world(app)
    result = cli_import(app, tmp_path, "table", {"t.zip": cli_export(app, tmp_path, "csv")})
    assert result.exit_code == 0, result.output
    assert count_items(app) == 4 and len(links_of(app)) == 3


# --- the web pages -----------------------------------------------------------------------


def _upload(client, fmt: str, files: dict[str, bytes], **fields):
    token = csrf_token(client, "/collaborations/doel/import")
    data = {"csrf_token": token, "format": fmt, "xmind_mode": "rings", **fields}
    names = ["file", "file2"]
    for n, (name, content) in enumerate(files.items()):
        data[names[n]] = (io.BytesIO(content), name)
    return client.post("/collaborations/doel/import", data=data,
                       content_type="multipart/form-data")


def _token(html: str) -> str:
    marker = 'name="token" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_web_preview_then_import(app):
    make_world(app)
    client = app.test_client()
    login(client, "f@example.org")
    response = _upload(client, "xmind", {"kaart.xmind": xmind_json()})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Voorbeeld van het inlezen" in html and "5 items" in html
    assert "Inspiratiemarkt" in html
    assert items_of(app) == {}  # the preview wrote nothing
    response = client.post("/collaborations/doel/import/confirm", data={
        "csrf_token": csrf_token(client, "/collaborations/doel/import"),
        "token": _token(html), "action": "import"})
    # The import page grows while it works (progress), then says what it did.
    assert response.status_code == 200 and response.is_streamed
    assert "Klaar: 5 items" in response.get_data(as_text=True)
    assert count_items(app) == 5
    with app.app_context():
        summary = db.session.scalar(sa.text(
            "select summary from audit_events where action = 'import'"))
    assert summary.startswith("xmind: 5 items")


def test_web_table_mapping_step(app):
    make_world(app)
    client = app.test_client()
    login(client, "f@example.org")
    nodes = "Wat;Datum\nRonde tafel;2024-02\n"
    response = _upload(client, "table", {"t.csv": nodes.encode()})
    html = response.get_data(as_text=True)
    assert "Kies welke kolom de titel bevat" in html and 'name="map_title"' in html
    response = client.post("/collaborations/doel/import/confirm", data={
        "csrf_token": csrf_token(client, "/collaborations/doel/import"),
        "token": _token(html), "action": "preview", "map_title": "Wat", "map_date": "Datum"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ronde tafel" in html
    response = client.post("/collaborations/doel/import/confirm", data={
        "csrf_token": csrf_token(client, "/collaborations/doel/import"),
        "token": _token(html), "action": "import", "map_title": "Wat", "map_date": "Datum"})
    assert "Klaar:" in response.get_data(as_text=True)
    assert items_of(app)["Ronde tafel"].when.iso() == "2024-02"


def test_another_person_cannot_use_the_upload(app):
    make_world(app)
    client = app.test_client()
    login(client, "f@example.org")
    html = _upload(client, "xmind", {"kaart.xmind": xmind_json()}).get_data(as_text=True)
    with app.app_context():
        other = factories.UserFactory(email="admin2@example.org", is_admin=True)
        db.session.commit()
        assert other.id
    intruder = app.test_client()
    login(intruder, "admin2@example.org")
    response = intruder.post("/collaborations/doel/import/confirm", data={
        "csrf_token": csrf_token(intruder, "/collaborations/doel/import"),
        "token": _token(html), "action": "import"})
    assert response.status_code == 302 and items_of(app) == {}


def test_all_or_nothing_when_an_item_is_refused(app, tmp_path):
    make_world(app)
    nodes = NODES_CSV.replace("01/06/2024", "01/06/2999")  # an effect in the future
    result = cli_import(app, tmp_path, "ripplefx", {"nodes.csv": nodes.encode(),
                                                    "rels.csv": RELS_CSV.encode()})
    assert result.exit_code != 0 and "toekomst" in result.output
    assert items_of(app) == {}
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Code).join(Codebook)
                                 .where(Codebook.slug == "geimporteerd")) == 0


def test_json_brings_its_own_codebooks(app, tmp_path):
    make_world(app)
    document = {
        "format": "rem/1",
        "codebooks": [{"slug": "eigen-schema", "name": "Eigen schema", "description": "",
                       "codes": [{"slug": "groei", "name": "Groei", "description": "Meer"},
                                 {"slug": "krimp", "name": "Krimp", "description": ""}]}],
        "items": [{"id": 1, "kind": "activity", "title": "Start", "date": "2024",
                   "codes": ["eigen-schema:groei"]},
                  {"id": 2, "kind": "effect", "title": "Gevolg", "date": "2024-Q3",
                   "valence": "iets-raars", "codes": ["eigen-schema:krimp",
                                                      "borging:sleutelpersonen"]}],
        "links": [{"cause_id": 1, "effect_id": 2}],
    }
    result = cli_import(app, tmp_path, "json", {"x.json": json.dumps(document).encode()})
    assert result.exit_code == 0, result.output
    items = items_of(app)
    assert {c.qualified_slug for c in items["Gevolg"].codes} == {
        "eigen-schema:krimp", "borging:sleutelpersonen"}
    assert items["Gevolg"].valence is None  # unknown values are dropped, not stored
    with app.app_context():
        book = db.session.scalar(sa.select(Codebook).where(Codebook.slug == "eigen-schema"))
        assert [c.name for c in book.codes] == ["Groei", "Krimp"]
