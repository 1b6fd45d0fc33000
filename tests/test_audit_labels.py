"""The admin audit page names every action in plain words (Dutch or English) and keeps
the code visible in small print and in a title."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlalchemy as sa

from rem.audit.labels import ACTION_LABELS, TYPE_LABELS
from rem.audit.services import record
from rem.extensions import db
from tests import factories
from tests.conftest import login, post
from tests.test_translations import _compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
# Entity types given as a variable: what the variable holds.
TYPE_VARIABLES = {"ENTITY": {"exchange", "log_entry"}, "item.kind": {"activity", "effect"},
                  "kind.value": {"activity", "effect"}}


def _recorded_codes() -> tuple[dict[str, str], dict[str, str]]:
    """Every action and entity type passed to record() in rem/, with where it is."""
    actions: dict[str, str] = {}
    types: dict[str, str] = {}
    for path in (ROOT / "rem").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2 and (
                    getattr(node.func, "id", None) == "record"
                    or getattr(node.func, "attr", None) == "record")):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for part in ast.walk(node.args[0]):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    actions[part.value] = where
            kind = node.args[1]
            if isinstance(kind, ast.Constant):
                types[kind.value] = where
            else:
                for value in TYPE_VARIABLES[ast.unparse(kind)]:
                    types[value] = where
    return actions, types


def test_every_recorded_action_and_type_has_a_label():
    actions, types = _recorded_codes()
    assert len(actions) > 10 and len(types) > 10, "the scan found almost nothing"
    assert {a: w for a, w in actions.items() if a not in ACTION_LABELS} == {}
    assert {t: w for t, w in types.items() if t not in TYPE_LABELS} == {}


def _events(app) -> None:
    with app.test_request_context():
        factories.UserFactory(email="admin@example.org", is_admin=True)
        collab = factories.CollaborationFactory(slug="dorp", name="Dorp")
        db.session.flush()
        record("purge", "effect", 7, collaboration_id=collab.id, summary="Oud effect")
        record("outcome_delete", "exchange", 3, summary="Uitwisseling")
        record("made_up", "thing", 1, summary="Onbekend")
        db.session.commit()


def test_audit_page_shows_labels_and_codes_in_dutch(app, client):
    _compile_catalogues(app)
    _events(app)
    login(client, "admin@example.org")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert '<span title="purge">definitief verwijderd</span>' in page
    assert '<small class="muted audit-code">purge</small>' in page
    assert '<span title="effect">effect</span> #7' in page
    assert '<span title="outcome_delete">uitkomst weggehaald</span>' in page
    assert '<span title="exchange">leeruitwisseling</span> #3' in page
    # An unknown code is shown as it is, not hidden.
    assert '<span title="made_up">made_up</span>' in page
    # The filter lists the labels; it still filters on the code.
    assert '<option value="purge" >definitief verwijderd</option>' in page
    filtered = client.get("/admin/audit/?action=purge").get_data(as_text=True)
    assert "Oud effect" in filtered and "Uitwisseling" not in filtered


def test_audit_page_shows_labels_in_english(app, client):
    _compile_catalogues(app)
    _events(app)
    login(client, "admin@example.org")
    post(client, "/language", {"locale": "en", "next": "/"})
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert '<span title="purge">deleted for good</span>' in page
    assert '<span title="outcome_delete">outcome removed</span>' in page
    assert '<span title="exchange">learning exchange</span> #3' in page
    assert "definitief verwijderd" not in page
    with app.app_context():
        assert db.session.scalar(sa.text("select count(*) from audit_events "
                                         "where action = 'purge'")) == 1
