"""Full-text search over learning logs, activities and effects: structures, matching,
filters, and exactly the same access rules as the rest of the app."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from rem.access import Access, load_access
from rem.access.entries import sees_entry
from rem.accounts.models import Role, User
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.logbook import search as search_service
from rem.logbook import services as log_services
from rem.logbook.models import LogEntry
from rem.ripples import services as ripple_services
from rem.ripples.models import RippleItem
from tests import factories
from tests.conftest import login

WORD = "gemeenschapshuis"


def _dialect() -> str:
    return db.engine.dialect.name


def _search(access, text="", **filters) -> list[tuple[str, int]]:
    query = search_service.SearchQuery(text=text, **filters)
    result = search_service.search(query, access, per_page=500)
    return [(hit.source, hit.id) for hit in result.hits]


# The structures made by migration 0006


def test_search_structures_exist_after_all_migrations(app):
    with app.app_context():
        if _dialect() == "sqlite":
            names = set(db.session.scalars(sa.text(
                "SELECT name FROM sqlite_master WHERE name LIKE 'fts_%'")))
            for table in ("ripple_items", "log_entries"):
                assert f"fts_{table}" in names
                # Later migrations that rebuild these tables must recreate the triggers.
                assert {f"fts_{table}_ai", f"fts_{table}_ad", f"fts_{table}_au"} <= names, \
                    f"the full-text triggers on {table} are missing (see rem/logbook/schema.py)"
        else:
            names = set(db.session.scalars(sa.text(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'fts_%'")))
            assert names == {"fts_ripple_items_dutch", "fts_log_entries_dutch"}
            columns = set(db.session.scalars(sa.text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = 'fts_vector'")))
            assert columns == {"ripple_items", "log_entries"}


def test_postgresql_uses_the_gin_index(app):
    with app.app_context():
        if _dialect() != "postgresql":
            # The SQLite run checks FTS5 in the test above; this one is about the GIN index,
            # which only PostgreSQL has. CI runs the suite on PostgreSQL too, so it runs there.
            pytest.skip("PostgreSQL only")
        collab = factories.CollaborationFactory()
        factories.LogEntryFactory(collaboration=collab, title="Dorpshuis", visibility="network")
        db.session.commit()
        admin = factories.UserFactory(is_admin=True)
        access = load_access(admin)
        query = search_service.SearchQuery(text="dorpshuis")
        for source in search_service._sources():
            stmt = search_service._filtered(source, query, access, None, None)
            compiled = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
            db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + compiled)))
            assert f"fts_{source.model.__tablename__}_dutch" in plan, plan
        db.session.rollback()


# Matching


def _one_collaboration(app) -> dict:
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        admin = factories.UserFactory(email="admin@example.org", is_admin=True)
        activity = factories.ActivityFactory(collaboration=collab, title="Inspiratiemarkt",
                                             description="Honderd inwoners in het dorpshuis.")
        effect = factories.EffectFactory(collaboration=collab, title="Meer vrijwilligers",
                                         evidence_text="“Ik help graag met koffie schenken.”")
        entry = factories.LogEntryFactory(collaboration=collab, title="Financiële les",
                                          body="De **subsidie** stopt; zoek structureel geld.")
        db.session.commit()
        return {"activity": activity.id, "effect": effect.id, "entry": entry.id,
                "admin": admin.id, "collab": collab.id}


def test_finds_titles_texts_evidence_and_entries_by_word_start(app, ctx):
    ids = _one_collaboration(app)
    access = load_access(db.session.get(User, ids["admin"]))
    assert _search(access, "dorpshuis") == [("item", ids["activity"])]
    assert _search(access, "koffie") == [("item", ids["effect"])]
    assert _search(access, "subsidie") == [("entry", ids["entry"])]
    assert _search(access, "vrijwillig") == [("item", ids["effect"])]  # word start
    assert _search(access, "subsidie dorpshuis") == []  # every word must occur
    assert _search(access, "Inspiratiemarkt HONDERD") == [("item", ids["activity"])]


def test_accents_and_word_forms(app, ctx):
    ids = _one_collaboration(app)
    access = load_access(db.session.get(User, ids["admin"]))
    assert _search(access, "financiële") == [("entry", ids["entry"])]
    if _dialect() == "sqlite":
        assert _search(access, "financiele") == [("entry", ids["entry"])]  # accents folded
    else:
        assert _search(access, "vrijwilliger") == [("item", ids["effect"])]  # Dutch stemming


def test_changes_deletes_and_purges_are_followed(app, ctx):
    ids = _one_collaboration(app)
    access = load_access(db.session.get(User, ids["admin"]))
    activity = db.session.get(RippleItem, ids["activity"])
    data = ripple_services.ItemInput(title="Ontmoetingsdag", when=activity.when,
                                     description="In de sporthal.")
    ripple_services.update_item(activity, data, activity.version)
    assert _search(access, "dorpshuis") == []
    assert _search(access, "sporthal") == [("item", ids["activity"])]
    ripple_services.delete_item(activity)
    assert _search(access, "sporthal") == []
    ripple_services.restore_item(activity)
    assert _search(access, "sporthal") == [("item", ids["activity"])]
    entry = db.session.get(LogEntry, ids["entry"])
    log_services.delete_entry(entry)
    assert _search(access, "subsidie") == []
    ripple_services.delete_item(activity)
    ripple_services.purge_bin(db.session.get(Collaboration, ids["collab"]))
    assert _search(access, "sporthal") == []


@pytest.mark.parametrize("text", [
    '"', '""', "'", "NEAR(a b)", "a OR b", "-x", "x*", "^x", "title:x", ":", "&", "|", "!",
    "a & b | !c", "(", ")", "{x}", "x:*", "\\", "%", "_", "💥", "a" * 400, "NOT", "AND",
])
def test_hostile_search_text_never_breaks(app, client, text):
    _one_collaboration(app)
    login(client, "admin@example.org")
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 200


# Filters


def _filter_world(app) -> dict:
    with app.app_context():
        hub = factories.HubFactory()
        dorp = factories.CollaborationFactory(slug="dorp", hub=hub)
        stad = factories.CollaborationFactory(slug="stad", hub=hub)
        anna = factories.UserFactory(email="anna@example.org", name="Anna")
        bram = factories.UserFactory(email="bram@example.org", name="Bram")
        factories.MembershipFactory(user=anna, collaboration_id=dorp.id,
                                    role=Role.FACILITATOR.value)
        factories.MembershipFactory(user=bram, collaboration_id=stad.id,
                                    role=Role.FACILITATOR.value)
        fin = code_by_qualified_slug("borging:financiele-duurzaamheid")
        rows = {}
        rows["les"] = factories.LogEntryFactory(collaboration=dorp, kind="lesson",
                                                title=f"Les {WORD}", author_id=anna.id,
                                                entry_date=date(2024, 3, 1))
        rows["les"].codes = [fin]
        rows["besluit"] = factories.LogEntryFactory(collaboration=dorp, kind="decision",
                                                    title=f"Besluit {WORD}", author_id=anna.id,
                                                    entry_date=date(2025, 3, 1))
        rows["activiteit"] = factories.ActivityFactory(collaboration=dorp,
                                                       title=f"Activiteit {WORD}",
                                                       created_by_id=anna.id,
                                                       date_start=date(2024, 5, 1))
        rows["activiteit"].codes = [fin]
        rows["stad"] = factories.LogEntryFactory(collaboration=stad, kind="lesson",
                                                 title=f"Stadse les {WORD}",
                                                 author_id=bram.id, visibility="hub",
                                                 entry_date=date(2024, 3, 1))
        db.session.commit()
        return {name: (("entry" if isinstance(row, LogEntry) else "item"), row.id)
                for name, row in rows.items()} | {"anna": anna.id, "bram": bram.id,
                                                  "dorp": dorp.id}


def test_filters_on_kind_code_dates_author_and_collaboration(app, ctx):
    ids = _filter_world(app)
    anna = load_access(db.session.get(User, ids["anna"]))
    every = {ids["les"], ids["besluit"], ids["activiteit"], ids["stad"]}
    assert set(_search(anna, WORD)) == every
    assert set(_search(anna, WORD, kinds=["lesson"])) == {ids["les"], ids["stad"]}
    assert set(_search(anna, WORD, kinds=["activity", "decision"])) == {
        ids["activiteit"], ids["besluit"]}
    assert set(_search(anna, WORD, code="borging:financiele-duurzaamheid")) == {
        ids["les"], ids["activiteit"]}
    assert set(_search(anna, WORD, date_from=date(2025, 1, 1))) == {ids["besluit"]}
    assert set(_search(anna, WORD, date_to=date(2024, 4, 1))) == {ids["les"], ids["stad"]}
    assert set(_search(anna, WORD, author_id=ids["anna"])) == {
        ids["les"], ids["besluit"], ids["activiteit"]}
    assert set(_search(anna, WORD, collaboration_ids=[ids["dorp"]])) == every - {ids["stad"]}
    # Filters without words: newest first.
    assert _search(anna, "", kinds=["lesson", "decision"])[0] == ids["besluit"]


def test_the_author_filter_only_works_where_people_are_visible(app, ctx):
    ids = _filter_world(app)
    anna = load_access(db.session.get(User, ids["anna"]))
    # Anna sees Bram's hub-shared entry, but not who else writes in stad: filtering on Bram
    # must not reveal what he wrote there.
    assert ids["stad"] in _search(anna, WORD)
    assert _search(anna, WORD, author_id=ids["bram"]) == []
    assert [u.name for u in search_service.author_choices(anna)] == ["Anna"]


def test_the_author_list_names_who_made_live_items_or_wrote_entries(app, ctx):
    """The people to filter on: authors of live entries and makers of live items in what
    the reader reads in full; someone whose only item is in the bin is not listed."""
    from rem.core.database import utcnow

    ids = _filter_world(app)
    dorp = db.session.get(Collaboration, ids["dorp"])
    cas = factories.UserFactory(email="cas@example.org", name="Cas")
    dirk = factories.UserFactory(email="dirk@example.org", name="Dirk")
    factories.EffectFactory(collaboration=dorp, title="Een effect", created_by_id=cas.id)
    factories.EffectFactory(collaboration=dorp, title="Weg", created_by_id=dirk.id,
                            deleted_at=utcnow())
    db.session.commit()
    admin = Access(user_id=None, is_admin=True)
    assert [u.name for u in search_service.author_choices(admin)] == ["Anna", "Bram", "Cas"]
    anna = load_access(db.session.get(User, ids["anna"]))
    assert [u.name for u in search_service.author_choices(anna)] == ["Anna", "Cas"]


def test_search_arguments_are_checked(app, ctx):
    _filter_world(app)
    query, messages = search_service.parse_args(MultiDict([
        ("q", "  geld "), ("kind", "lesson"), ("kind", "spam"), ("code", "borging:nee"),
        ("from", "2025"), ("to", "2024-03"), ("author", "abc")]))
    assert query.text == "geld" and query.kinds == ["lesson"] and query.code is None
    assert query.date_from == date(2024, 3, 1) and query.date_to == date(2025, 12, 31)
    assert query.author_id is None and len(messages) == 4


def test_search_page_with_filters_snippets_and_pages(app, client):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="dorp")
        user = factories.UserFactory(email="lid@example.org")
        factories.MembershipFactory(user=user, collaboration_id=collab.id,
                                    role=Role.MEMBER.value)
        for n in range(30):
            factories.LogEntryFactory(collaboration=collab, title=f"Les {n}",
                                      body=f"Een lang verhaal over het {WORD} nummer {n}.",
                                      entry_date=date(2024, 1, 1 + n % 28))
        db.session.commit()
    login(client, "lid@example.org")
    page = client.get("/search", query_string={"q": WORD[:8]}).get_data(as_text=True)
    assert "30 resultaten" in page and "pagina 1 van 2" in page
    assert f"<mark>{WORD}</mark>" in page
    second = client.get("/search", query_string={"q": WORD[:8], "page": 2}).get_data(
        as_text=True)
    assert second.count('class="search-hit ') == 5
    assert "ignored" not in client.get("/search?kind=nope").get_data(as_text=True)


def test_snippet_marks_words_and_escapes_html():
    text = "Voor <b>iedereen</b>: het dorpshuis is open. " + "woord " * 100
    snippet = str(search_service.snippet(text, ["dorpshuis"]))
    assert "<mark>dorpshuis</mark>" in snippet and "<b>" not in snippet
    assert snippet.endswith("…")
    assert str(search_service.snippet("Financiële zaken", ["financiele"])) == \
        "<mark>Financiële</mark> zaken"


# Exactly the same access rules as timelines and item pages


def _access_world(app) -> list[int]:
    """Two hubs, three collaborations, an item and an entry of every visibility in each, a
    deleted one, and one person in every kind of role."""
    with app.app_context():
        hub_a = factories.HubFactory(slug="hub-a")
        hub_b = factories.HubFactory(slug="hub-b")
        a1 = factories.CollaborationFactory(slug="a1", hub=hub_a)
        a2 = factories.CollaborationFactory(slug="a2", hub=hub_a)
        b1 = factories.CollaborationFactory(slug="b1", hub=hub_b)
        for collab, visibility in itertools.product((a1, a2, b1),
                                                    ("collaboration", "hub", "network")):
            factories.ActivityFactory(collaboration=collab, visibility=visibility,
                                      title=f"{WORD} {collab.slug} {visibility}")
            factories.EffectFactory(collaboration=collab, visibility=visibility,
                                    title=f"Effect {collab.slug} {visibility}",
                                    description=f"Over het {WORD}.")
            factories.LogEntryFactory(collaboration=collab, visibility=visibility,
                                      title=f"Les {collab.slug} {visibility}",
                                      body=f"Het {WORD} was vol.")
        gone = factories.ActivityFactory(collaboration=a1, visibility="network",
                                         title=f"Weg {WORD}")
        gone.deleted_at = sa.func.now()
        people = [
            factories.UserFactory(is_admin=True),
            factories.UserFactory(is_researcher=True),
            factories.UserFactory(),  # no role anywhere
        ]
        for role, hub, collab in [(Role.COORDINATOR, hub_a, None), (Role.FACILITATOR, None, a1),
                                  (Role.MEMBER, None, a1), (Role.MEMBER, None, a2),
                                  (Role.FACILITATOR, None, b1)]:
            user = factories.UserFactory()
            factories.MembershipFactory(user=user, role=role.value,
                                        hub_id=hub.id if hub else None,
                                        collaboration_id=collab.id if collab else None)
            people.append(user)
        db.session.commit()
        return [p.id for p in people]


def test_results_follow_exactly_the_rules_of_item_pages(app, ctx):
    user_ids = _access_world(app)
    items = db.session.scalars(sa.select(RippleItem)).all()
    entries = db.session.scalars(sa.select(LogEntry)).all()
    for user_id in user_ids:
        access = load_access(db.session.get(User, user_id))
        expected = {("item", i.id) for i in items
                    if i.deleted_at is None and access.sees_item(i)}
        expected |= {("entry", e.id) for e in entries
                     if e.deleted_at is None and sees_entry(access, e)}
        found = _search(access, WORD)
        assert len(found) == len(set(found))
        assert set(found) == expected, user_id
        # Filters without words follow the same rules.
        assert set(_search(access, "", kinds=["activity", "effect", "lesson"])) == expected


def test_an_outsider_never_sees_a_private_item_of_another_collaboration(app, client):
    with app.app_context():
        mine = factories.CollaborationFactory(slug="mijn")
        theirs = factories.CollaborationFactory(slug="hun")
        user = factories.UserFactory(email="buiten@example.org")
        factories.MembershipFactory(user=user, collaboration_id=mine.id,
                                    role=Role.FACILITATOR.value)
        factories.EffectFactory(collaboration=theirs, title=f"Privé {WORD}")
        factories.LogEntryFactory(collaboration=theirs, title=f"Privé les {WORD}")
        factories.EffectFactory(collaboration=mine, title=f"Eigen {WORD}")
        db.session.commit()
    login(client, "buiten@example.org")
    for args in ({"q": WORD}, {"q": WORD, "collaboration": "hun"}, {"kind": "effect"},
                 {"kind": "lesson", "collaboration": "hun"}):
        page = client.get("/search", query_string=args).get_data(as_text=True)
        assert "Privé" not in page, args
    assert "Eigen" in client.get("/search", query_string={"q": WORD}).get_data(as_text=True)


def test_sqlite_matches_once_before_narrowing_to_a_collaboration(app):
    """Searching inside one collaboration stays as fast as over the whole network: the
    full-text match is run once and materialised, never once per item of the collaboration
    (the plan SQLite chose for a plain join: seconds at 10,000 items)."""
    with app.test_request_context("/"):
        if _dialect() != "sqlite":
            # PostgreSQL's plan is checked by test_postgresql_uses_the_gin_index above.
            pytest.skip("SQLite only")
        collab = factories.CollaborationFactory()
        factories.ActivityFactory(collaboration=collab, title="Dorpshuis open")
        db.session.commit()
        admin = factories.UserFactory(is_admin=True)
        access = load_access(admin)
        query = search_service.SearchQuery(text="dorpshuis", collaboration_ids=[collab.id])
        for source in search_service._sources():
            stmt = search_service._filtered(source, query, access, None, None)
            compiled = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = [row[3] for row in db.session.execute(
                sa.text("EXPLAIN QUERY PLAN " + compiled))]
            assert any(step.startswith("MATERIALIZE") for step in plan), plan
            fts_steps = [step for step in plan if source.fts_table in step]
            assert fts_steps and all("VIRTUAL TABLE INDEX" in s for s in fts_steps), plan
            assert len(fts_steps) == 1, plan
        assert _search(access, "dorpshuis", collaboration_ids=[collab.id]) != []
