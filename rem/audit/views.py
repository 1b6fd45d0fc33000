"""The audit trail for administrators, with filters."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from sqlalchemy import orm

from rem.access import current_access
from rem.accounts.models import User
from rem.audit.labels import ACTION_LABELS, action_label, type_label
from rem.audit.models import AuditEvent
from rem.collaborations.models import Collaboration
from rem.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PER_PAGE = 50
ACTIONS = list(ACTION_LABELS)


def _parse_day(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@bp.get("/")
def index():
    """Show every recorded change, newest first, filtered by person, action, type and date."""
    if not current_access().is_admin:
        abort(403)
    args = request.args
    query = sa.select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if args.get("user", "").isdigit():
        query = query.where(AuditEvent.user_id == int(args["user"]))
    if args.get("action") in ACTIONS:
        query = query.where(AuditEvent.action == args["action"])
    if args.get("type"):
        query = query.where(AuditEvent.entity_type == args["type"][:40])
    if args.get("collaboration", "").isdigit():
        query = query.where(AuditEvent.collaboration_id == int(args["collaboration"]))
    start, end = _parse_day(args.get("from")), _parse_day(args.get("to"))
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at <= datetime.combine(end.date(), time.max))
    page = db.paginate(query.options(orm.joinedload(AuditEvent.user)), per_page=PER_PAGE,
                       error_out=False)
    types = db.session.scalars(sa.select(AuditEvent.entity_type).distinct()
                               .order_by(AuditEvent.entity_type)).all()
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    collaborations = db.session.scalars(sa.select(Collaboration).order_by(Collaboration.name)
                                        ).all()
    return render_template("audit/index.html", page=page, types=types, users=users,
                           collaborations=collaborations, actions=ACTIONS, args=args,
                           action_label=action_label, type_label=type_label)
