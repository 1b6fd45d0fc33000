"""Sign in, sign out, language, profile, invitation links and password resets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from rem.accounts import invitations, lockout, signins
from rem.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    NewAccountForm,
    NewPasswordForm,
    ProfileForm,
)
from rem.accounts.invitations import TokenProblem
from rem.accounts.mail import mail_enabled, queue_reset_request
from rem.accounts.models import TokenPurpose
from rem.accounts.services import AccountError, authenticate, find_user
from rem.core.database import utcnow
from rem.core.forms import EmptyForm
from rem.core.http import is_safe_next
from rem.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _sign_in(user) -> None:
    """Start a new session for ``user`` with a sign-in record of its own."""
    session.clear()
    signins.start(user)
    login_user(user)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the person in.

    Wrong passwords are counted per account and per address (rem/accounts/lockout.py);
    a browser that signed in to the account before is not held up by those counts.
    """
    if current_user.is_authenticated:
        return redirect(url_for("hubs.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = form.email.data.strip()
        known = find_user(email)
        device = lockout.known_device(known)
        refused = lockout.refusal(email, device)
        if refused is not None:
            flash(_wait_message(refused), "error")
            return render_template("accounts/login.html", form=form), 429
        user = authenticate(email, form.password.data)
        if user is None:
            lockout.failed(email, device)
            flash(_("Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer het opnieuw."),
                  "error")
        else:
            lockout.succeeded(email)
            _sign_in(user)
            db.session.commit()
            target = form.next.data
            response = redirect(target if is_safe_next(target) else url_for("hubs.index"))
            lockout.remember_device(response, user, device)
            return response
    return render_template("accounts/login.html", form=form)


def _wait_message(refused: lockout.Refusal) -> str:
    """Say in plain words why signing in waits, and for how long."""
    if refused.reason == "account":
        return ngettext(
            "Er is te vaak een verkeerd wachtwoord geprobeerd voor dit account. Wacht "
            "%(num)s minuut en probeer het dan opnieuw. Op een computer of telefoon waarop u "
            "eerder inlogde, kunt u wel meteen inloggen.",
            "Er is te vaak een verkeerd wachtwoord geprobeerd voor dit account. Wacht "
            "%(num)s minuten en probeer het dan opnieuw. Op een computer of telefoon waarop "
            "u eerder inlogde, kunt u wel meteen inloggen.", refused.minutes)
    return ngettext(
        "Vanaf dit netwerk is te vaak een verkeerd wachtwoord geprobeerd. Wacht %(num)s "
        "minuut en probeer het dan opnieuw. Op een computer of telefoon waarop u eerder "
        "inlogde, kunt u wel meteen inloggen.",
        "Vanaf dit netwerk is te vaak een verkeerd wachtwoord geprobeerd. Wacht %(num)s "
        "minuten en probeer het dan opnieuw. Op een computer of telefoon waarop u eerder "
        "inlogde, kunt u wel meteen inloggen.", refused.minutes)


@bp.post("/logout")
def logout():
    """Sign out: this browser's sign-in record ends, so a copy of the cookie stops working."""
    form = EmptyForm()
    if form.validate_on_submit():
        signins.end_current()
        db.session.commit()
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
    sign_ins = [(record, signins.browser_label(record.user_agent), signins.is_current(record))
                for record in signins.active(current_user)]
    return render_template("accounts/profile.html", form=form, sign_ins=sign_ins,
                           end_form=EmptyForm())


@bp.post("/profile/sign-ins/end")
@login_required
def end_sign_ins():
    """Sign out everywhere else (``scope=others``) or everywhere (``scope=all``)."""
    form = EmptyForm()
    scope = request.form.get("scope")
    if not form.validate_on_submit() or scope not in ("others", "all"):
        flash(_("Kies waar u wilt uitloggen."), "error")
        return redirect(url_for("accounts.profile"))
    ended = signins.end_all(current_user, keep_current=scope == "others")
    db.session.commit()
    if scope == "all":
        logout_user()
        session.clear()
        flash(_("U bent overal uitgelogd, ook hier."), "info")
        return redirect(url_for("accounts.login"))
    flash(ngettext("U bent uitgelogd op %(num)s ander apparaat.",
                   "U bent uitgelogd op %(num)s andere apparaten.", ended), "success")
    return redirect(url_for("accounts.profile"))


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
                _sign_in(user)
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
    """Queue a reset request; the answer is the same, in the same time, whether or not the
    address is known: the mail worker looks it up (rem/accounts/mail.py)."""
    if not mail_enabled():
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        queue_reset_request(form.email.data.strip(), str(get_locale() or "nl"))
        db.session.commit()
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
