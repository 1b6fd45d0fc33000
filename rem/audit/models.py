"""The audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from rem.core.database import utcnow
from rem.extensions import db

SUMMARY_MAX = 300


class AuditEvent(db.Model):
    """One recorded change to one entity."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    at: orm.Mapped[datetime] = orm.mapped_column(
        sa.DateTime(timezone=True), default=utcnow, index=True
    )
    user_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id"), index=True)
    collaboration_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("collaborations.id"), index=True
    )
    action: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    entity_type: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    entity_id: orm.Mapped[int | None] = orm.mapped_column()
    summary: orm.Mapped[str] = orm.mapped_column(sa.String(SUMMARY_MAX), default="")
    before: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)
    after: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON)

    user = orm.relationship("User")
