"""Check the shape of the demo data and the built-in codebooks, without a database."""

from __future__ import annotations

import copy
import re
from datetime import date
from graphlib import CycleError, TopologicalSorter

import pytest
import sqlalchemy as sa

from rem.accounts.models import User
from rem.codes.defaults import DEFAULT_CODEBOOKS, default_code_refs
from rem.codes.models import Code, Codebook
from rem.codes.services import install_default_codebooks
from rem.core.dates import parse_iso
from rem.demo import data
from rem.demo.loader import load_demo
from rem.extensions import db
from rem.ripples.graph import ripple_orders
from rem.ripples.models import (
    GOVERNANCE_STYLES,
    LADDER_STEPS,
    TITLE_MAX,
    EvidenceKind,
    Observer,
    RippleItem,
    RippleLink,
    Valence,
    Visibility,
)

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EARLIEST = date(2022, 1, 1)
CUTOFF = date(2026, 11, 1)

COLLABORATION_IDS = [c["slug"] for c in data.COLLABORATIONS]


def _effects(collaboration):
    return [item for item in collaboration["items"] if item["kind"] == "effect"]


def _all_items():
    return [item for c in data.COLLABORATIONS for item in c["items"]]


def _orders(collaboration):
    """Return each item's ripple order (shortest distance from an activity) by key."""
    keys = [item["key"] for item in collaboration["items"]]
    index = {key: i for i, key in enumerate(keys)}
    activities = [index[i["key"]] for i in collaboration["items"] if i["kind"] == "activity"]
    edges = [
        (index[cause], index[item["key"]])
        for item in _effects(collaboration)
        for cause in item["causes"]
    ]
    return {keys[i]: order for i, order in ripple_orders(activities, edges).items()}


# Built-in codebooks


def test_codebook_and_code_slugs_are_ascii_and_unique():
    book_slugs = [book.slug for book in DEFAULT_CODEBOOKS]
    assert len(book_slugs) == len(set(book_slugs))
    for book in DEFAULT_CODEBOOKS:
        assert SLUG.match(book.slug), book.slug
        assert book.name and book.description
        code_slugs = [code.slug for code in book.codes]
        assert len(code_slugs) == len(set(code_slugs)), book.slug
        assert len({code.position for code in book.codes}) == len(book.codes)
        for code in book.codes:
            assert SLUG.match(code.slug), code.slug
            assert code.name and code.description
            assert len(code.slug) <= 60 and len(code.name) <= 120


def test_codebooks_hold_the_schemes_from_the_sources():
    books = {book.slug: [code.slug for code in book.codes] for book in DEFAULT_CODEBOOKS}
    assert books["borging"] == [
        "sleutelpersonen",
        "infrastructuur",
        "kennisdeling-en-training",
        "beleidsverankering",
        "juridische-borging",
        "financiele-duurzaamheid",
    ]
    assert len(books["werkzame-elementen"]) == 5
    assert books["bestuursstijlen"] == list(GOVERNANCE_STYLES)
    assert books["participatieladder"] == list(LADDER_STEPS)
    assert len(books["participatiescan"]) == 5
    assert len(books["community-capitals"]) == 7
    assert len(books["hub-diensten"]) == 5


# Hubs, collaborations and users


def test_slugs_are_unique_and_hubs_exist():
    hub_slugs = [hub["slug"] for hub in data.HUBS]
    assert len(hub_slugs) >= 2
    assert len(hub_slugs) == len(set(hub_slugs))
    assert len(COLLABORATION_IDS) >= 4
    assert len(COLLABORATION_IDS) == len(set(COLLABORATION_IDS))
    for slug in hub_slugs + COLLABORATION_IDS:
        assert SLUG.match(slug), slug
    for collaboration in data.COLLABORATIONS:
        assert collaboration["hub"] in hub_slugs
        assert collaboration["scale"] in {"lokaal", "regionaal", "provinciaal"}
        assert collaboration["stage"] in {"pionier", "koploper"}
    hubs_used = {c["hub"] for c in data.COLLABORATIONS}
    assert any(
        sum(c["hub"] == hub for c in data.COLLABORATIONS) >= 2 for hub in hubs_used
    ), "at least one hub should hold several collaborations"


