"""Sign in, sign out, language, profile, invitation links and password resets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from rem.accounts import invitations
from rem.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    NewAccountForm,
    NewPasswordForm,
    ProfileForm,
)
from rem.accounts.invitations import TokenProblem
from rem.accounts.mail import mail_enabled, send_mail
from rem.accounts.models import TokenPurpose
from rem.accounts.services import AccountError, authenticate, find_user
from rem.core.database import utcnow
from rem.core.forms import EmptyForm
from rem.core.http import is_safe_next
from rem.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _login_key() -> str:
    """Rate-limit sign-in attempts per account as well as per address."""
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"], key_func=_login_key)
def login():
    """Show the sign-in form and sign the person in."""
    if current_user.is_authenticated:
        return redirect(url_for("hubs.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer het opnieuw."),
                  "error")
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            db.session.commit()
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("hubs.index"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out."""
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/language")
def set_language():
    """Switch the interface language for this browser (and the profile when signed in)."""
    locale = request.form.get("locale")
    if locale in ("nl", "en"):
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    target = request.form.get("next", "")
    return redirect(target if is_safe_next(target) else url_for("hubs.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Let a person change their name and language."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        session["locale"] = form.locale.data
        db.session.commit()
        flash(_("Uw gegevens zijn opgeslagen."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


def _link_problem(problem: TokenProblem):
    """Show a friendly page for an unknown, expired, used or withdrawn link."""
    return render_template("accounts/link_problem.html", reason=problem.reason), problem.status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def accept_invitation(token: str):
    """Show an invitation; let a new person make an account, or a signed-in person accept."""
    if request.args.get("lang") in ("nl", "en") and not current_user.is_authenticated:
        # The inviter chose the language of the invitation; the page opens in it.
        session["locale"] = request.args["lang"]
        refresh()
    try:
        invitation = invitations.find_token(token, TokenPurpose.INVITE)
    except TokenProblem as problem:
        return _link_problem(problem)
    existing = invitations.invited_account(invitation)
    signed_in = current_user.is_authenticated
    place = invitation.collaboration or invitation.hub
    form = EmptyForm() if signed_in or existing is not None else NewAccountForm()
    wrong_account = signed_in and current_user.email.lower() != invitation.email.lower()
    if request.method == "POST":
        if wrong_account or (existing is not None and not existing.active):
            abort(403)
        if existing is not None and not signed_in:
            return redirect(url_for("accounts.login", next=request.path))
    if form.validate_on_submit():
        try:
            if signed_in:
                invitations.accept_as_existing(invitation, current_user)
            else:
                user = invitations.accept_as_new(invitation, form.name.data,
                                                 form.password.data)
        except TokenProblem as problem:
            db.session.rollback()
            return _link_problem(problem)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            if not signed_in:
                session.clear()
                login_user(user)
                session.permanent = True
                user.last_seen_at = utcnow()
            db.session.commit()
            flash(_("Welkom! U bent nu %(role)s van %(place)s.",
                    role=invitation.role_label.lower(), place=place.name), "success")
            if invitation.collaboration is not None:
                return redirect(url_for("collaborations.show", slug=invitation.collaboration.slug))
            return redirect(url_for("hubs.show", slug=invitation.hub.slug))
    return render_template("accounts/accept_invitation.html", invitation=invitation,
                           place=place, form=form, existing=existing,
                           wrong_account=wrong_account)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    """Mail a reset link; the answer is the same whether or not the address is known."""
    if not mail_enabled():
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data.strip())
        if user is not None and user.active:
            _reset, token = invitations.create_reset(user)
            db.session.commit()
            link = url_for("accounts.reset_password", token=token, _external=True)
            send_mail(user.email, _("Nieuw wachtwoord voor rem"), _(
                "Hallo,\n\nIemand (hopelijk u) vroeg om een nieuw wachtwoord voor rem.\n"
                "Open deze link om een nieuw wachtwoord te kiezen:\n%(link)s\n\n"
                "De link werkt één keer en is %(hours)s uur geldig.\n"
                "Vroeg u niet om een nieuw wachtwoord? Dan kunt u deze e-mail negeren; "
                "uw wachtwoord blijft hetzelfde.\n", link=link, hours=invitations.RESET_HOURS))
        return redirect(url_for("accounts.forgot_password", sent=1))
    return render_template("accounts/forgot_password.html", form=form,
                           sent=request.args.get("sent") == "1")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reset_password(token: str):
    """Let a person with a reset link choose a new password."""
    try:
        reset = invitations.find_token(token, TokenPurpose.RESET)
        if reset.user is None or not reset.user.active:
            raise TokenProblem("unknown")
    except TokenProblem as problem:
        return _link_problem(problem)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            invitations.use_reset(reset, form.password.data)
        except TokenProblem as problem:
            db.session.rollback()
            return _link_problem(problem)
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            flash(_("Uw nieuwe wachtwoord is opgeslagen. Log ermee in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, reset=reset)
