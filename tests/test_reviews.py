"""The annual borging review: opening, filling in, evidence, freezing, versions, pages, PDF."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
import sqlalchemy as sa

from rem.access import load_access
from rem.access import reviews as review_access
from rem.accounts.models import Role, User
from rem.audit.models import AuditEvent
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.reviews import adoption, comparison, services
from rem.reviews import evidence as review_evidence
from rem.reviews.models import BorgingReview, ReviewScore
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import login, post


def _code(ref: str):
    return code_by_qualified_slug(ref)


def _world(app) -> dict:
    """Collaboration dorp (hub A) with a facilitator and a member; items and entries coded
    with borging strategies in 2024 and 2025; collaboration elders in hub B."""
    with app.app_context():
        hub_a = factories.HubFactory(slug="hub-a", name="Hub A")
        hub_b = factories.HubFactory(slug="hub-b")
        dorp = factories.CollaborationFactory(slug="dorp", name="Dorp", hub=hub_a)
        elders = factories.CollaborationFactory(slug="elders", name="Elders", hub=hub_b)
        people = {}
        for email, role, where in [("fac@example.org", Role.FACILITATOR, dorp),
                                   ("lid@example.org", Role.MEMBER, dorp),
                                   ("ander@example.org", Role.FACILITATOR, elders)]:
            user = factories.UserFactory(email=email, name=email.split("@")[0].title())
            factories.MembershipFactory(user=user, collaboration_id=where.id, role=role.value)
            people[email] = user
        coordinator = factories.UserFactory(email="coord@example.org")
        db.session.flush()
        factories.MembershipFactory(user=coordinator, hub_id=hub_a.id,
                                    role=Role.COORDINATOR.value)
        factories.UserFactory(email="onderzoek@example.org", is_researcher=True)
        sleutel = _code("borging:sleutelpersonen")
        beleid = _code("borging:beleidsverankering")
        geld = _code("borging:financiele-duurzaamheid")
        oud = factories.ActivityFactory(collaboration=dorp, title="Dorpsondersteuner start",
                                        date_start=date(2024, 3, 1), codes=[sleutel])
        nieuw = factories.ActivityFactory(collaboration=dorp, title="Buurtverbinders getraind",
                                          date_start=date(2025, 2, 1), codes=[sleutel])
        effect = factories.EffectFactory(collaboration=dorp, title="Gemeente neemt het op",
                                         date_start=date(2025, 4, 1), codes=[beleid],
                                         description="In de **nota** staat het nu.",
                                         evidence_kind="quote",
                                         evidence_text="Dit hoort er voortaan bij.")
        weg = factories.EffectFactory(collaboration=dorp, title="Weggegooid effect",
                                      date_start=date(2025, 5, 1), codes=[beleid])
        weg.deleted_at = weg.created_at
        ongecodeerd = factories.EffectFactory(collaboration=dorp, title="Zonder code",
                                              date_start=date(2025, 6, 1))
        entry = factories.LogEntryFactory(collaboration=dorp, title="Wie betaalt straks?",
                                          kind="question", entry_date=date(2025, 5, 15),
                                          codes=[geld])
        actie = factories.LogEntryFactory(collaboration=dorp, title="Subsidie aanvragen",
                                          kind="action", entry_date=date(2025, 5, 15),
                                          due_date=date(2025, 9, 1),
                                          owner_id=people["fac@example.org"].id)
        vreemd = factories.ActivityFactory(collaboration=elders, title="Vreemd",
                                           date_start=date(2025, 1, 1), codes=[sleutel])
        db.session.commit()
        return {"dorp": dorp.id, "elders": elders.id, "oud": oud.id, "nieuw": nieuw.id,
                "effect": effect.id, "weg": weg.id, "ongecodeerd": ongecodeerd.id,
                "entry": entry.id, "actie": actie.id, "vreemd": vreemd.id,
                "fac": people["fac@example.org"].id}


def _dorp() -> Collaboration:
    return db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "dorp"))


def _input(**scores) -> services.ReviewInput:
    data = services.ReviewInput(status="discussed", participants="Twee inwoners, de "
                                "dorpsondersteuner")
    data.strategies = {"sleutelpersonen": ("realised", "Twee buurtverbinders erbij."),
                       "beleidsverankering": ("in_development", "In de nota.")}
    data.scores = {"diversiteit": "3", "invloed": "2,5", **scores}
    return data


# --- services: opening -----------------------------------------------------------------------


def test_one_review_per_year_and_a_clear_message_for_a_second(app, ctx):
    _world(app)
    dorp = _dorp()
    review = services.create_review(dorp, 2025)
    assert [s.strategy for s in review.strategies][0] == "sleutelpersonen"
    assert len(review.strategies) == 6 and review.version_number == 1
    with pytest.raises(services.ReviewError, match="al een review over 2025"):
        services.create_review(dorp, 2025)
    # Another collaboration may hold its own 2025 review.
    elders = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "elders"))
    assert services.create_review(elders, 2025).year == 2025


@pytest.mark.parametrize("year", [None, 1999, 2101, date.today().year + 2])
def test_an_impossible_year_is_refused(app, ctx, year):
    _world(app)
    with pytest.raises(services.ReviewError):
        services.create_review(_dorp(), year)
    assert db.session.scalar(sa.select(sa.func.count(BorgingReview.id))) == 0


def test_a_year_without_data_is_noticed(app, ctx):
    _world(app)
    assert services.year_has_data(_dorp(), 2025)
    assert not services.year_has_data(_dorp(), 2019)


# --- services: filling in ---------------------------------------------------------------------


def test_scores_and_statuses_are_saved_with_a_comma_decimal(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(), review.version)
    scores = {s.pillar: s.score for s in review.scores}
    assert scores == {"diversiteit": 3.0, "invloed": 2.5}
    statuses = {s.strategy: s.status for s in review.strategies}
    assert statuses["sleutelpersonen"] == "realised" and statuses["infrastructuur"] is None
    assert review.status == "discussed"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "update"))
    assert event is not None and event.entity_type == "borging_review"


@pytest.mark.parametrize("bad,message", [("6", "tussen 0 en 5"), ("-1", "tussen 0 en 5"),
                                         ("veel", "geen getal"), ("nan", "tussen 0 en 5"),
                                         ("5,01", "tussen 0 en 5")])
def test_scores_outside_0_to_5_are_refused_and_nothing_changes(app, ctx, bad, message):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(), review.version)
    db.session.commit()
    with pytest.raises(services.ReviewError, match=message) as caught:
        services.update_review(review, _input(draagvlak=bad), review.version)
    assert "Draagvlak" in str(caught.value)
    db.session.rollback()
    review = db.session.get(BorgingReview, review.id)
    assert {s.pillar: s.score for s in review.scores} == {"diversiteit": 3.0, "invloed": 2.5}


def test_the_database_refuses_a_score_out_of_range_too(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    db.session.add(ReviewScore(review_id=review.id, pillar="invloed", score=7))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_older_pillars_count_only_when_chosen(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(**{"oud-invloed": "2"}), review.version)
    assert "oud-invloed" not in {s.pillar for s in review.scores}
    data = _input(**{"oud-invloed": "2"})
    data.use_older_pillars = True
    services.update_review(review, data, review.version)
    assert {s.pillar: s.score for s in review.scores}["oud-invloed"] == 2.0


def test_a_stale_form_is_refused(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    seen = review.version
    services.update_review(review, _input(), seen)
    with pytest.raises(services.EditConflict):
        services.update_review(review, _input(), seen)


# --- services: evidence -------------------------------------------------------------------------


def test_evidence_proposes_coded_items_and_entries_of_the_year_only(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    evidence = review_evidence.evidence_of(review)
    titles = {slug: [e.title for e in rows] for slug, rows in evidence.items()}
    assert titles["sleutelpersonen"] == ["Buurtverbinders getraind"]  # not 2024, not elders
    assert titles["beleidsverankering"] == ["Gemeente neemt het op"]  # not the binned one
    assert titles["financiele-duurzaamheid"] == ["Wie betaalt straks?"]
    assert titles["infrastructuur"] == []
    effect = evidence["beleidsverankering"][0]
    assert "nota" in effect.excerpt and "**" not in effect.excerpt
    assert "Dit hoort er voortaan bij." in effect.excerpt
    assert effect.kept and effect.item_id == ids["effect"]


def test_keep_drop_and_add(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    review_evidence.decide_evidence(review, "beleidsverankering", f"item:{ids['effect']}", "drop")
    review_evidence.decide_evidence(review, "infrastructuur", f"item:{ids['ongecodeerd']}", "add")
    review_evidence.decide_evidence(review, "infrastructuur", f"entry:{ids['actie']}", "add")
    evidence = review_evidence.evidence_of(review)
    assert [e.kept for e in evidence["beleidsverankering"]] == [False]
    assert [(e.title, e.added) for e in evidence["infrastructuur"]] == [
        ("Subsidie aanvragen", True), ("Zonder code", True)]
    kept = review_evidence.evidence_of(review, include_dropped=False)
    assert kept["beleidsverankering"] == []
    review_evidence.decide_evidence(review, "beleidsverankering", f"item:{ids['effect']}", "keep")
    assert review_evidence.evidence_of(review)["beleidsverankering"][0].kept


@pytest.mark.parametrize("ref", ["item:999999", "entry:999999", "nonsense", "item:abc", ""])
def test_adding_something_unknown_is_refused(app, ctx, ref):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    with pytest.raises(services.ReviewError):
        review_evidence.decide_evidence(review, "infrastructuur", ref, "add")


def test_adding_another_collaborations_item_or_a_binned_one_is_refused(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    for ref in (f"item:{ids['vreemd']}", f"item:{ids['weg']}"):
        with pytest.raises(services.ReviewError, match="hoort niet bij"):
            review_evidence.decide_evidence(review, "infrastructuur", ref, "add")
    with pytest.raises(services.ReviewError):
        review_evidence.decide_evidence(review, "geen-strategie", f"item:{ids['nieuw']}", "add")


# --- services: adopting, freezing and new versions ----------------------------------------------


def test_adopting_freezes_the_evidence_and_the_lists(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(), review.version)
    review_evidence.decide_evidence(review, "infrastructuur", f"item:{ids['ongecodeerd']}", "add")
    empty = adoption.adopt(review, review.version, map_svg="<svg>kaart</svg>",
                           map_summary="Een kaart")
    assert empty == ["Infrastructuur", "Kennisdeling en training", "Juridische borging",
                     "Financiële duurzaamheid"]
    assert review.is_adopted and review.adopted_at is not None
    db.session.commit()
    # Later edits to the ripple log and the learning log do not change the adopted review.
    effect = db.session.get(RippleItem, ids["effect"])
    effect.title = "Een heel andere titel"
    nieuw = db.session.get(RippleItem, ids["nieuw"])
    nieuw.deleted_at = nieuw.created_at
    factories.EffectFactory(collaboration=_dorp(), title="Later erbij",
                            date_start=date(2025, 11, 1),
                            codes=[_code("borging:sleutelpersonen")])
    db.session.commit()
    review = db.session.get(BorgingReview, review.id)
    evidence = review_evidence.evidence_of(review)
    assert [e.title for e in evidence["beleidsverankering"]] == ["Gemeente neemt het op"]
    assert [e.title for e in evidence["sleutelpersonen"]] == ["Buurtverbinders getraind"]
    assert [e.title for e in evidence["infrastructuur"]] == ["Zonder code"]
    assert [e.title for e in evidence["financiele-duurzaamheid"]] == ["Wie betaalt straks?"]
    lists = comparison.year_lists(review)
    assert "Een heel andere titel" not in [e["title"] for e in lists["new_effects"]]
    assert "Later erbij" not in [e["title"] for e in lists["new_effects"]]
    assert [a["title"] for a in lists["open_actions"]] == ["Subsidie aanvragen"]
    assert review.frozen_map_svg == "<svg>kaart</svg>"


def test_an_adopted_review_refuses_every_change(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    adoption.adopt(review, review.version)
    for attempt in (lambda: services.update_review(review, _input(), review.version),
                    lambda: review_evidence.decide_evidence(review, "infrastructuur",
                                                     f"item:{ids['nieuw']}", "add"),
                    lambda: adoption.adopt(review, review.version)):
        with pytest.raises(services.ReviewError, match="vastgesteld"):
            attempt()


def test_adopting_with_every_strategy_empty_is_allowed_and_says_so(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    assert len(adoption.adopt(review, review.version)) == 6


def test_a_new_version_is_a_deliberate_copy(app, ctx):
    ids = _world(app)
    review = services.create_review(_dorp(), 2025)
    with pytest.raises(services.ReviewError, match="nog niet vastgesteld"):
        adoption.new_version(review)
    services.update_review(review, _input(), review.version)
    review_evidence.decide_evidence(review, "beleidsverankering", f"item:{ids['effect']}", "drop")
    adoption.adopt(review, review.version)
    copy = adoption.new_version(review)
    assert (copy.year, copy.version_number, copy.status) == (2025, 2, "draft")
    assert {s.pillar: s.score for s in copy.scores} == {"diversiteit": 3.0, "invloed": 2.5}
    assert {s.strategy: s.status for s in copy.strategies}["sleutelpersonen"] == "realised"
    assert [e.kept for e in review_evidence.evidence_of(copy)["beleidsverankering"]] == [False]
    assert review.is_adopted and services.latest_for_year(review.collaboration_id,
                                                          2025).id == copy.id
    with pytest.raises(services.ReviewError, match="nieuwere versie"):
        adoption.new_version(review)
    # The copy can be changed, the original stays as adopted.
    services.update_review(copy, _input(diversiteit="4"), copy.version)
    assert {s.pillar: s.score for s in review.scores}["diversiteit"] == 3.0


def test_year_over_year(app, ctx):
    _world(app)
    last = services.create_review(_dorp(), 2024)
    data = _input()
    data.strategies = {"sleutelpersonen": ("in_development", ""),
                       "beleidsverankering": ("in_development", "")}
    data.scores = {"diversiteit": "2", "invloed": "2,5"}
    services.update_review(last, data, last.version)
    adoption.adopt(last, last.version)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(), review.version)
    previous = services.previous_review(review)
    assert previous.id == last.id
    strategies = {c.key: c for c in comparison.strategy_changes(review, previous)}
    assert strategies["sleutelpersonen"].before == "In ontwikkeling"
    assert strategies["sleutelpersonen"].now == "Gerealiseerd"
    assert strategies["sleutelpersonen"].changed
    assert not strategies["beleidsverankering"].changed
    scores = {c.key: c for c in comparison.score_changes(review, previous)}
    assert scores["diversiteit"].delta == 1.0 and scores["invloed"].delta == 0.0
    assert scores["draagvlak"].delta is None
    new_effects = [e["title"] for e in comparison.year_lists(review)["new_effects"]]
    assert new_effects == ["Gemeente neemt het op", "Zonder code"]


def test_hub_overview(app, ctx):
    _world(app)
    review = services.create_review(_dorp(), 2025)
    services.update_review(review, _input(), review.version)
    hub = _dorp().hub
    factories.CollaborationFactory(slug="tweede", name="Tweede", hub=hub)
    rows = services.hub_overview(hub, 2025)
    assert [r.collaboration.slug for r in rows] == ["dorp", "tweede"]
    assert rows[0].statuses["sleutelpersonen"] == "realised" and rows[1].review is None
    assert services.hub_overview(hub, 2024)[0].review is None


def test_who_reads_and_who_edits(app, ctx):
    _world(app)
    dorp = _dorp()
    from rem.accounts.models import User

    def access(email):
        return load_access(db.session.scalar(sa.select(User).where(User.email == email)))

    assert review_access.may_edit(access("fac@example.org"), dorp)
    assert review_access.may_edit(access("coord@example.org"), dorp)
    assert review_access.may_read(access("lid@example.org"), dorp)
    assert not review_access.may_edit(access("lid@example.org"), dorp)
    for outsider in ("onderzoek@example.org", "ander@example.org"):
        assert not review_access.may_read(access(outsider), dorp)


# --- pages -----------------------------------------------------------------------------------


def _open(client, year="2025"):
    return post(client, "/collaborations/dorp/reviews", {"year": year},
                token_from="/collaborations/dorp/reviews")


def _review_id(app, year=2025) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(BorgingReview.id).where(BorgingReview.year == year)
                                 .order_by(BorgingReview.version_number.desc()))


def _form_data(client, url: str, **changes) -> dict:
    page = client.get(url).get_data(as_text=True)
    data = {"version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
            "status": "discussed", "participants": "Inwoners en de gemeente",
            "status_sleutelpersonen": "realised",
            "narrative_sleutelpersonen": "Twee <b>buurtverbinders</b> erbij.",
            "score_diversiteit": "3", "score_invloed": "2,5"}
    data.update(changes)
    return data


def test_facilitator_opens_fills_in_and_adopts_a_review(app, client):
    _world(app)
    login(client, "fac@example.org")
    response = _open(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    again = _open(client)
    assert again.status_code == 302
    page = client.get("/collaborations/dorp/reviews").get_data(as_text=True)
    assert "al een review over 2025" in page
    review_id = _review_id(app)
    url = f"/collaborations/dorp/reviews/{review_id}/edit"
    bad = post(client, url, _form_data(client, url, score_draagvlak="9"), token_from=url)
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "moet tussen 0 en 5 liggen" in text
    assert 'value="9"' in text  # the form comes back as typed: nothing is lost
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ReviewScore.id))) == 0
    good = post(client, url, _form_data(client, url), token_from=url)
    assert good.status_code == 302
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    # The narrative is Markdown through core.markdown: simple tags survive the sanitizer.
    assert "Twee <b>buurtverbinders</b> erbij." in report
    assert "<svg" in report and 'id="radar-now-title"' in report and "<desc" in report
    assert "Buurtverbinders getraind" in report  # proposed evidence
    assert "Niet ingevuld" in report  # five strategies left empty
    # Adopt.
    page = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    # "Review vaststellen" first asks (a page of its own, no JavaScript needed).
    asked = post(client, f"/collaborations/dorp/reviews/{review_id}/adopt",
                 {"version": version}, token_from=f"/collaborations/dorp/reviews/{review_id}")
    assert asked.status_code == 200
    question = asked.get_data(as_text=True)
    assert "Ja, review vaststellen" in question and 'name="csrf_token"' in question
    assert 'name="confirmed" value="yes"' in question
    assert f'name="version" value="{version}"' in question
    with app.app_context():
        assert not db.session.get(BorgingReview, review_id).is_adopted  # nothing frozen yet
    refused = client.post(f"/collaborations/dorp/reviews/{review_id}/adopt",
                          data={"version": version, "confirmed": "yes"})
    assert refused.status_code == 400  # no CSRF token: refused
    adopted = post(client, f"/collaborations/dorp/reviews/{review_id}/adopt",
                   {"version": version, "confirmed": "yes"},
                   token_from=f"/collaborations/dorp/reviews/{review_id}")
    assert adopted.status_code == 302
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert "Vastgesteld" in report and "Nieuwe versie maken" in report
    assert "is vastgesteld" in report
    # Editing an adopted review is refused with a message.
    refused = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "kan niet meer veranderen" in refused


def test_evidence_page_keeps_and_drops(app, client):
    ids = _world(app)
    login(client, "fac@example.org")
    _open(client)
    review_id = _review_id(app)
    url = f"/collaborations/dorp/reviews/{review_id}/evidence"
    page = client.get(url).get_data(as_text=True)
    assert "Buurtverbinders getraind" in page and "Weglaten" in page
    post(client, url, {"strategy": "sleutelpersonen", "ref": f"item:{ids['nieuw']}",
                       "action": "drop"}, token_from=url)
    assert "Toch houden" in client.get(url).get_data(as_text=True)
    refused = post(client, url, {"strategy": "sleutelpersonen", "ref": f"item:{ids['vreemd']}",
                                 "action": "add"}, token_from=url, follow_redirects=True)
    assert "hoort niet bij dit samenwerkingsverband" in refused.get_data(as_text=True)
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    evidence_part = report.split('id="evidence-heading"')[1].split('id="map-heading"')[0]
    assert "Buurtverbinders getraind" not in evidence_part
    assert "Gemeente neemt het op" in evidence_part


def test_members_read_but_do_not_edit(app, client):
    _world(app)
    with app.test_request_context():
        review = services.create_review(_dorp(), 2025)
        db.session.commit()
        review_id = review.id
    login(client, "lid@example.org")
    assert client.get(f"/collaborations/dorp/reviews/{review_id}").status_code == 200
    assert client.get(f"/collaborations/dorp/reviews/{review_id}/edit").status_code == 403
    page = client.get("/collaborations/dorp/reviews").get_data(as_text=True)
    assert "Nieuwe review openen" not in page


def test_a_review_of_another_collaboration_is_not_found(app, client):
    _world(app)
    with app.test_request_context():
        elders = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == "elders"))
        review = services.create_review(elders, 2025)
        db.session.commit()
        review_id = review.id
    login(client, "fac@example.org")
    assert client.get(f"/collaborations/dorp/reviews/{review_id}").status_code == 404


def test_opening_a_year_without_data_says_so(app, client):
    _world(app)
    login(client, "fac@example.org")
    response = _open(client, "2019")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nog geen activiteiten, effecten of logboekregels" in page


def test_hub_overview_page(app, client):
    _world(app)
    with app.test_request_context():
        review = services.create_review(_dorp(), 2025)
        services.update_review(review, _input(), review.version)
        db.session.commit()
    login(client, "coord@example.org")
    page = client.get("/hubs/hub-a/reviews?year=2025").get_data(as_text=True)
    assert "Dorp" in page and "Gerealiseerd" in page and "In ontwikkeling" in page
    assert "Borgingsreviews" in client.get("/hubs/hub-a").get_data(as_text=True)
    fallback = client.get("/hubs/hub-a/reviews?year=abc")
    assert fallback.status_code == 200


def _pdf_text(data: bytes) -> str:
    """Return the text of the PDF's uncompressed and Flate-compressed objects (WeasyPrint
    writes the title and the headings as bookmarks there, in UTF-16 or plain)."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    text = ""
    for chunk in chunks:
        text += chunk.decode("latin-1")
        for hexa in re.findall(rb"<[Ff][Ee][Ff][Ff]([0-9A-Fa-f]+)>", chunk):
            text += bytes.fromhex(hexa.decode()).decode("utf-16-be", "replace")
    return text


