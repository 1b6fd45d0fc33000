"""Imports write in bulk: one flush for the items, one cycle check for the links, with
every rule of add_link and the audit trail kept; the statements sent do not grow with
the size of the file."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from rem.audit.models import AuditEvent
from rem.collaborations.services import by_slug
from rem.extensions import db
from rem.interchange.imports import ImportOptions, UploadedFile, run_import
from rem.ripples import graph, services
from rem.ripples.models import RippleItem, RippleLink
from tests import factories
from tests.test_import_formats import cli_import, links_of, make_world
from tests.test_query_counts import counting

# --- the pure part ----------------------------------------------------------------------


def _one_by_one(existing, new):
    accepted, refused, edges = [], [], list(existing)
    for cause, effect in new:
        if graph.would_cycle(edges, cause, effect):
            refused.append((cause, effect))
        else:
            edges.append((cause, effect))
            accepted.append((cause, effect))
    return accepted, refused


def test_is_acyclic():
    assert graph.is_acyclic([])
    assert graph.is_acyclic([(1, 2), (2, 3), (1, 3)])
    assert not graph.is_acyclic([(1, 2), (2, 3), (3, 1)])
    assert not graph.is_acyclic([(4, 4)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_bulk_check_decides_as_adding_one_by_one(edges):
    # A DAG to start from: only edges that go "up" in number.
    existing = [(a, b) for a, b in edges[:10] if a < b]
    new = edges[10:]
    assert graph.acyclic_additions(existing, new) == _one_by_one(existing, new)


# --- add_links / create_items -----------------------------------------------------------


def _items(app, n_effects=3):
    with app.app_context():
        collab = factories.CollaborationFactory(slug="bulk")
        other = factories.CollaborationFactory(slug="anders")
        activity = factories.ActivityFactory(collaboration=collab, title="Markt")
        effects = [factories.EffectFactory(collaboration=collab, title=f"Effect {n}")
                   for n in range(n_effects)]
        foreign = factories.EffectFactory(collaboration=other, title="Elders")
        binned = factories.EffectFactory(collaboration=collab, title="Weg")
        services.delete_item(binned)
        services.add_link(activity, effects[0])
        db.session.commit()
        return {"activity": activity.id, "effects": [e.id for e in effects],
                "foreign": foreign.id, "binned": binned.id}


def test_add_links_keeps_every_rule_and_audits(app):
    ids = _items(app)
    with app.test_request_context():
        get = lambda i: db.session.get(RippleItem, i)  # noqa: E731
        a = get(ids["activity"])
        e0, e1, e2 = (get(i) for i in ids["effects"])
        pairs = [
            (e0, e1),                  # fine
            (e1, e2),                  # fine
            (e2, e0),                  # closes a cycle with the two above
            (a, e0),                   # exists already
            (e0, a),                   # an activity cannot grow from anything
            (a, get(ids["foreign"])),  # another collaboration
            (a, get(ids["binned"])),   # in the bin
            (e1, e1),                  # itself
            (e0, e1),                  # twice in the same batch
            (a, e2),                   # fine
        ]
        results = services.add_links(pairs)
        made = [isinstance(r, RippleLink) for r in results]
        assert made == [True, True, False, False, False, False, False, False, False, True]
        messages = [str(r) for r in results if not isinstance(r, RippleLink)]
        assert "kring" in messages[0] and "bestaat al" in messages[1]
        assert "activiteit" in messages[2] and "hetzelfde" in messages[3]
        assert "prullenbak" in messages[4] and "zichzelf" in messages[5]
        assert "bestaat al" in messages[6]
        db.session.commit()
        audited = db.session.scalars(sa.select(AuditEvent.entity_id)
                                     .where(AuditEvent.action == "link")).all()
        # Three here, one made by the fixture's add_link.
        assert len(audited) == 4
        assert {r.id for r in results if isinstance(r, RippleLink)} <= set(audited)
        assert graph.is_acyclic(services.live_links(a.collaboration_id))


def test_add_links_brings_back_a_removed_link(app):
    ids = _items(app)
    with app.test_request_context():
        link = db.session.scalar(sa.select(RippleLink))
        services.remove_link(link)
        cause, effect = link.cause, link.effect
        [again] = services.add_links([(cause, effect)])
        assert again.id == link.id and again.deleted_at is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == 1
    assert ids


def test_create_items_refuses_bad_ones_and_audits_the_rest(app):
    with app.test_request_context():
        collab = factories.CollaborationFactory(slug="bulk")
        db.session.flush()
        from rem.codes.services import code_by_qualified_slug
        from rem.core.dates import FuzzyDate, Precision
        from rem.ripples.models import Kind

        code = code_by_qualified_slug("borging:sleutelpersonen")
        when = FuzzyDate.of(date(2024, 3, 1), Precision.MONTH)
        results = services.create_items(collab, [
            (Kind.ACTIVITY, services.ItemInput(title="Markt", when=when, code_ids=[code.id])),
            (Kind.EFFECT, services.ItemInput(title="  ", when=when)),
            (Kind.EFFECT, services.ItemInput(title="Later", when=FuzzyDate.of(
                date(2999, 1, 1), Precision.DAY))),
            (Kind.EFFECT, services.ItemInput(title="Buren", when=when,
                                             code_ids=[code.id, code.id])),
        ])
        assert [type(r).__name__ for r in results] == ["Activity", "RippleError", "RippleError",
                                                       "Effect"]
        assert [c.qualified_slug for c in results[3].codes] == ["borging:sleutelpersonen"]
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "create")
                                    .order_by(AuditEvent.id)).all()
        assert [(e.entity_id, e.after["title"]) for e in events] == [
            (results[0].id, "Markt"), (results[3].id, "Buren")]
        assert events[1].after["codes"] == ["borging:sleutelpersonen"]


# --- through the import -------------------------------------------------------------------


def _rem_json(n: int, *, cycle: bool = False) -> bytes:
    items = [{"id": 1, "kind": "activity", "title": "Start", "date": "2024-01"}]
    items += [{"id": k, "kind": "effect", "title": f"Effect {k}", "date": "2024-02",
               "codes": ["borging:sleutelpersonen"]} for k in range(2, n + 2)]
    links = [{"cause_id": 1, "effect_id": 2}]
    links += [{"cause_id": k - 1, "effect_id": k} for k in range(3, n + 2)]
    links += [{"cause_id": 1, "effect_id": k} for k in range(3, n + 2, 3)]
    if cycle:
        links.append({"cause_id": n + 1, "effect_id": 2})
    return json.dumps({"format": "rem/1", "items": items, "links": links}).encode()


def test_a_link_that_closes_a_cycle_is_skipped_with_a_warning(app, tmp_path):
    make_world(app)
    result = cli_import(app, tmp_path, "json", {"k.json": _rem_json(5, cycle=True)})
    assert result.exit_code == 0, result.output
    assert "overgeslagen" in result.output and "kring" in result.output
    assert ("Effect 6", "Effect 2") not in links_of(app)
    assert ("Effect 5", "Effect 6") in links_of(app)
    with app.app_context():
        pairs = db.session.execute(sa.select(RippleLink.cause_id, RippleLink.effect_id)).all()
        assert graph.is_acyclic([tuple(p) for p in pairs])
        # Every created item and link is in the audit trail, and the import itself.
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert actions.count("create") == 6 and actions.count("link") == len(pairs) == 7
        assert actions.count("import") == 1


def test_import_statements_do_not_grow_with_the_file(app):
    make_world(app)
    counts = []
    for n in (20, 400):
        with app.test_request_context(), counting(app) as statements:
            result = run_import(by_slug("doel"), [UploadedFile("k.json", _rem_json(n))],
                                ImportOptions(format="json"), commit=False)
            assert result.ok and result.created_items == n + 1
            db.session.rollback()
        # Inserts are sent in batches; count the statements other than batched inserts.
        counts.append(len([s for s in statements if not s.lstrip().upper().startswith(
            "INSERT")]))
    assert counts[0] == counts[1], counts


def test_an_item_refused_in_bulk_still_stops_everything(app, tmp_path):
    make_world(app)
    doc = json.loads(_rem_json(30))
    doc["items"][7]["date"] = "2999-01"  # an effect in the future
    result = cli_import(app, tmp_path, "json", {"k.json": json.dumps(doc).encode()})
    assert result.exit_code != 0 and "Nothing was imported" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleItem)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RippleLink)) == 0
