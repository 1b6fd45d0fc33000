"""Plain words (issue "True to the method", item 13): no "slug", "DOT", "Waardering" or
"Pionier of koploper" without explanation; "onbedoeld" everywhere; a refusal that does not
send a facilitator to the facilitator; an invitation that names a facilitator's main job;
one wording for too-long texts; chart descriptions that assistive technology finds; the
README's way round a taken port 5000."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from rem.accounts.models import Role
from rem.analysis import charts
from rem.core.forms import TOO_LONG
from rem.extensions import db
from rem.reviews import radar
from tests import factories, smtp_sink
from tests.conftest import login, post
from tests.test_translations import EN_PO, ROOT, _compile_catalogues

SVG = "{http://www.w3.org/2000/svg}"


def _msgids() -> list[str]:
    with Path(EN_PO).open("rb") as fileobj:
        catalog = read_po(fileobj)
    ids = []
    for message in catalog:
        if message.id:
            ids.extend(message.id if isinstance(message.id, tuple) else [message.id])
    return ids


def test_the_interface_avoids_jargon_and_says_onbedoeld():
    ids = _msgids()
    assert not [i for i in ids if re.search(r"niet[ -]bedoeld", i, re.I)]
    assert not [i for i in ids if "aardering" in i]
    assert not [i for i in ids if "Pionier of koploper" in i]
    assert not [i for i in ids if "DOT-download" in i or i == "DOT"]
    # "slug" only as the name of a field in an imported file, never as a label.
    assert not [i for i in ids if re.search(r"\bslug\b", re.sub(r"%\(\w+\)s", "", i))
                and "geen slug" not in i]
    assert "Webadres (korte naam)" in ids and "Graphviz-bestand (.dot)" in ids


def test_too_long_has_one_wording(ctx):
    ids = _msgids()
    # Errors ("te lang: hoogstens ..."); import notes that something was shortened
    # ("ingekort tot %(n)d tekens") are another message.
    # A first name that is too long gets advice instead ("Alleen je voornaam is genoeg.").
    too_long = [i for i in ids if "te lang" in i.lower() and "ingekort" not in i
                and "voornaam" not in i]
    with force_locale("nl"):
        field_wording = str(TOO_LONG)
    allowed = {field_wording, "%(what)s is te lang: hoogstens %(max)d tekens."}
    assert set(too_long) <= allowed, set(too_long) - allowed
    assert not [i for i in ids if "hooguit" in i or "karakters" in i]


def test_a_form_field_that_is_too_long_says_tekens(app, client):
    """A Length check without its own message used to say WTForms' "karakters"."""
    with app.app_context():
        hub = factories.HubFactory(slug="hub-l")
        collab = factories.CollaborationFactory(slug="lang", hub=hub, name="Lang")
        fac = factories.UserFactory(email="fac@example.org")
        db.session.flush()
        factories.MembershipFactory(user=fac, hub_id=hub.id, role=Role.COORDINATOR.value)
        db.session.commit()
        hub_id = hub.id
        assert collab.id
    login(client, "fac@example.org")
    page = client.get("/collaborations/lang/edit").get_data(as_text=True)
    assert "Webadres (korte naam)" in page and ".../collaborations/achterveld" in page
    assert "Ervaring met burgerparticipatie" in page and "Koploper: het doet" in page
    r = post(client, "/collaborations/lang/edit",
             {"name": "Lang", "slug": "lang", "region": "r" * 201, "scale": "lokaal",
              "stage": "pionier", "hub_id": str(hub_id)})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Te lang: hoogstens 200 tekens." in body
    assert "karakters" not in body


def _roles_world(app) -> None:
    with app.app_context():
        hub = factories.HubFactory(slug="hub-r", name="Hub R")
        dorp = factories.CollaborationFactory(slug="dorp", hub=hub, name="Dorp")
        for email, role in (("fac@example.org", Role.FACILITATOR),
                            ("lid@example.org", Role.MEMBER)):
            user = factories.UserFactory(email=email, name=email.split("@")[0].title())
            db.session.flush()
            factories.MembershipFactory(user=user, collaboration_id=dorp.id, role=role.value)
        coordinator = factories.UserFactory(email="coord@example.org")
        db.session.flush()
        factories.MembershipFactory(user=coordinator, hub_id=hub.id,
                                    role=Role.COORDINATOR.value)
        db.session.commit()