def test_every_bad_score_is_named_at_once_and_last_years_status_is_shown(app, client):
    _world(app)
    with app.test_request_context():
        last = services.create_review(_dorp(), 2024)
        services.update_review(last, _input(), last.version)
        adoption.adopt(last, last.version)
        db.session.commit()
    login(client, "fac@example.org")
    _open(client)
    url = f"/collaborations/dorp/reviews/{_review_id(app)}/edit"
    page = client.get(url).get_data(as_text=True)
    fieldset = re.search(r'id="strategy-sleutelpersonen".*?</fieldset>', page, re.S).group(0)
    assert "Vorig jaar (2024):" in fieldset and "<strong>Gerealiseerd</strong>" in fieldset
    other = re.search(r'id="strategy-infrastructuur".*?</fieldset>', page, re.S).group(0)
    assert "<strong>niet ingevuld</strong>" in other
    bad = post(client, url, _form_data(client, url, score_draagvlak="9", score_verbinding="veel",
                                       score_invloed="-2"), token_from=url)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "3 scores kloppen niet" in text
    for label, message in (("Draagvlak", "moet tussen 0 en 5 liggen"),
                           ("Verbinding", "is geen getal"), ("Invloed", "moet tussen 0 en 5")):
        assert re.search(f"score bij “{label}[^”]*” {message}", text), label
    with app.app_context():
        review = db.session.get(BorgingReview, _review_id(app))
        assert review.scores == []  # nothing saved


