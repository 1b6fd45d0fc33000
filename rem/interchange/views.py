"""Pages to export a collaboration's log and to import maps into it."""

from __future__ import annotations

import logging
import re
from datetime import date

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from rem.access import current_access
from rem.access import exchanges as exchange_access
from rem.collaborations.models import Collaboration
from rem.collaborations.services import by_slug
from rem.core.database import utcnow
from rem.core.http import conditional
from rem.exchanges.models import LearningExchange
from rem.exchanges.services import theme_label
from rem.extensions import db
from rem.interchange import uploads
from rem.interchange.exports import FORMATS, WRITERS
from rem.interchange.forms import (
    EXPORT_FORMATS,
    ExportForm,
    ImportConfirmForm,
    ImportForm,
    RevokeForm,
    TokenForm,
)
from rem.interchange.imports import ImportOptions, ImportRefused, ImportRun, run_import
from rem.interchange.imports.table import TARGET_FIELDS
from rem.interchange.scope import export_fingerprint, must_pseudonymise
from rem.interchange.services import (
    export_filename,
    prepare_export,
    preview_replacements,
    split_names,
)
from rem.interchange.tokens import TokenError, create_token, revoke_token, tokens_of

log = logging.getLogger(__name__)

bp = Blueprint("interchange", __name__, url_prefix="/collaborations/<slug>")
# The export of a learning exchange lives here, beside the other exports: exchanges sit below
# interchange in the layer order (docs/architecture.md).
exchange_export_bp = Blueprint("exchange_export", __name__, url_prefix="/exchanges")


def _collaboration(slug: str) -> Collaboration:
    collaboration = by_slug(slug)
    if collaboration is None:
        abort(404)
    return collaboration


# --- export ---------------------------------------------------------------------------


def _stream(scope, fmt: str):
    scope.attach()
    yield from WRITERS[fmt](scope)


def export_scopes(access, collaboration: Collaboration) -> list[str]:
    """Return the scopes this person may export from the collaboration's page: the
    hub for its coordinators, administrators and researchers; everything they may see
    for researchers and administrators."""
    scopes = ["collaboration"]
    if access.is_admin or access.is_researcher or collaboration.hub_id in access.coordinated_hubs:
        scopes.append("hub")
    if access.is_admin or access.is_researcher:
        scopes.append("all")
    return scopes


def _scope_collaborations(scope: str, collaboration: Collaboration) -> tuple[list, str]:
    """Return the collaborations of a scope and the start of the download's name."""
    if scope == "hub":
        return (list(db.session.scalars(
            sa.select(Collaboration).where(Collaboration.hub_id == collaboration.hub_id)
            .order_by(Collaboration.slug))), collaboration.hub.slug)
    if scope == "all":
        return (list(db.session.scalars(sa.select(Collaboration).order_by(Collaboration.slug))),
                "rem-alles")
    return [collaboration], collaboration.slug


_DOWNLOAD_TOKEN_RE = re.compile(r"^[A-Za-z0-9]{8,40}$")


def download(scope, fmt: str, name: str) -> Response:
    """Return the export as a download, streamed straight from the database.

    A form that sent a ``download_token`` gets it back in the cookie ``rem_download``
    with the answer's headers: static/js/busy.js then knows the download has begun (a
    download never loads a new page) and ends its "busy" message.
    """
    body = stream_with_context(_stream(scope, fmt))
    response = Response(body, mimetype=FORMATS[fmt][1])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    token = request.values.get("download_token", "")
    if _DOWNLOAD_TOKEN_RE.match(token):
        response.set_cookie("rem_download", token, max_age=120, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                            httponly=False)  # read by busy.js; it holds nothing secret
    return response


