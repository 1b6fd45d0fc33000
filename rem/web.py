"""Wire extensions, blueprints, template helpers, security headers and error pages."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import (
    Flask,
    Response,
    abort,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from rem import models  # noqa: F401  (registers every model with the metadata)
from rem.access import current_access
from rem.accounts import signins
from rem.accounts.admin_views import bp as admin_bp
from rem.accounts.member_views import bp as members_bp
from rem.accounts.views import bp as accounts_bp
from rem.analysis.views import bp as analysis_bp
from rem.audit.views import bp as audit_bp
from rem.codes.views import bp as codes_bp
from rem.collaborations.views import bp as collaborations_bp
from rem.core.i18n import Request, request_translations
from rem.core.markdown import render_markdown
from rem.core.urls import refuse_unknown_hosts, site_root
from rem.exchanges.views import bp as exchanges_bp
from rem.extensions import babel, csrf, db, limiter, login_manager, migrate
from rem.help.views import bp as help_bp
from rem.hubs.views import bp as hubs_bp
from rem.interchange.api import bp as api_bp
from rem.interchange.views import bp as interchange_bp
from rem.interchange.views import exchange_export_bp, tokens_bp
from rem.logbook.views import bp as logbook_bp
from rem.maps.outline_html import outline_html
from rem.maps.views import bp as maps_bp
from rem.maps.workspace import bp as map_workspace_bp
from rem.reviews.views import bp as reviews_bp
from rem.ripples.badges import item_badges
from rem.ripples.timeline_html import timeline_html
from rem.ripples.views import bp as ripples_bp
from rem.themes.views import bp as themes_bp
from rem.threads.views import bp as threads_bp
from rem.workshops.inbox_views import bp as inbox_bp
from rem.workshops.public import bp as join_bp
from rem.workshops.views import bp as workshops_bp


def select_locale() -> str:
    """Use the person's chosen language, then the session's, then the browser's; outside a
    request (a command, a worker) the default, Dutch."""
    languages = ["nl", "en"]
    if not has_request_context():
        return "nl"
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "nl"


def register_extensions(app: Flask) -> None:
    """Bind the extensions to ``app``."""

    app.request_class = Request
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Log in om deze pagina te zien.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        return signins.load(session_id)


OPENAPI_FILE = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def register_blueprints(app: Flask) -> None:
    """Register every blueprint."""

    for bp in (accounts_bp, hubs_bp, collaborations_bp, ripples_bp, codes_bp, maps_bp,
               map_workspace_bp, themes_bp, audit_bp, help_bp):
        app.register_blueprint(bp)
    app.register_blueprint(members_bp)

    for bp in (interchange_bp, tokens_bp, api_bp, exchange_export_bp):
        app.register_blueprint(bp)
    app.register_blueprint(admin_bp)

    app.register_blueprint(logbook_bp)
    app.register_blueprint(exchanges_bp)

    app.register_blueprint(analysis_bp)
    app.register_blueprint(threads_bp)

    app.register_blueprint(workshops_bp)
    app.register_blueprint(inbox_bp)

    app.register_blueprint(reviews_bp)
    app.register_blueprint(join_bp)

    @app.get("/health")
    def health():
        """Tell a load balancer that this process answers."""
        return {"status": "ok"}

    @app.get("/api/openapi.yaml")
    def openapi():
        """Describe the API (docs/openapi.yaml) with its absolute address on this site."""
        text = OPENAPI_FILE.read_text(encoding="utf-8")
        server = site_root().rstrip("/") + "/api/v1"
        text = re.sub(r"^(servers:\n  - url: )\S+$", lambda m: m.group(1) + server, text,
                      count=1, flags=re.MULTILINE)
        return Response(text, mimetype="application/yaml")


def register_template_helpers(app: Flask) -> None:
    """Expose filters and globals to templates."""

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )

    app.jinja_env.globals["outline_html"] = lambda entries: outline_html(
        entries, request_translations())
    app.jinja_env.globals["badges_of"] = lambda item, order=None: item_badges(
        item, order, request_translations())
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["date"] = lambda d, fmt="d MMM y": format_date(d, fmt) if d else ""

    def timeline_items(groups, timeline, *, item_url, sessions, reads_all, slug):
        """The timeline page's items (rem/ripples/timeline_html.py); a session's report is
        linked for those who read all of the collaboration."""
        return timeline_html(
            groups, timeline, request_translations(), item_url=item_url, sessions=sessions,
            session_url=(lambda session_id: url_for("workshops.report", slug=slug,
                                                    session_id=session_id))
            if reads_all else None,
            date_label=app.jinja_env.filters["date"])

    app.jinja_env.globals["timeline_items"] = timeline_items
    app.jinja_env.filters["datetime"] = (
        lambda d, fmt="d MMM y, HH:mm": format_datetime(d, fmt) if d else ""
    )
    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else ""
    app.jinja_env.globals["access"] = current_access
    app.jinja_env.filters["dict_without"] = lambda d, *keys: {
        k: v for k, v in d.items() if k not in keys
    }

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "csp_nonce": g.get("csp_nonce", "")}


def register_security(app: Flask) -> None:
    """Set security headers on every response and refuse protected pages to visitors."""

    refuse_unknown_hosts(app)  # first of all request hooks

    @app.before_request
    def make_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store U+0000 in text, and SQLite would keep it where a later
        # move to PostgreSQL fails: no form field or query parameter may carry one.
        for values in (request.args, request.form):
            if any("\x00" in value for _key, value in values.items(multi=True)):
                abort(422, description=_("Tekst met een NUL-teken (\\0) kan niet worden "
                                         "opgeslagen. Haal het weg en probeer het opnieuw."))

    @app.before_request
    def require_login():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("static"):
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


PUBLIC_ENDPOINTS = {"accounts.login", "accounts.set_language", "health",
                    # The API's description: no data, only how to ask for it.
                    "openapi",
                    "accounts.accept_invitation", "accounts.forgot_password",
                    "accounts.reset_password",
                    # Participants of an evaluation session join from a phone, without an
                    # account (rem/workshops/public.py: CSRF, size and rate limits apply).
                    "join.start", "join.participant", "join.story"}


def register_errors(app: Flask) -> None:
    """Show friendly error pages and roll back on server errors."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code >= 500:
            db.session.rollback()
        # A refusal says who can help, and that depends on the person's own roles: a
        # facilitator is not sent to "the facilitator".
        access = current_access() if exc.code == 403 else None
        return render_template("errors/error.html", error=exc, access=access), exc.code