def test_narratives_render_markdown_on_the_page_and_in_the_pdf(app, client, monkeypatch):
    from rem.core import pdf

    _world(app)
    with app.test_request_context():
        review = services.create_review(_dorp(), 2025)
        data = _input()
        data.strategies["sleutelpersonen"] = ("realised", "Goede **voortgang**:\n\n- twee "
                                              "buurtverbinders\n- <script>x()</script>een cursus")
        data.risk_key_persons = "Alles hangt aan *één* persoon."
        services.update_review(review, data, review.version)
        db.session.commit()
        review_id = review.id
    login(client, "fac@example.org")
    page = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert "<strong>voortgang</strong>" in page and "**voortgang**" not in page
    assert "<li>twee buurtverbinders</li>" in page and "<script>x()" not in page
    assert "<em>één</em>" in page
    if not pdf.available():
        pytest.skip("WeasyPrint is not installed here (the 503 is checked in the test below)")
    rendered: list[str] = []
    real = pdf.render

    def keep_html(html, *args, **kwargs):  # the real renderer runs; its input is kept
        rendered.append(html)
        return real(html, *args, **kwargs)

    monkeypatch.setattr(pdf, "render", keep_html)
    response = client.get(f"/collaborations/dorp/reviews/{review_id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "<strong>voortgang</strong>" in rendered[0] and "**voortgang**" not in rendered[0]
    assert "<em>één</em>" in rendered[0]


def test_the_report_as_pdf(app, client):
    from rem.core.pdf import available as pdf_available

    _world(app)
    with app.test_request_context():
        review = services.create_review(_dorp(), 2025)
        services.update_review(review, _input(), review.version)
        adoption.adopt(review, review.version)
        db.session.commit()
        review_id = review.id
    login(client, "fac@example.org")
    response = client.get(f"/collaborations/dorp/reviews/{review_id}/report.pdf")
    if not pdf_available():
        assert response.status_code == 503
        # The 503 above is the real check without WeasyPrint; the PDF itself is checked
        # where WeasyPrint (with Pango) is installed, as here and in CI.
        pytest.skip("WeasyPrint is not installed here")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 5000
    text = _pdf_text(response.data)
    assert "Borgingsreview 2025" in text
    assert "Participatiescan" in text and "De zes borgingsstrategieën" in text


# --- hostile text and the radar ------------------------------------------------------------


@pytest.mark.parametrize("payload", ["<script>alert('x1')</script>",
                                     "\"><img src=x onerror=alert('x2')>",
                                     "<svg onload=alert('x3')>", "{{ 7*7 }} ${7*7}",
                                     "]; node [label=<b>x</b> URL=\"javascript:alert('x4')\"]"])
def test_hostile_text_is_inert_on_every_review_page(app, client, payload):
    from tests.test_xss_corpus import _problems

    ids = _world(app)
    with app.app_context():
        factories.EffectFactory(collaboration=_dorp(), title=payload[:200],
                                description=payload, evidence_text=payload,
                                date_start=date(2025, 7, 1),
                                codes=[_code("borging:infrastructuur")])
        db.session.commit()
    login(client, "fac@example.org")
    _open(client)
    review_id = _review_id(app)
    base = f"/collaborations/dorp/reviews/{review_id}"
    post(client, base + "/edit", _form_data(client, base + "/edit", participants=payload,
                                            narrative_infrastructuur=payload,
                                            risk_key_persons=payload),
         token_from=base + "/edit")
    post(client, base + "/evidence", {"strategy": "juridische-borging",
                                      "ref": f"item:{ids['ongecodeerd']}", "action": "add"},
         token_from=base + "/evidence")
    for path in (base, base + "/evidence", base + "/edit", "/collaborations/dorp/reviews"):
        body = client.get(path).get_data(as_text=True)
        assert _problems(body) == [], path
    report = client.get(base).get_data(as_text=True)
    if payload.startswith("{{"):
        assert "{{ 7*7 }}" in report  # shown as typed, never evaluated as a template
    version = re.search(r'name="version" value="(\d+)"', report).group(1)
    post(client, base + "/adopt", {"version": version, "confirmed": "yes"}, token_from=base)
    assert _problems(client.get(base).get_data(as_text=True)) == []
    assert client.get("/hubs/hub-a/reviews?year=2025").status_code == 403  # no coordinator


def test_the_radar_is_clean_titled_svg():
    from rem.reviews.radar import Series, radar_svg

    svg = str(radar_svg(["A <b>&", "B \"quoted\"", "C {x}", "D"],
                        [Series("Nu <script>", [1, 2, 3, 4], "#000", fill="#000"),
                         Series("Toen", [1, None, 3, 5], "#111", dash="4 4")],
                        "Titel <x>", "Uitleg & meer", id_prefix="t"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert '<title id="t-title">Titel &lt;x&gt;</title>' in svg
    assert '<desc id="t-desc">Uitleg &amp; meer</desc>' in svg
    assert "A &lt;b&gt;&amp;" in svg and "&#34;quoted&#34;" in svg and "Nu &lt;script&gt;" in svg
    assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    # The full series is a polygon; the one with a gap only gets markers, no false line.
    assert svg.count('stroke-width="2.5"') == 1
    assert svg.count("<circle") == 4 + 3
    from defusedxml.minidom import parseString

    parseString(svg)  # well-formed XML, so WeasyPrint can draw it


def test_the_seven_older_pillars_get_their_own_radar_with_the_national_reference(app, client):
    _world(app)
    login(client, "fac@example.org")
    _open(client)
    review_id = _review_id(app)
    url = f"/collaborations/dorp/reviews/{review_id}/edit"
    post(client, url, _form_data(client, url, use_older_pillars="y", **{
        "score_oud-invloed": "2", "score_oud-continuiteit": "3,5"}), token_from=url)
    report = client.get(f"/collaborations/dorp/reviews/{review_id}").get_data(as_text=True)
    assert report.count("<svg") >= 3  # two radars and the map
    old = report.split('id="radar-old-title"')[1].split("</table>")[0]
    assert "Landelijke score (543 vragenlijsten)" in old
    assert "Mate van invloed" in old and "1,92" in old and "2,77" in old and "3,5" in old
    assert "Vorig jaar" not in old  # the national line, not last year, on the old radar


def test_strategy_names_follow_the_readers_language(app, client):
    _world(app)
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.email == "fac@example.org")).locale = "en"
        db.session.commit()
    from tests.test_translations import _compile_catalogues

    _compile_catalogues(app)
    login(client, "fac@example.org")
    _open(client)
    report = client.get(f"/collaborations/dorp/reviews/{_review_id(app)}").get_data(
        as_text=True)
    assert "Key persons" in report and "Financial sustainability" in report
    assert "Sleutelpersonen" not in report


def test_hub_overview_opens_on_the_newest_year_with_reviews(app, client):
    _world(app)
    login(client, "coord@example.org")
    # No review anywhere yet: this calendar year.
    page = client.get("/hubs/hub-a/reviews").get_data(as_text=True)
    assert f"Borgingsreviews {date.today().year}" in page
    assert "Nog geen enkel samenwerkingsverband" in page
    with app.test_request_context():
        for year in (2021, 2023):
            review = services.create_review(_dorp(), year)
            services.update_review(review, _input(), review.version)
        db.session.commit()
    assert date.today().year not in (2021, 2023)
    page = client.get("/hubs/hub-a/reviews").get_data(as_text=True)
    assert "<h1>Borgingsreviews 2023</h1>" in page and "Gerealiseerd" in page
    assert 'href="/hubs/hub-a/reviews?year=2021"' in page
    assert '<strong aria-current="page">2023</strong>' in page
    # A year asked for is still shown, even one without reviews.
    page = client.get("/hubs/hub-a/reviews?year=2022").get_data(as_text=True)
    assert "<h1>Borgingsreviews 2022</h1>" in page and "geen review" in page