def test_users_and_memberships_refer_to_demo_hubs_and_collaborations():
    hub_slugs = {hub["slug"] for hub in data.HUBS}
    emails = [user["email"] for user in data.USERS]
    assert len(emails) == len(set(emails))
    assert "admin@example.org" in emails
    assert data.DEMO_PASSWORD == "demo-wachtwoord"
    roles = set()
    for user in data.USERS:
        for membership in user["memberships"]:
            roles.add(membership["role"])
            if membership["role"] == "coordinator":
                assert membership["hub"] in hub_slugs
                assert "collaboration" not in membership
            else:
                assert membership["role"] in {"facilitator", "member"}
                assert membership["collaboration"] in COLLABORATION_IDS
                assert "hub" not in membership
    assert roles == {"coordinator", "facilitator", "member"}
    assert any(user["is_admin"] for user in data.USERS)
    assert any(user["is_researcher"] for user in data.USERS)


# Ripple logs


@pytest.mark.parametrize("collaboration", data.COLLABORATIONS, ids=COLLABORATION_IDS)
def test_keys_are_unique_and_causes_come_earlier(collaboration):
    seen: set[str] = set()
    for item in collaboration["items"]:
        assert item["key"] not in seen, item["key"]
        if item["kind"] == "effect":
            assert item["causes"], f"{item['key']} has no cause"
            for cause in item["causes"]:
                assert cause in seen, f"{item['key']}: cause {cause} missing or later"
        else:
            assert item["kind"] == "activity"
            assert "causes" not in item
        seen.add(item["key"])


@pytest.mark.parametrize("collaboration", data.COLLABORATIONS, ids=COLLABORATION_IDS)
def test_ripple_graph_is_acyclic(collaboration):
    sorter = TopologicalSorter()
    for item in collaboration["items"]:
        sorter.add(item["key"], *item.get("causes", ()))
    try:
        tuple(sorter.static_order())
    except CycleError as exc:  # pragma: no cover - the message names the cycle
        pytest.fail(f"cycle in {collaboration['slug']}: {exc.args[1]}")


@pytest.mark.parametrize("collaboration", data.COLLABORATIONS, ids=COLLABORATION_IDS)
def test_every_effect_grows_from_an_activity(collaboration):
    orders = _orders(collaboration)
    for item in _effects(collaboration):
        assert item["key"] in orders, f"{item['key']} is not reached from any activity"


def test_at_least_three_rich_maps_with_third_order_ripples():
    rich = [
        c["slug"]
        for c in data.COLLABORATIONS
        if len(_effects(c)) >= 10 and max(_orders(c).values()) >= 3
    ]
    assert len(rich) >= 3, rich


def test_rich_maps_mix_intended_and_unintended_effects():
    for collaboration in data.COLLABORATIONS:
        effects = _effects(collaboration)
        if len(effects) >= 10:
            assert {True, False} <= {e["intended"] for e in effects}, collaboration["slug"]


def test_there_are_negative_mixed_and_unintended_effects():
    effects = [item for item in _all_items() if item["kind"] == "effect"]
    valences = {e["valence"] for e in effects}
    assert {"positive", "negative", "mixed"} <= valences
    assert any(not e["intended"] for e in effects)
    assert any(e["valence"] == "negative" and e["intended"] is False for e in effects)
    # "not known" is a real answer in the demo too (nothing there is unanswered)
    assert any(e["valence"] is None for e in effects)
    assert any(e["intended"] is None for e in effects)


def test_fixed_choices_match_the_models():
    for item in _all_items():
        assert item["visibility"] in {v.value for v in Visibility}
        if item["kind"] == "activity":
            assert item["governance_style"] in {None, *GOVERNANCE_STYLES}
            assert item["ladder_step"] in {None, *LADDER_STEPS}
            count = item["participant_count"]
            assert count is None or (isinstance(count, int) and count > 0)
        else:
            assert item["intended"] in (True, False, None)  # None: "Weet ik niet"
            assert item["valence"] in {None, *(v.value for v in Valence)}
            assert item["noticed_by"] in {o.value for o in Observer}
            assert item["evidence_kind"] in {e.value for e in EvidenceKind}
            assert item["evidence_text"], f"{item['key']} has no evidence"


def test_evidence_includes_quotes_observations_numbers_and_documents():
    kinds = {item.get("evidence_kind") for item in _all_items()}
    assert {"quote", "observation", "number", "document"} <= kinds


