"""Account administration for administrators: list, switch off and on, researcher, reset link;
the mail outbox."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rem.access import current_access
from rem.accounts import invitations
from rem.accounts import mail as outbox
from rem.accounts.models import ROLE_LABELS, User
from rem.accounts.services import AccountError, all_users, set_active, set_researcher
from rem.collaborations.models import Collaboration
from rem.core.database import utcnow
from rem.core.forms import EmptyForm
from rem.core.urls import external_url
from rem.extensions import db
from rem.hubs.models import Hub

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if not current_access().is_admin:
        abort(403)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _back():
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.get("/users")
def users():
    """List every account with its roles, whether it is on, and when it was last used."""
    query = request.args.get("q", "")[:100]
    people = all_users(query)
    hubs = dict(db.session.execute(sa.select(Hub.id, Hub.name)).all())
    collaborations = dict(db.session.execute(sa.select(Collaboration.id, Collaboration.name)
                                             ).all())
    roles = {
        user.id: sorted(
            f"{ROLE_LABELS.get(m.role, m.role)}: "
            f"{hubs.get(m.hub_id, '') if m.hub_id else collaborations.get(m.collaboration_id, '')}"
            for m in user.memberships
        )
        for user in people
    }
    return render_template("admin/users.html", people=people, roles=roles, query=query,
                           form=EmptyForm())


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Switch an account off: the person cannot sign in and is signed out."""
    user = _user_or_404(user_id)
    try:
        set_active(user, False, actor_id=current_user.id)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Het account van %(email)s staat uit.", email=user.email), "success")
    return _back()


@bp.post("/users/<int:user_id>/activate")
def activate(user_id: int):
    """Switch an account on again."""
    user = _user_or_404(user_id)
    set_active(user, True, actor_id=current_user.id)
    db.session.commit()
    flash(_("Het account van %(email)s staat weer aan.", email=user.email), "success")
    return _back()


@bp.post("/users/<int:user_id>/researcher")
def researcher(user_id: int):
    """Mark an account as researcher, or take that away (``value`` is "on" or "off")."""
    user = _user_or_404(user_id)
    form = EmptyForm()
    value = request.form.get("value")
    if not form.validate_on_submit() or value not in ("on", "off"):
        flash(_("Kies of dit account onderzoeker is."), "error")
        return _back()
    set_researcher(user, value == "on")
    db.session.commit()
    if value == "on":
        flash(_("%(email)s is nu onderzoeker.", email=user.email), "success")
    else:
        flash(_("%(email)s is geen onderzoeker meer.", email=user.email), "success")
    return _back()


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id: int):
    """Make a one-time password-reset link and show it once, for copying."""
    user = _user_or_404(user_id)
    try:
        reset, token = invitations.create_reset(user)
    except AccountError as exc:
        flash(str(exc), "error")
        return _back()
    db.session.commit()
    link = external_url("accounts.reset_password", token=token)
    return render_template("admin/reset_link.html", person=user, link=link, reset=reset)


@bp.get("/mail")
def mail():
    """The outbox: every recent message with its state, attempts and last error (never its
    text: it holds one-time links)."""
    return render_template("admin/mail.html", messages=outbox.recent(),
                           waiting_since=outbox.waiting_since(), now=utcnow(),
                           enabled=outbox.mail_enabled(), max_attempts=outbox.MAX_ATTEMPTS)
