"""Sign in, sign out, language and profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from rem.accounts.forms import EmptyForm, LoginForm, ProfileForm
from rem.accounts.services import authenticate
from rem.extensions import db, limiter
from rem.web import is_safe_next

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
