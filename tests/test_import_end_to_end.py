"""Issue 7, "done when": a researcher takes an existing XMind REM map and a RippleFX CSV
pair, imports both through the web preview, merges the two maps in the collaboration
(links an effect of one to an item of the other), codes it, and exports the result for
Gephi (GraphML, read here with networkx) and R (the CSV tables, read with the csv
module), pseudonymised: no real name is left."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import networkx as nx
import sqlalchemy as sa

from rem.accounts.models import Role
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.services import by_slug
from rem.extensions import db
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.conftest import csrf_token, login, post

# Real names in the maps: an account (Bram Bakker, a member), the researcher herself
# (Rita Onderzoek, as author), and a citizen without an account (Jan Jansen), whose name
# the researcher types in the export form.
REAL_NAMES = ["Bram Bakker", "Bram", "Bakker", "Jan Jansen", "Jansen", "Rita Onderzoek",
              "Onderzoek", "Femke de Boer", "de Boer"]


def _xmind_map() -> bytes:
    """An XMind (zip, content.json) map of the Achterveld inspiration market session."""
    content = [{
        "id": "sheet1", "class": "sheet", "title": "Rimpelkaart Achterveld 2024",
        "rootTopic": {
            "id": "root", "title": "Burgerparticipatie Achterveld",
            "children": {"attached": [
                {"id": "a1", "title": "Inspiratiemarkt (100 deelnemers)",
                 "notes": {"plain": {"content": "Bram Bakker opende de markt."}},
                 "children": {"attached": [
                     {"id": "e1", "title": "Meer contact formele en informele zorg",
                      "notes": {"plain": {"content": "Jan Jansen: 'ik ken nu de "
                                                    "wijkverpleging'."}},
                      "children": {"attached": [
                          {"id": "e2", "title": "Inwoners melden zich als vrijwilliger",
                           "labels": ["Sleutelpersonen"]},
                      ]}},
                 ]}},
                {"id": "a2", "title": "Dorpsondersteuner aangesteld"},
            ]}},
        "relationships": [],
    }]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.json", json.dumps(content))
        archive.writestr("metadata.json", "{}")
    return buffer.getvalue()


RIPPLEFX_NODES = (
    "type,attribute_label_1,value_1,attribute_label_2,value_2,attribute_label_3,value_3\n"
) + """box,name,SPUK-subsidie aangevraagd,date,01/02/2024,source,Femke de Boer
ellipse,name,Dorpsondersteuner structureel betaald,date,01/09/2024,source,workshop 2
ellipse,name,Jan Jansen wordt vaste vrijwilliger,date,15/10/2024,,
"""
RIPPLEFX_RELS = """match id 1,match id 2,attribute_label_1,value_1
SPUK-subsidie aangevraagd,Dorpsondersteuner structureel betaald,style,solid
Dorpsondersteuner structureel betaald,Jan Jansen wordt vaste vrijwilliger,,
"""


def _world(app) -> None:
    with app.app_context():
        hub = factories.HubFactory(slug="hub-utrecht")
        collab = factories.CollaborationFactory(slug="achterveld", hub=hub, name="Achterveld",
                                                pseudonymise_for_research=True)
        rita = factories.UserFactory(email="rita@example.org", name="Rita Onderzoek",
                                     is_researcher=True)
        bram = factories.UserFactory(email="bram@example.org", name="Bram Bakker")
        femke = factories.UserFactory(email="femke@example.org", name="Femke de Boer")
        db.session.flush()
        # The researcher works with this collaboration: she may import and edit here.
        factories.MembershipFactory(user=rita, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=bram, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        factories.MembershipFactory(user=femke, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        db.session.commit()


def _import(client, fmt: str, files: list[tuple[str, bytes]], expected_items: int) -> None:
    url = "/collaborations/achterveld/import"
    data = {"csrf_token": csrf_token(client, url), "format": fmt, "xmind_mode": "rings"}
    for field, (name, content) in zip(("file", "file2"), files, strict=False):
        data[field] = (io.BytesIO(content), name)
    preview = client.post(url, data=data, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Voorbeeld van het inlezen" in html
    assert f"{expected_items} items" in html
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post(url + "/confirm", data={
        "csrf_token": csrf_token(client, url), "token": token, "action": "import"})
    page = done.get_data(as_text=True)  # the import page, grown step by step
    assert done.status_code == 200 and f"Klaar: {expected_items} items" in page, page[-800:]


def _items(app) -> dict[str, int]:
    with app.app_context():
        return {title: item_id for item_id, title in db.session.execute(
            sa.select(RippleItem.id, RippleItem.title)
            .where(RippleItem.collaboration_id == by_slug("achterveld").id))}


def _export(client, fmt: str) -> bytes:
    response = post(client, "/collaborations/achterveld/export", {
        "scope": "collaboration", "format": fmt, "pseudonymise": "y",
        "extra_names": "Jan Jansen; Jan"}, token_from="/collaborations/achterveld/export")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "pseudoniem" in response.headers["Content-Disposition"]
    return response.data


def _no_real_names(text: str) -> None:
    for name in REAL_NAMES:
        assert name not in text, name


def test_researcher_merges_an_xmind_map_and_a_ripplefx_pair_and_exports_them(app, tmp_path):
    _world(app)
    client = app.test_client()
    login(client, "rita@example.org")

    # 1. Both maps, through the preview and the confirmation.
    _import(client, "xmind", [("achterveld.xmind", _xmind_map())], expected_items=4)
    _import(client, "ripplefx", [("nodes.csv", RIPPLEFX_NODES.encode()),
                                 ("relationships.csv", RIPPLEFX_RELS.encode())],
            expected_items=3)
    items = _items(app)
    assert len(items) == 7
    volunteers = items["Inwoners melden zich als vrijwilliger"]  # from XMind
    paid = items["Dorpsondersteuner structureel betaald"]  # from RippleFX
    appointed = items["Dorpsondersteuner aangesteld"]  # XMind activity

    # 2. Merge: the RippleFX effect also grew from the XMind activity, and the XMind
    # effect from the RippleFX one.
    for effect, cause in ((paid, appointed), (volunteers, paid)):
        response = post(client, f"/collaborations/achterveld/items/{effect}/links",
                        {"cause_id": str(cause)},
                        token_from=f"/collaborations/achterveld/items/{effect}")
        assert response.status_code == 302
    with app.app_context():
        pairs = set(db.session.execute(sa.select(RippleLink.cause_id, RippleLink.effect_id)
                                       .where(RippleLink.deleted_at.is_(None))).all())
    assert {(appointed, paid), (paid, volunteers)} <= pairs

    # 3. Code the merged effect: financial sustainability (borging) through the edit form.
    with app.app_context():
        effect = db.session.get(RippleItem, paid)
        funding = code_by_qualified_slug("borging:financiele-duurzaamheid")
        assert funding is not None
        form = {"title": effect.title, "date_value": effect.date_start.isoformat(),
                "date_precision": effect.date_precision, "visibility": "network",
                "intended": "yes", "valence": "positive", "noticed_by": "", "evidence_kind": "",
                "evidence_text": "", "evidence_url": "", "version": str(effect.version),
                "description": effect.description, "codes": [str(funding.id)]}
    url = f"/collaborations/achterveld/items/{paid}/edit"
    response = post(client, url, form, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]

    # 4a. Gephi: GraphML, pseudonymised.
    graphml = _export(client, "graphml")
    _no_real_names(graphml.decode("utf-8"))
    path = tmp_path / "achterveld.graphml"
    path.write_bytes(graphml)
    graph = nx.read_graphml(path)
    assert graph.number_of_nodes() == 7
    assert graph.has_edge(str(appointed), str(paid)) and graph.has_edge(str(paid),
                                                                         str(volunteers))
    assert "borging:financiele-duurzaamheid" in graph.nodes[str(paid)]["codes"]
    assert nx.is_directed_acyclic_graph(graph)
    # The two maps are now one connected network.
    assert nx.number_weakly_connected_components(graph) == 1

    # 4b. R: the CSV tables, pseudonymised.
    archive = zipfile.ZipFile(io.BytesIO(_export(client, "csv")))
    for name in archive.namelist():
        _no_real_names(archive.read(name).decode("utf-8"))
    nodes = {int(r["id"]): r for r in csv.DictReader(
        io.StringIO(archive.read("nodes.csv").decode("utf-8")))}
    links = {(int(r["cause_id"]), int(r["effect_id"])) for r in csv.DictReader(
        io.StringIO(archive.read("links.csv").decode("utf-8")))}
    coded = {(int(r["node_id"]), r["code"]) for r in csv.DictReader(
        io.StringIO(archive.read("node_codes.csv").decode("utf-8")))}
    assert len(nodes) == 7 and {(appointed, paid), (paid, volunteers)} <= links
    assert (paid, "borging:financiele-duurzaamheid") in coded
    assert nodes[paid]["order"] == "1"  # now one ripple from the XMind activity
    # Names became pseudonyms and roles, consistently within the export.
    citizen = next(r for r in nodes.values() if "vaste vrijwilliger" in r["title"])
    assert citizen["title"].startswith("Persoon ")
    assert {r["created_by"] for r in nodes.values()} == {"facilitator"}
    notes = " ".join(r["description"] for r in nodes.values())
    assert "Persoon" in notes  # Bram Bakker and Jan Jansen in the XMind notes
