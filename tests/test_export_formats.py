"""Exports: JSON, CSV tables, GraphML, XLSX and the RippleFX pair; access and pseudonyms."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date

import networkx as nx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.extensions import db
from rem.interchange.pseudonymise import Pseudonymiser, name_variants, pseudonym_label
from rem.ripples import services
from tests import factories
from tests.conftest import login, post


def build_log(app) -> dict:
    """A collaboration with private and shared items, codes, links and named people."""
    with app.app_context():
        hub = factories.HubFactory(slug="hub-x")
        collab = factories.CollaborationFactory(slug="achterveld", hub=hub,
                                                name="Achterveld")
        facilitator = factories.UserFactory(email="fac@example.org", name="Anna de Vries")
        member = factories.UserFactory(email="member@example.org", name="Bram Bakker")
        factories.UserFactory(email="researcher@example.org", name="Rita Onderzoek",
                              is_researcher=True)
        db.session.flush()
        factories.MembershipFactory(user=facilitator, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=member, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        market = factories.ActivityFactory(
            collaboration=collab, title="Inspiratiemarkt met Anna de Vries",
            description="Anna opende de markt; bel 06-12345678 of mail anna@example.org.",
            visibility="network", participant_count=100, governance_style="faciliterend",
            created_by_id=facilitator.id)
        market.codes = [code_by_qualified_slug("borging:infrastructuur")]
        effect = factories.EffectFactory(
            collaboration=collab, title="=HYPERLINK(\"x\") meer vrijwilligers",
            description="Jan Jansen meldde zich aan.", date_start=date(2024, 4, 1),
            date_precision="quarter", visibility="network", intended=False,
            valence="mixed", noticed_by="citizen", evidence_kind="quote",
            evidence_text="“Dankzij Bram ken ik nu mijn buren”, zei Jan.",
            created_by_id=member.id)
        effect.codes = [code_by_qualified_slug("borging:sleutelpersonen"),
                        code_by_qualified_slug("capitals:social")
                        or code_by_qualified_slug("borging:infrastructuur")]
        private = factories.EffectFactory(collaboration=collab, title="Privé effect",
                                          date_start=date(2024, 7, 1))
        twin = factories.EffectFactory(collaboration=collab, title="Privé effect",
                                       date_start=date(2024, 8, 1), visibility="network")
        services.add_link(market, effect)
        services.add_link(market, private)
        services.add_link(effect, twin)
        deleted = factories.EffectFactory(collaboration=collab, title="Weggegooid")
        services.delete_item(deleted)
        db.session.commit()
        return {"market": market.id, "effect": effect.id, "private": private.id,
                "twin": twin.id, "deleted": deleted.id, "collab": collab.id}


def cli_export(app, tmp_path, fmt, *extra) -> bytes:
    target = tmp_path / f"out.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["export", "--format", fmt, "--collaboration", "achterveld", "-o", str(target),
              *extra])
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def test_json_export_is_complete(app, tmp_path):
    ids = build_log(app)
    doc = json.loads(cli_export(app, tmp_path, "json"))
    assert doc["format"] == "rem/1" and doc["pseudonymised"] is False
    assert doc["collaborations"][0]["slug"] == "achterveld"
    items = {i["id"]: i for i in doc["items"]}
    assert set(items) == {ids["market"], ids["effect"], ids["private"], ids["twin"]}
    effect = items[ids["effect"]]
    assert effect["date"] == "2024-Q2" and effect["date_precision"] == "quarter"
    assert effect["date_start"] == "2024-04-01" and effect["date_end"] == "2024-06-30"
    assert effect["intended"] is False and effect["valence"] == "mixed"
    assert effect["evidence_kind"] == "quote" and "Bram" in effect["evidence_text"]
    assert "borging:sleutelpersonen" in effect["codes"]
    assert effect["order"] == 1 and items[ids["twin"]]["order"] == 2
    assert items[ids["market"]]["participant_count"] == 100
    assert items[ids["market"]]["created_by"] == "Anna de Vries"
    assert items[ids["market"]]["created_by_role"] == "facilitator"
    assert {(lk["cause_id"], lk["effect_id"]) for lk in doc["links"]} == {
        (ids["market"], ids["effect"]), (ids["market"], ids["private"]),
        (ids["effect"], ids["twin"])}
    books = {b["slug"]: [c["slug"] for c in b["codes"]] for b in doc["codebooks"]}
    assert "sleutelpersonen" in books["borging"]
    assert doc["log_entries"] == []


def test_csv_zip_has_tidy_tables(app, tmp_path):
    ids = build_log(app)
    archive = zipfile.ZipFile(io.BytesIO(cli_export(app, tmp_path, "csv")))
    assert sorted(archive.namelist()) == ["codes.csv", "links.csv", "log_entries.csv",
                                          "node_codes.csv", "nodes.csv", "themes.csv"]

    def table(name):
        text = archive.read(name).decode("utf-8")
        assert not text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text)))

    nodes = table("nodes.csv")
    assert len(nodes) == 4 and {"id", "kind", "title", "date", "codes"} <= set(nodes[0])
    assert table("log_entries.csv") == []
    assert archive.read("log_entries.csv").decode().startswith("id,collaboration,date")
    assert len(table("links.csv")) == 3
    pairs = {(int(r["node_id"]), r["code"]) for r in table("node_codes.csv")}
    assert (ids["effect"], "borging:sleutelpersonen") in pairs
    assert {r["code"] for r in table("codes.csv")} >= {"borging:sleutelpersonen"}


def test_graphml_opens_in_networkx(app, tmp_path):
    ids = build_log(app)
    path = tmp_path / "map.graphml"
    path.write_bytes(cli_export(app, tmp_path, "graphml"))
    graph = nx.read_graphml(path)
    assert graph.is_directed() and graph.number_of_nodes() == 4
    assert graph.number_of_edges() == 3
    node = graph.nodes[str(ids["effect"])]
    assert node["kind"] == "effect" and node["intended"] is False
    assert node["order"] == 1 and node["date_precision"] == "quarter"
    assert graph.has_edge(str(ids["market"]), str(ids["effect"]))


def test_xlsx_has_a_sheet_per_table_and_no_formulas(app, tmp_path):
    build_log(app)
    book = load_workbook(io.BytesIO(cli_export(app, tmp_path, "xlsx")))
    assert book.sheetnames == ["nodes", "links", "codes", "node_codes", "log_entries",
                               "themes"]
    rows = list(book["nodes"].iter_rows(values_only=True))
    header = rows[0]
    titles = [r[header.index("title")] for r in rows[1:]]
    formula = next(t for t in titles if t.startswith("=HYPERLINK"))
    cell = next(c for c in book["nodes"]["D"] if c.value == formula)
    assert cell.data_type == "s"
    assert book["log_entries"].max_row == 1


def test_ripplefx_pair(app, tmp_path):
    ids = build_log(app)
    archive = zipfile.ZipFile(io.BytesIO(cli_export(app, tmp_path, "ripplefx")))
    nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8"))))
    rels = list(csv.DictReader(io.StringIO(archive.read("relationships.csv").decode())))
    assert list(nodes[0])[:5] == ["type", "attribute_label_1", "value_1", "attribute_label_2",
                                  "value_2"]
    names = {}
    for row in nodes:
        attrs = {row[f"attribute_label_{n}"]: row[f"value_{n}"] for n in range(1, 13)}
        names[int(attrs["rem_id"])] = attrs["name"]
        if int(attrs["rem_id"]) == ids["market"]:
            assert row["type"] == "box" and attrs["date"] == "01/03/2024"
    assert len(set(names.values())) == 4  # the two "Privé effect" got their ids
    assert names[ids["twin"]] == f"Privé effect (#{ids['twin']})"
    assert {(r["match id 1"], r["match id 2"]) for r in rels} == {
        (names[ids["market"]], names[ids["effect"]]),
        (names[ids["market"]], names[ids["private"]]),
        (names[ids["effect"]], names[ids["twin"]])}


def test_pseudonymised_export_replaces_names_consistently(app, tmp_path):
    ids = build_log(app)
    names = tmp_path / "names.txt"
    names.write_text("Jan Jansen; Jan\n", encoding="utf-8")
    doc = json.loads(cli_export(app, tmp_path, "json", "--pseudonymise", "--names",
                                str(names)))
    assert doc["pseudonymised"] is True
    text = json.dumps(doc, ensure_ascii=False)
    for name in ("Anna", "Vries", "Bram", "Jan", "06-12345678", "anna@example.org"):
        assert name not in text, name
    items = {i["id"]: i for i in doc["items"]}
    anna = items[ids["market"]]["title"].removeprefix("Inspiratiemarkt met ")
    assert anna.startswith("Persoon ")
    assert items[ids["market"]]["description"].startswith(anna)  # "Anna" alone: same person
    effect = items[ids["effect"]]
    jan = effect["description"].split(" meldde")[0]
    assert jan.startswith("Persoon ") and jan != anna
    assert effect["evidence_text"].endswith(f"zei {jan}.")
    assert items[ids["market"]]["created_by"] == "facilitator"


def test_pseudonymiser_rules():
    assert pseudonym_label(0) == "Persoon A" and pseudonym_label(26) == "Persoon AA"
    assert name_variants("Anna de Vries") == ["Anna de Vries", "Anna", "de Vries", "De Vries",
                                              "Vries"]
    p = Pseudonymiser.from_names(["Anna de Vries", "Piet Jansen"], ["Kees"])
    text = p.text("Piet zag anna de vries en Kees. Later zei Anna: Kees!")
    assert text == "Persoon A zag Persoon B en Persoon C. Later zei Persoon B: Persoon C!"
    assert p.text("annabel en Pietje") == "annabel en Pietje"  # whole words only


def test_a_title_or_common_word_is_never_replaced_alone():
    p = Pseudonymiser.from_names([], ["wethouder Jansen", "meneer Pietersen; Piet", "wethouder",
                                      "Wil de Graaf"])
    text = p.text("De wethouder sprak met wethouder Jansen en met meneer Pietersen. Jansen en "
                  "Pietersen knikten; meneer Bos niet. Piet lachte. Wil jij de wethouder "
                  "bellen? Wil de Graaf belt De Graaf.")
    assert text == ("De wethouder sprak met Persoon A en met Persoon B. Persoon A en "
                    "Persoon B knikten; meneer Bos niet. Persoon B lachte. Wil jij de wethouder "
                    "bellen? Persoon C belt Persoon C.")
    assert name_variants("wethouder Jansen") == ["wethouder Jansen", "Jansen"]
    assert name_variants("de heer Jansen") == ["de heer Jansen", "Jansen"]
    assert name_variants("dr. Piet de Boer")[:2] == ["dr. Piet de Boer", "Piet de Boer"]
    assert name_variants("meneer") == [] and name_variants("Wil") == []
    assert ("wethouder Jansen", "Persoon A", 1) in p.replacements()
    assert ("Jansen", "Persoon A", 1) in p.replacements()
    assert not any(written.lower() in ("wethouder", "meneer", "wil")
                   for written, _label, _n in p.replacements())


@pytest.fixture
def world(app):
    return build_log(app)


def test_the_export_page_previews_the_replacements_and_writes_nothing(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    with app.app_context():
        before = db.session.scalar(sa.text("select count(*) from audit_events"))
    response = post(client, "/collaborations/achterveld/export",
                    {"format": "json", "pseudonymise": "y", "preview": "1",
                     "extra_names": "Jan Jansen; Jan\nwethouder Jansen"},
                    token_from="/collaborations/achterveld/export")
    assert response.status_code == 200 and "attachment" not in response.headers.get(
        "Content-Disposition", "")
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td></tr>", html)
    replaced = {written: label for written, label, _n in rows}
    assert replaced["Jan Jansen"] == replaced["Jan"] and replaced["Jan"].startswith("Persoon ")
    assert replaced["Anna de Vries"].startswith("Persoon ") and "Bram" in replaced
    assert replaced["06-12345678"] == "[telefoonnummer]"
    assert "wethouder" not in {w.lower() for w in replaced}
    assert 'value="y"' in html or "checked" in html  # the choices stay as they were
    assert "Jan Jansen; Jan" in html
    with app.app_context():
        assert db.session.scalar(sa.text("select count(*) from audit_events")) == before
    # Without pseudonyms there is nothing to preview: the page says so.
    html = post(client, "/collaborations/achterveld/export", {"format": "json", "preview": "1"},
                token_from="/collaborations/achterveld/export").get_data(as_text=True)
    assert "vervangt geen namen" in html and "<td>Persoon" not in html


def _download(client, data):
    response = post(client, "/collaborations/achterveld/export", data,
                    token_from="/collaborations/achterveld/export")
    assert response.status_code == 200, response.data[:300]
    return response


def test_researcher_gets_only_shared_items_and_only_pseudonymised(app, world):
    client = app.test_client()
    login(client, "researcher@example.org")
    page = client.get("/collaborations/achterveld/export").get_data(as_text=True)
    assert "altijd pseudoniemen" in page
    doc = json.loads(_download(client, {"format": "json"}).data)
    assert doc["pseudonymised"] is True
    assert {i["id"] for i in doc["items"]} == {world["market"], world["effect"], world["twin"]}
    assert "Anna" not in json.dumps(doc, ensure_ascii=False)
    assert {(lk["cause_id"], lk["effect_id"]) for lk in doc["links"]} == {
        (world["market"], world["effect"]), (world["effect"], world["twin"])}


def test_researcher_gets_names_when_the_collaboration_allows_it(app, world):
    with app.app_context():
        db.session.execute(sa.text("update collaborations set pseudonymise_for_research = false"))
        db.session.commit()
    client = app.test_client()
    login(client, "researcher@example.org")
    doc = json.loads(_download(client, {"format": "json"}).data)
    assert doc["pseudonymised"] is False and len(doc["items"]) == 3


def test_member_chooses_and_every_format_downloads(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    doc = json.loads(_download(client, {"format": "json"}).data)
    assert doc["pseudonymised"] is False and len(doc["items"]) == 4
    doc = json.loads(_download(client, {"format": "json", "pseudonymise": "y"}).data)
    assert doc["pseudonymised"] is True
    for fmt, magic in [("csv", b"PK"), ("xlsx", b"PK"), ("ripplefx", b"PK"),
                       ("graphml", b"<?xml")]:
        response = _download(client, {"format": fmt})
        assert response.data.startswith(magic), fmt
        assert "attachment" in response.headers["Content-Disposition"]


def test_export_is_recorded_in_the_audit_trail(app, world):
    client = app.test_client()
    login(client, "member@example.org")
    _download(client, {"format": "csv"})
    with app.app_context():
        action = db.session.scalar(sa.text(
            "select summary from audit_events where action = 'export'"))
    assert action == "csv"


def test_xlsx_cells_have_types_dates_and_a_bold_frozen_header(app, tmp_path):
    from datetime import datetime

    from defusedxml import ElementTree as ET

    ids = build_log(app)
    with app.app_context():
        item = db.session.get(factories.EffectFactory._meta.model, ids["twin"])
        item.description = "Regel\x01 met een stuurteken & <tags> \"citaat\""
        db.session.commit()
    data = cli_export(app, tmp_path, "xlsx")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    for name in archive.namelist():
        ET.fromstring(archive.read(name))  # every part is well-formed XML
    book = load_workbook(io.BytesIO(data))
    sheet = book["nodes"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    market, effect, twin = rows[ids["market"]], rows[ids["effect"]], rows[ids["twin"]]
    assert market["participant_count"] == 100 and market["order"] == 0
    assert effect["intended"] is False and effect["date_start"] == datetime(2024, 4, 1)
    assert effect["date_end"] == datetime(2024, 6, 30) and effect["date"] == "2024-Q2"
    assert twin["description"] == "Regel met een stuurteken & <tags> \"citaat\""
    assert "borging:sleutelpersonen" in effect["codes"].split(";")
    links = list(book["links"].iter_rows(min_row=2, values_only=True))
    assert len(links) == 3 and all(isinstance(v, int) for v in links[0][2:4])
