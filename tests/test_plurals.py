"""Counts read right in both languages: "1 effect", "2 effecten", "1 connection"."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from rem.accounts.models import Role
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps.builder import summary
from rem.maps.model import MapEdge, MapNode, RippleMap
from rem.ripples import services
from tests import factories
from tests.conftest import login, post
from tests.test_translations import EN_PO, _compile_catalogues

# Dutch plural nouns after a number. A msgid with "%(x)d <noun>" must be an ngettext
# plural, unless the number can never be 1 (listed here, with the reason).
PLURAL_NOUNS = ("items", "effecten", "activiteiten", "verbindingen", "verhalen",
                "deelnemers", "regels", "meldingen", "onderwerpen", "groepen", "bladen",
                "samenwerkingsverbanden", "sleutels", "logboekregels", "resultaten",
                "wijzigingen", "waarden", "dagen", "stappen")
ALWAYS_MANY = {
    # A tiled print always has at least two sheets, and the limit (paper.MAX_PAGES) is 24.
    "%(title)s: overzicht, %(n)d bladen",
    "Deze kaart is te groot voor %(paper)s: de tekst zou onleesbaar klein worden of over "
    "meer dan %(n)d bladen gaan. Kies A3, een filter, of download de SVG.",
    # Only said of maps above REM_MAP_MAX_NODES (hundreds of items, many groups).
    "Deze kaart is te groot om te tekenen (%(n)d items). Hieronder staat de lijst.",
    # Only said when a top-10 list leaves some out (so n is 10 and the total more).
    "De %(n)d effecten met de meeste oorzaken, van de %(total)d.",
    "Alle %(n)d activiteiten",
    # Only said of maps above OUTLINE_INLINE_NODES (rem/maps/views.py): hundreds of items.
    "Open de kaart als lijst (%(num)d items)",
    "Deze kaart is te groot om te tekenen (%(n)d items).",
    "Deze kaart is te groot om te tekenen (%(n)d items). Gebruik een filter, bijvoorbeeld "
    "op periode of code.",
    "%(n)d items in %(g)d groepen, met %(l)d verbindingen (%(i)d binnen een groep).",
    "%(title)s: %(n)d items in %(g)d groepen per periode en code, met %(l)d verbindingen.",
    # Only said when there is more than one (len(...) > 1 in the code).
    "Het bestand bevat %(n)d samenwerkingsverbanden; alles komt in dit ene "
    "samenwerkingsverband.",
    "De kaart heeft %(n)d bladen; ze zijn allemaal ingelezen.",
    # A fixed maximum, far above 1.
    "“%(name)s” heeft meer dan %(n)d regels.",
    "De XMind-kaart heeft meer dan %(n)d onderwerpen.",
    "U hebt al %(n)d sleutels. Trek er eerst een in.",
    "Een verhaal heeft hoogstens %(n)d stappen.",
    # Only said when the timeline has more than one page (so many items).
    "Deze tijdlijn is lang. U ziet %(shown)s van de %(total)s items; kies hieronder een "
    "andere periode.",
}
# %(n)d and %(n)s alike: a template often passes the number as a string.
COUNT_RE = re.compile(r"%\(\w+\)[ds] (?:\w+ )?(" + "|".join(PLURAL_NOUNS) + r")\b")
# "waarde(n)": a plural written around instead of through ngettext.
BRACKET_PLURAL_RE = re.compile(r"\w\((?:n|en|s)\)(?!\w)")


def test_counted_nouns_use_plural_forms():
    with Path(EN_PO).open("rb") as fileobj:
        catalog = read_po(fileobj)
    singular_only = [m.id for m in catalog
                     if m.id and isinstance(m.id, str)
                     and (COUNT_RE.search(m.id) or BRACKET_PLURAL_RE.search(m.id))
                     and m.id not in ALWAYS_MANY]
    assert singular_only == [], (
        "use ngettext for these counts (or list them in ALWAYS_MANY with the reason):\n"
        + "\n".join(singular_only))


def test_the_check_sees_a_singular_count():
    assert COUNT_RE.search("Ingelezen: %(n)d effecten.")
    assert not COUNT_RE.search("hoogstens %(n)d tekens")
    assert COUNT_RE.search("%(n)s wijzigingen gevonden.")
    assert BRACKET_PLURAL_RE.search("%(n)d waarde(n) in")
    assert not BRACKET_PLURAL_RE.search("Graphviz (het programma dot)")


def _node(node_id: int, kind: str) -> MapNode:
    return MapNode(id=node_id, kind=kind, title=f"n{node_id}", date_label="2024",
                   period="2024", order=None, intended=None, valence=None, codes=[],
                   url="/", tooltip="")


def test_map_sentence_says_one_effect_and_one_connection(app):
    _compile_catalogues(app)
    one = RippleMap(title="Dorp", centre_label="Dorp",
                    nodes=[_node(1, "activity"), _node(2, "effect")], edges=[MapEdge(1, 2)])
    two = RippleMap(title="Dorp", centre_label="Dorp",
                    nodes=[_node(1, "activity"), _node(2, "effect"), _node(3, "effect")],
                    edges=[MapEdge(1, 2), MapEdge(1, 3)])
    with app.test_request_context():
        with force_locale("nl"):
            assert summary(one) == "Dorp: 1 activiteit, 1 effect en 1 verbinding."
            assert summary(two) == "Dorp: 1 activiteit, 2 effecten en 2 verbindingen."
        with force_locale("en"):
            assert summary(one) == "Dorp: 1 activity, 1 effect and 1 connection."
            assert summary(two) == "Dorp: 1 activity, 2 effects and 2 connections."


def test_timeline_counts_in_both_languages(app, client):
    _compile_catalogues(app)
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp")
        user = factories.UserFactory(email="fac@example.org", locale="nl")
        db.session.flush()
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.FACILITATOR.value)
        activity = factories.ActivityFactory(collaboration=collab, title="Markt")
        effect = factories.EffectFactory(collaboration=collab, title="Buren")
        services.add_link(activity, effect)
        db.session.commit()
        collab_id = collab.id
    login(client, "fac@example.org")
    page = client.get("/collaborations/dorp").get_data(as_text=True)
    assert "1 activiteit en 1 effect." in page
    with app.app_context():
        factories.EffectFactory(collaboration=db.session.get(Collaboration, collab_id),
                                title="Nog een")
        db.session.commit()
    post(client, "/language", {"locale": "en", "next": "/"})
    page = client.get("/collaborations/dorp").get_data(as_text=True)
    assert "1 activity and 2 effects." in page, re.findall(r"<p class=\"muted\">[^<]*", page)
