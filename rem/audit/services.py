"""Record changes in the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from rem.audit.models import SUMMARY_MAX, AuditEvent
from rem.core.database import utcnow
from rem.extensions import db


def _plain(value: Any) -> Any:
    """Turn dates into ISO text so snapshots fit in a JSON column."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """Return the named attributes of ``obj`` as a JSON-ready dict."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def actor_id() -> int | None:
    """Return the id of the signed-in person, or None outside a request."""
    try:
        return current_user.id if current_user.is_authenticated else None
    except (AttributeError, RuntimeError):
        return None


def record(
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    collaboration_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user_id: int | None = None,
) -> AuditEvent:
    """Add one audit event to the session (the request commits it with the change)."""
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AuditEvent(
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        collaboration_id=collaboration_id,
        summary=summary[:SUMMARY_MAX],
        before=before,
        after=after,
        user_id=user_id if user_id is not None else actor_id(),
    )
    db.session.add(event)
    return event


def record_many(action: str, events: list[tuple[str, int, int | None, str, dict | None]]
                ) -> None:
    """Add many events of one action at once (bulk imports): (entity type, entity id,
    collaboration id, summary, after) each, as ``record`` would, in one INSERT of many
    rows and without an object per event (thousands of rows in one import)."""
    if not events:
        return
    now, user_id = utcnow(), actor_id()
    db.session.execute(sa.insert(AuditEvent), [
        {"at": now, "user_id": user_id, "collaboration_id": collaboration_id,
         "action": action, "entity_type": entity_type, "entity_id": entity_id,
         "summary": summary[:SUMMARY_MAX], "before": None, "after": after}
        for entity_type, entity_id, collaboration_id, summary, after in events])
