"""Pages for the people of a collaboration or hub: list, invite, change role, remove."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from rem.access import current_access
from rem.access.routes import collaboration_or_404
from rem.accounts import invitations
from rem.accounts.forms import HubInviteForm, InviteForm, RoleForm
from rem.accounts.mail import MailKind, mail_enabled, queue
from rem.accounts.models import AccountToken, Membership, Role, TokenPurpose
from rem.accounts.services import (
    AccountError,
    change_role,
    coordinators_of,
    members_of,
    remove_membership,
)
from rem.collaborations.models import Collaboration
from rem.core.forms import EmptyForm
from rem.core.http import saving
from rem.core.urls import external_url
from rem.extensions import db
from rem.hubs.models import Hub

bp = Blueprint("members", __name__)


def _hub_or_404(slug: str) -> Hub:
    hub = db.session.scalar(sa.select(Hub).where(Hub.slug == slug))
    if hub is None:
        abort(404)
    return hub


def _managed(slug: str) -> Collaboration:
    collaboration = collaboration_or_404(slug)
    if not current_access().manages_members(collaboration):
        abort(403)
    return collaboration


def _managed_hub(slug: str) -> Hub:
    hub = _hub_or_404(slug)
    if not current_access().manages_hub(hub):
        abort(403)
    return hub


def _membership_or_404(membership_id: int, *, collaboration_id: int | None = None,
                       hub_id: int | None = None) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or (collaboration_id is not None
                              and membership.collaboration_id != collaboration_id) \
            or (hub_id is not None and membership.hub_id != hub_id):
        abort(404)
    return membership


def _queue_invitation(invitation: AccountToken, link: str, place: str, locale: str) -> bool:
    """Put the invitation mail, in ``locale``, in the outbox when mail is configured (the
    view's commit sends it on its way); return whether it was queued."""
    if not mail_enabled():
        return False
    inviter = invitation.created_by.display_name if invitation.created_by else "rem"
    with force_locale(locale):
        body = _(
            "Hallo,\n\n%(inviter)s nodigt u uit voor %(place)s in rem, als %(role)s.\n"
            "%(task)s\n\n"
            "Open deze link om de uitnodiging aan te nemen:\n%(link)s\n\n"
            "De link werkt één keer en is geldig tot %(until)s.\n"
            "Verwacht u deze uitnodiging niet? Dan kunt u deze e-mail negeren.\n",
            inviter=inviter, place=place, role=invitation.role_label.lower(),
            task=invitation.role_task, link=link,
            until=invitation.expires_at.strftime("%d-%m-%Y"))
        subject = _("Uitnodiging voor %(place)s", place=place)
    queue(invitation.email, subject, body, kind=MailKind.INVITATION, locale=locale)
    return True


def _inviter_locale() -> str:
    """The language the inviter reads now: the default for the invitation."""
    return str(get_locale() or "nl")


def _invitation_made(invitation: AccountToken, token: str, place: str, back: str, locale: str):
    """Queue the mail, commit, and show the link once for copying."""
    # The link carries the language, so the invitation page opens in it.
    link = external_url("accounts.accept_invitation", token=token, lang=locale)
    queued = _queue_invitation(invitation, link, place, locale)
    db.session.commit()
    return render_template("accounts/invite_link.html", invitation=invitation, link=link,
                           sent=queued, place=place, back=back)


@bp.get("/collaborations/<slug>/members")
def collaboration(slug: str):
    """List the people of a collaboration and their roles."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    if not access.sees_members(collaboration):
        abort(403)
    manages = access.manages_members(collaboration)
    return render_template(
        "accounts/members.html", collaboration=collaboration, manages=manages,
        members=members_of(collaboration.id), coordinators=coordinators_of(collaboration.hub_id),
        invitations=invitations.open_invitations(collaboration_id=collaboration.id)
        if manages else [],
        role_form=RoleForm(), form=EmptyForm(),
    )


@bp.route("/collaborations/<slug>/invite", methods=["GET", "POST"])
def invite(slug: str):
    """Invite a person by email address as facilitator or member."""
    collaboration = _managed(slug)
    form = InviteForm(locale=_inviter_locale())
    if form.validate_on_submit():
        try:
            invitation, token = invitations.create_invitation(
                form.email.data, Role(form.role.data), collaboration=collaboration)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            return _invitation_made(invitation, token, collaboration.name,
                              url_for("members.collaboration", slug=collaboration.slug),
                              form.locale.data)
    return render_template("accounts/invite.html", form=form, collaboration=collaboration,
                           hub=None, mail=mail_enabled())


@bp.post("/collaborations/<slug>/members/<int:membership_id>/role")
def change(slug: str, membership_id: int):
    """Make a member facilitator, or a facilitator member."""
    collaboration = _managed(slug)
    membership = _membership_or_404(membership_id, collaboration_id=collaboration.id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Kies een rol."), "error")
    else:
        with saving(AccountError) as saved:
            changed = change_role(membership, Role(form.role.data),
                                  may_overrule=current_access().overrules_facilitators(
                                      collaboration))
        if saved and changed:
            flash(_("De rol van %(name)s is gewijzigd.",
                    name=membership.user.display_name), "success")
    return redirect(url_for("members.collaboration", slug=collaboration.slug))


@bp.post("/collaborations/<slug>/members/<int:membership_id>/remove")
def remove(slug: str, membership_id: int):
    """Remove a person from a collaboration; what they wrote stays."""
    collaboration = _managed(slug)
    membership = _membership_or_404(membership_id, collaboration_id=collaboration.id)
    name = membership.user.display_name
    with saving(AccountError) as saved:
        remove_membership(membership,
                          may_overrule=current_access().overrules_facilitators(collaboration))
        saved.flash(_("%(name)s is geen lid meer. Wat %(name)s schreef, blijft bewaard.",
                      name=name))
    return redirect(url_for("members.collaboration", slug=collaboration.slug))


@bp.post("/invitations/<int:invitation_id>/withdraw")
def withdraw(invitation_id: int):
    """Withdraw an invitation to a collaboration or hub that was not accepted yet."""
    invitation = db.session.get(AccountToken, invitation_id)
    if invitation is None or invitation.purpose != TokenPurpose.INVITE:
        abort(404)
    access = current_access()
    if invitation.collaboration is not None:
        allowed = access.manages_members(invitation.collaboration)
        back = url_for("members.collaboration", slug=invitation.collaboration.slug)
    else:
        allowed = access.manages_hub(invitation.hub)
        back = url_for("members.hub", slug=invitation.hub.slug)
    if not allowed:
        abort(403)
    invitations.withdraw_invitation(invitation)
    db.session.commit()
    flash(_("De uitnodiging voor %(email)s is ingetrokken.", email=invitation.email), "success")
    return redirect(back)


@bp.get("/hubs/<slug>/members")
def hub(slug: str):
    """List the coordinators of a hub and the people of its collaborations."""
    hub = _managed_hub(slug)
    collaborations = sorted(hub.collaborations, key=lambda c: c.name.lower())
    return render_template(
        "accounts/hub_members.html", hub=hub, coordinators=coordinators_of(hub.id),
        collaborations=[(c, members_of(c.id)) for c in collaborations],
        invitations=invitations.open_invitations(hub_id=hub.id), form=EmptyForm(),
    )


@bp.route("/hubs/<slug>/invite", methods=["GET", "POST"])
def hub_invite(slug: str):
    """Invite a person by email address as coordinator of the hub."""
    hub = _managed_hub(slug)
    form = HubInviteForm(locale=_inviter_locale())
    if form.validate_on_submit():
        try:
            invitation, token = invitations.create_invitation(form.email.data, Role.COORDINATOR,
                                                              hub=hub)
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            return _invitation_made(invitation, token, hub.name,
                              url_for("members.hub", slug=hub.slug), form.locale.data)
    return render_template("accounts/invite.html", form=form, collaboration=None, hub=hub,
                           mail=mail_enabled())


@bp.post("/hubs/<slug>/members/<int:membership_id>/remove")
def hub_remove(slug: str, membership_id: int):
    """Remove a coordinator from a hub."""
    hub = _managed_hub(slug)
    membership = _membership_or_404(membership_id, hub_id=hub.id)
    name = membership.user.display_name
    with saving(AccountError) as saved:
        remove_membership(membership, may_overrule=current_access().is_admin)
        saved.flash(_("%(name)s is geen coördinator meer van deze hub.", name=name))
    return redirect(url_for("members.hub", slug=hub.slug))