@bp.route("/export", methods=["GET", "POST"])
def export(slug: str):
    """Show the export choices; a valid POST downloads the file, or with ``preview`` shows
    the page again with what the pseudonyms would replace (nothing is written)."""
    collaboration = _collaboration(slug)
    access = current_access()
    forced = must_pseudonymise(access, collaboration)
    form = ExportForm()
    allowed = export_scopes(access, collaboration)
    form.scope.choices = [c for c in form.scope.choices if c.value in allowed]
    if forced:
        form.pseudonymise.data = True
    preview = None
    if form.validate_on_submit():
        collaborations, stem = _scope_collaborations(form.scope.data or "collaboration",
                                                     collaboration)
        pseudonymise = bool(form.pseudonymise.data) or forced
        names = split_names(form.extra_names.data)
        if not request.form.get("preview"):
            fmt = form.format.data
            scope = prepare_export(collaborations, access, fmt, pseudonymise=pseudonymise,
                                   extra_names=names)
            db.session.commit()
            return download(scope, fmt, export_filename(stem, fmt, scope.pseudonymised))
        # The preview step: what the export would replace, made in memory; nothing written.
        preview = preview_replacements(collaborations, access, pseudonymise=pseudonymise,
                                       extra_names=names)
        db.session.rollback()
        if preview is None:
            flash(_("U koos geen pseudoniemen: de export vervangt geen namen."), "info")
    return render_template("interchange/export.html", collaboration=collaboration, form=form,
                           forced=forced, reads_all=access.reads_all_of(collaboration),
                           preview=preview)


# --- import ---------------------------------------------------------------------------


def _editable(slug: str) -> Collaboration:
    collaboration = _collaboration(slug)
    if not current_access().edits(collaboration):
        abort(403)
    return collaboration


def _mapping_from_form() -> dict[str, str]:
    return {f: request.form.get(f"map_{f}", "") for f in TARGET_FIELDS}


def _preview(collaboration: Collaboration, stored: uploads.StoredUpload, status: int = 200):
    """Run the import, show what it would do, and roll everything back."""
    result = run_import(collaboration, stored.files, stored.options, commit=False)
    db.session.rollback()
    return render_template(
        "interchange/preview.html", collaboration=collaboration, result=result,
        token=stored.token, options=stored.options, confirm_form=ImportConfirmForm(),
        target_fields=TARGET_FIELDS,
    ), status


@bp.route("/import", methods=["GET", "POST"])
def import_upload(slug: str):
    """Upload a file; a valid upload is stored and previewed, nothing is written yet."""
    collaboration = _editable(slug)
    form = ImportForm()
    if not form.format.data and request.method == "GET":
        form.format.data = "xmind"
    if form.validate_on_submit():
        files = [f for f in (form.file.data, form.file2.data) if f and f.filename]
        if not files:
            form.file.errors.append(_("Kies een bestand."))
        else:
            try:
                options = ImportOptions(
                    format=form.format.data,
                    xmind_mode=form.xmind_mode.data or "rings",
                    default_date=(form.default_date.data or "").strip(),
                )
                stored = uploads.store(files, options, current_app.config)
            except ImportRefused as exc:
                form.file.errors.append(str(exc))
            else:
                return _preview(collaboration, stored)
    return render_template("interchange/import.html", collaboration=collaboration, form=form)


@bp.post("/import/confirm")
def import_confirm(slug: str):
    """Import the stored upload for real, or show the preview again with a new mapping."""
    collaboration = _editable(slug)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    stored = uploads.load(form.token.data or "", current_app.config)
    if stored is None:
        flash(_("Dit voorbeeld is verlopen. Kies het bestand opnieuw."), "error")
        return redirect(url_for("interchange.import_upload", slug=slug))
    if stored.options.format == "table" and any(k.startswith("map_") for k in request.form):
        stored.options.mapping = _mapping_from_form()
        uploads.save_options(stored, current_app.config)
    if request.form.get("action") != "import":
        return _preview(collaboration, stored)
    return _import_page(collaboration, stored)


PROGRESS_MARK = "<!-- progress -->"