@pytest.mark.parametrize("email,path,says,never", [
    # A facilitator may not change the hub: the coordinator or an administrator can.
    ("fac@example.org", "/hubs/hub-r/edit", "U bent begeleider", "Vraag de begeleider"),
    # A coordinator may not read the audit trail: an administrator can.
    ("coord@example.org", "/admin/audit/", "U bent coördinator", "Vraag de begeleider"),
    # A member may not invite: the facilitator can.
    ("lid@example.org", "/collaborations/dorp/invite", "Vraag de begeleider", "U bent"),
])
def test_a_refusal_says_who_can_help_given_the_person_s_own_role(app, client, email, path,
                                                                   says, never):
    _roles_world(app)
    login(client, email)
    r = client.get(path)
    body = r.get_data(as_text=True)
    assert r.status_code == 403, path
    assert says in body and never not in body


def test_a_facilitator_s_invitation_names_the_timeline_and_the_map(app, client, monkeypatch):
    _compile_catalogues(app)
    _roles_world(app)
    with smtp_sink.SmtpSink() as sink:
        smtp_sink.configure(app, monkeypatch, sink)
        login(client, "fac@example.org")
        form = client.get("/collaborations/dorp/invite").get_data(as_text=True)
        assert "houdt de tijdlijn en de rimpelkaart bij" in form
        r = post(client, "/collaborations/dorp/invite",
                 {"email": "nieuw@example.org", "role": "facilitator", "locale": "nl"})
        assert r.status_code == 200
        link = re.search(r"http://localhost(/invite/[A-Za-z0-9_-]+)", r.get_data(as_text=True))
        smtp_sink.deliver(app)
    [message] = sink.messages
    body = smtp_sink.body_of(message)
    assert "houdt u de tijdlijn en de rimpelkaart van dit samenwerkingsverband bij" in body
    client.post("/logout", data={"csrf_token": ""})
    page = app.test_client().get(link.group(1)).get_data(as_text=True)
    assert "houdt u de tijdlijn en de rimpelkaart van dit samenwerkingsverband bij" in page


def _parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own chart output, no DTD
    assert root.tag == f"{SVG}svg"
    return root


def _assert_labelled_by_real_elements(root: ET.Element, desc_text: str) -> None:
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    refs = (root.get("aria-labelledby", "") + " " + root.get("aria-describedby", "")).split()
    assert refs and all(ref in ids for ref in refs), refs
    tags = {ids[ref].tag for ref in refs}
    assert f"{SVG}desc" in tags and f"{SVG}title" in tags
    desc = next(ids[ref] for ref in refs if ids[ref].tag == f"{SVG}desc")
    # The description is text inside a real <desc>, not markup written out as text.
    assert desc.text == desc_text and len(desc) == 0


def test_chart_descriptions_are_svg_elements_that_aria_finds():
    bars = charts.bar_chart("Soort <b>", [("Activiteiten & co", 2, None, "activity"),
                                          ("Effecten", 3, "/x?a=1&b=2", "effect")],
                            "chart-kind", [("activity", "Activiteiten")])
    _assert_labelled_by_real_elements(_parsed(str(bars)), "Activiteiten & co: 2; Effecten: 3")
    stacked = charts.stacked_chart("Tijd", [("2024", "2024"), ("2025", "2025")],
                                   [("activity", "Activiteiten"), ("effect", "Effecten")],
                                   lambda period, part: 1, lambda period, part: None,
                                   "chart-time")
    _assert_labelled_by_real_elements(_parsed(str(stacked)), "2024: 2; 2025: 2")
    spider = radar.radar_svg(["Geld", "Mensen", "Beleid"],
                             [radar.Series("2025", [1, 2, 3], "#000000")],
                             "Radar", "Drie pijlers & scores")
    _assert_labelled_by_real_elements(_parsed(str(spider)), "Drie pijlers & scores")


def test_the_analysis_page_charts_are_described_in_the_browser_tree(app, client):
    """On the page itself (HTML, where <desc> must stay an SVG element) every chart's
    aria-labelledby names ids that exist, and the desc holds plain text."""
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp")
        user = factories.UserFactory(email="lid@example.org")
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        factories.ActivityFactory(collaboration=collab, title="Markt <b>")
        factories.EffectFactory(collaboration=collab, title="Buren & zo")
        db.session.commit()
    login(client, "lid@example.org")
    body = client.get("/collaborations/dorp/analysis").get_data(as_text=True)
    svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="chart.*?</svg>', body,
                      re.S)
    assert len(svgs) >= 4
    for svg in svgs:
        root = _parsed(svg)
        refs = root.get("aria-labelledby").split()
        found = {element.get("id"): element.tag for element in root.iter()}
        assert [found.get(ref) for ref in refs] == [f"{SVG}title", f"{SVG}desc"]
    assert "&lt;desc" not in body


def test_the_readme_names_port_and_the_makefile_honours_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "PORT=5001 make run" in readme and "AirPlay" in readme
    dry = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=False)
    assert "--port 5001" in dry.stdout