def test_sharing_is_demonstrated_but_most_items_stay_private():
    items = _all_items()
    visibilities = [item["visibility"] for item in items]
    assert "network" in visibilities and "hub" in visibilities
    assert visibilities.count("collaboration") > len(items) / 2


def test_code_references_exist_in_the_defaults():
    known = default_code_refs()
    used = set()
    for item in _all_items():
        assert len(item["codes"]) == len(set(item["codes"])), item["key"]
        for ref in item["codes"]:
            assert ref in known, f"{item['key']}: unknown code {ref}"
            used.add(ref.split(":")[0])
    assert {"borging", "werkzame-elementen", "community-capitals"} <= used


def test_borging_codes_are_used_widely():
    items = _all_items()
    coded = [i for i in items if any(ref.startswith("borging:") for ref in i["codes"])]
    assert len(coded) >= len(items) / 3
    assert {ref for i in coded for ref in i["codes"] if ref.startswith("borging:")} == {
        f"borging:{code.slug}" for code in DEFAULT_CODEBOOKS[0].codes
    }


def test_dates_parse_and_lie_between_2022_and_the_cutoff():
    dates = [c["start_date"] for c in data.COLLABORATIONS]
    dates += [item["date"] for item in _all_items()]
    for text in dates:
        when = parse_iso(text)
        assert when.iso() == text, f"{text} is not in compact form"
        assert when.start >= EARLIEST and when.end < CUTOFF, text


@pytest.mark.parametrize("collaboration", data.COLLABORATIONS, ids=COLLABORATION_IDS)
def test_causes_do_not_start_after_their_effects(collaboration):
    starts = {item["key"]: parse_iso(item["date"]).start for item in collaboration["items"]}
    for item in _effects(collaboration):
        for cause in item["causes"]:
            assert starts[cause] <= starts[item["key"]], f"{cause} -> {item['key']}"


def test_titles_and_texts():
    for item in _all_items():
        assert 0 < len(item["title"]) <= TITLE_MAX
        assert len(item["title"]) <= 90, item["title"]
        assert item["title"] == item["title"].strip()
        assert item["description"].strip(), item["key"]


# Loader (needs the app and its migrated database from conftest.py)


def test_load_demo_is_idempotent(app):
    with app.app_context():
        first = load_demo()
        db.session.commit()
        items = sum(len(c["items"]) for c in data.COLLABORATIONS)
        links = sum(len(i.get("causes", ())) for c in data.COLLABORATIONS for i in c["items"])
        assert first["hubs"] == len(data.HUBS)
        assert first["collaborations"] == len(data.COLLABORATIONS)
        assert first["users"] == len(data.USERS)
        assert first["activities"] + first["effects"] == items
        assert first["links"] == links
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem)) == items
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == links
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
        assert admin.is_admin and admin.check_password(data.DEMO_PASSWORD)

        second = load_demo()
        db.session.commit()
        assert set(second.values()) == {0}
        assert install_default_codebooks() == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem)) == items


def test_load_demo_refuses_unknown_codes_and_causes(app, monkeypatch):
    broken = copy.deepcopy(data.ACHTERVELD)
    broken["items"][-1]["codes"] = ["borging:bestaat-niet"]
    monkeypatch.setattr(data, "COLLABORATIONS", [broken])
    with app.app_context(), pytest.raises(ValueError, match="unknown code"):
        load_demo()
    broken["items"][-1]["codes"] = []
    broken["items"][-1]["causes"] = ["bestaat_niet"]
    with app.app_context(), pytest.raises(ValueError, match="unknown cause"):
        load_demo()
    with app.app_context():
        db.session.rollback()


def test_install_default_codebooks_fills_gaps_without_overwriting(app):
    with app.app_context():
        assert install_default_codebooks() == 0  # conftest installed them already
        book = db.session.scalar(sa.select(Codebook).where(Codebook.slug == "borging"))
        assert book.builtin
        book.name = "Onze borging"
        db.session.delete(book.codes[0])
        db.session.commit()
        assert install_default_codebooks() == 1
        db.session.commit()
        db.session.refresh(book)
        assert book.name == "Onze borging"
        assert [code.slug for code in book.codes][0] == "sleutelpersonen"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Code)) == len(
            default_code_refs()
        )