def _import_page(collaboration: Collaboration, stored: uploads.StoredUpload) -> Response:
    """Import for real, as a page that grows while it works: a progress bar after each
    batch (a large file takes a while), then the outcome. One transaction: committed at
    the end, rolled back on any problem (nothing is written then)."""
    run = ImportRun(collaboration, stored.files, stored.options)
    page = render_template("interchange/importing.html", collaboration=collaboration,
                           mark=PROGRESS_MARK)
    head, tail = page.split(PROGRESS_MARK, 1)

    def generate():
        yield head
        outcome = None
        try:
            for done, total in run.steps():
                yield render_template("interchange/_import_progress.html", done=done,
                                      total=total)
            if run.result.ok:
                db.session.commit()
                uploads.discard(stored, current_app.config)
            else:
                db.session.rollback()
            outcome = run.result
        except Exception:  # the page has begun: say so in it, and write nothing
            db.session.rollback()
            log.exception("import into %s failed", collaboration.slug)
        yield render_template("interchange/_import_outcome.html", collaboration=collaboration,
                              result=outcome, token=stored.token,
                              confirm_form=ImportConfirmForm())
        yield tail

    response = Response(stream_with_context(generate()), mimetype="text/html")
    # nginx would otherwise hold the page back until it is complete.
    response.headers["X-Accel-Buffering"] = "no"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- personal access tokens -------------------------------------------------------------

tokens_bp = Blueprint("tokens", __name__)


@tokens_bp.route("/profile/tokens", methods=["GET", "POST"])
def tokens():
    """List, create and revoke the person's own API tokens. A new token is shown once."""
    user = current_user._get_current_object()
    form = TokenForm()
    revoke_form = RevokeForm()
    new_secret = None
    if request.method == "POST" and request.form.get("revoke"):
        if revoke_form.validate_on_submit() and (revoke_form.revoke.data or "").isdigit():
            if revoke_token(user, int(revoke_form.revoke.data)) is None:
                abort(404)
            db.session.commit()
            flash(_("De sleutel is ingetrokken: scripts die hem gebruiken, krijgen geen "
                    "toegang meer."), "success")
        return redirect(url_for("tokens.tokens"))
    if form.validate_on_submit():
        try:
            _token, new_secret = create_token(user, form.name.data, int(form.days.data))
        except TokenError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    response = render_template("interchange/tokens.html", form=form, revoke_form=revoke_form,
                               tokens=tokens_of(user), new_secret=new_secret, now=utcnow())
    return response, 200, {"Cache-Control": "no-store"}


@exchange_export_bp.get("/<int:exchange_id>/export", endpoint="export")
def exchange_export(exchange_id: int):
    """Export the exchange's selection: what its participants shared with the learning
    network, on its theme. Without ``format`` the page lists the file formats."""
    if not exchange_access.may_view(current_access()):
        abort(403)
    exchange = db.session.get(LearningExchange, exchange_id)
    if exchange is None:
        abort(404)
    fmt = request.args.get("format")
    pseudonymise = request.args.get("pseudonymise") == "1"
    if fmt is None:
        return render_template("exchanges/export.html", exchange=exchange,
                               theme=theme_label(exchange), formats=EXPORT_FORMATS)
    if fmt not in FORMATS:
        abort(404)
    participants = sorted(exchange.participants, key=lambda c: c.id)
    code_id = exchange.theme_code.id if exchange.theme_code else None

    def make() -> Response:
        scope = prepare_export(participants, exchange_access.network_view(), fmt,
                               pseudonymise=pseudonymise, code_id=code_id)
        db.session.commit()
        return download(scope, fmt, export_filename(f"leeruitwisseling-{exchange.id}", fmt,
                                                    scope.pseudonymised))

    # The same file while nothing in it changed (its name holds today's date).
    return conditional([exchange.id, code_id, export_fingerprint([c.id for c in participants]),
                        date.today().isoformat()], make)
