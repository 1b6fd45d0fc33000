"""The read-only API for researchers' scripts: ``/api/v1/...``.

Authentication: a personal access token (``Authorization: Bearer rem_...``) or the
browser's session. Access is exactly that of the pages (``Access.item_clause``),
and, like exports, a collaboration that asks for it is pseudonymised for everyone
who does not read all of its log; pseudonyms follow account order there, so they
agree between requests. Every route is a GET: there is nothing to protect against
cross-site requests (CSRF protection only covers POST and the like, and no route
here changes anything).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import orm
from werkzeug.exceptions import HTTPException

from rem.access import current_access
from rem.codes.models import Codebook
from rem.collaborations.models import Collaboration
from rem.collaborations.services import by_slug
from rem.extensions import db, limiter, login_manager
from rem.interchange.rows import iso_datetime
from rem.interchange.scope import ExportScope, build_scope, must_pseudonymise
from rem.interchange.tokens import TokenExpired, hash_token, user_for_token
from rem.ripples.models import Kind

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 1000

# Signed-out requests to the API get 401 in JSON, not a redirect to the sign-in page.
login_manager.blueprint_login_views["api"] = None

# Requests per token (or per signed-in browser) and per address; the configuration can
# change them (REM_API_LIMIT_TOKEN, REM_API_LIMIT_ADDRESS), read at request time.
DEFAULT_LIMITS = {
    # A script that pages through 10,000 items at 1,000 a page needs 10 requests.
    "REM_API_LIMIT_TOKEN": "120 per minute; 3000 per hour",
    # Several people of one office may share an address; a token guesser has one.
    "REM_API_LIMIT_ADDRESS": "300 per minute",
}


def _limit(name: str):
    return lambda: current_app.config.get(name) or DEFAULT_LIMITS[name]


def _bearer(req) -> str:
    scheme, _sep, secret = req.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def _token_key() -> str:
    """Count per token (by its hash: the secret itself is never stored), else per address."""
    secret = _bearer(request)
    if secret:
        return "api:token:" + hash_token(secret)[:40]
    return "api:browser:" + get_remote_address()


def _address_key() -> str:
    return "api:address:" + get_remote_address()


limiter.limit(_limit("REM_API_LIMIT_TOKEN"), key_func=_token_key, scope="api-token")(bp)
limiter.limit(_limit("REM_API_LIMIT_ADDRESS"), key_func=_address_key, scope="api-address")(bp)


@login_manager.request_loader
def _load_user_from_token(req):
    """Sign in an API request that carries a valid personal access token."""
    if not req.path.startswith("/api/"):
        return None
    secret = _bearer(req)
    if not secret:
        return None
    try:
        return user_for_token(secret)
    except TokenExpired as exc:
        g.rem_token_expired_at = exc.args[0]
        return None


def _message(exc: HTTPException) -> str | None:
    """Return a plain explanation (in the request's language) where one helps."""
    if exc.code == 401 and g.get("rem_token_expired_at") is not None:
        return _("Deze sleutel is verlopen op %(date)s. Maak een nieuwe sleutel op uw "
                 "profielpagina (Sleutels voor de API).",
                 date=iso_datetime(g.rem_token_expired_at)[:10])
    if exc.code == 401:
        return _("Geen geldige sleutel. Stuur de kopregel Authorization: Bearer met een "
                 "sleutel van uw profielpagina.")
    if exc.code == 429:
        return _("Te veel verzoeken met deze sleutel of vanaf dit adres. Wacht even en "
                 "probeer het dan opnieuw.")
    return None


@bp.errorhandler(HTTPException)
def _error(exc: HTTPException):
    body = {"error": exc.name, "status": exc.code}
    message = _message(exc)
    if message:
        body["message"] = message
    response = jsonify(body)
    response.status_code = exc.code or 500
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rem"'
        if g.get("rem_token_expired_at") is not None:
            response.headers["WWW-Authenticate"] += (
                ', error="invalid_token", error_description="The token has expired"')
    if exc.code == 429:
        window = getattr(getattr(exc, "limit", None), "limit", None)
        response.headers["Retry-After"] = str(int(window.get_expiry()) if window else 60)
    return response


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _collaboration(slug: str) -> Collaboration:
    collaboration = by_slug(slug)
    if collaboration is None:
        abort(404)
    return collaboration


def _scope(collaboration: Collaboration) -> ExportScope:
    return build_scope([collaboration], current_access(), pseudonymise=False, stable=True)


def _collaboration_json(c: Collaboration, scope: ExportScope | None = None) -> dict:
    access = current_access()
    data = {
        "slug": c.slug, "name": c.name, "hub": c.hub.slug, "hub_name": c.hub.name,
        "region": c.region, "scale": c.scale, "stage": c.stage,
        "start_date": c.start_date.isoformat() if c.start_date else None,
        "reads_all": access.reads_all_of(c),
        "pseudonymised": must_pseudonymise(access, c),
    }
    if scope is not None:
        data["counts"] = {"activities": scope.count_items(Kind.ACTIVITY.value),
                          "effects": scope.count_items(Kind.EFFECT.value),
                          "links": sum(1 for _ in scope.link_rows())}
        data["target_group"] = scope.text(c.target_group)
        data["goal"] = scope.text(c.goal)
    return data


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(400)
    return int(raw)


@bp.get("/collaborations")
def collaborations():
    """List every collaboration, with what this person may see of it."""
    rows = db.session.scalars(sa.select(Collaboration).order_by(Collaboration.slug)
                              .options(orm.joinedload(Collaboration.hub))).all()
    return jsonify({"collaborations": [_collaboration_json(c) for c in rows]})


@bp.get("/collaborations/<slug>")
def collaboration(slug: str):
    """One collaboration, with counts of the items and links this person sees."""
    c = _collaboration(slug)
    return jsonify(_collaboration_json(c, _scope(c)))


@bp.get("/collaborations/<slug>/items")
def items(slug: str):
    """The visible items, a page at a time, in timeline order."""
    c = _collaboration(slug)
    scope = _scope(c)
    kind = request.args.get("kind") or None
    if kind not in (None, Kind.ACTIVITY.value, Kind.EFFECT.value):
        abort(400)
    page = _int_arg("page", 1, 1, 1_000_000)
    per_page = _int_arg("per_page", 100, 1, MAX_PER_PAGE)
    nodes = list(scope.nodes(kind=kind, limit=per_page, offset=(page - 1) * per_page))
    return jsonify({"items": nodes, "page": page, "per_page": per_page,
                    "total": scope.count_items(kind), "pseudonymised": scope.pseudonymised})


@bp.get("/collaborations/<slug>/items/<int:item_id>")
def item(slug: str, item_id: int):
    """One visible item; anything else is 'not found'."""
    scope = _scope(_collaboration(slug))
    found = next(scope.nodes(item_id=item_id), None)
    if found is None:
        abort(404)
    return jsonify(found)


@bp.get("/collaborations/<slug>/links")
def links(slug: str):
    """The live links between visible items."""
    scope = _scope(_collaboration(slug))
    return jsonify({"links": list(scope.links())})


@bp.get("/collaborations/<slug>/map")
def ripple_map(slug: str):
    """The ripple map as nodes and edges, with each node's ripple order."""
    scope = _scope(_collaboration(slug))
    nodes = [{"id": n["id"], "kind": n["kind"], "title": n["title"], "date": n["date"],
              "order": n["order"], "valence": n["valence"], "intended": n["intended"],
              "codes": n["codes"]} for n in scope.nodes()]
    edges = [{"id": lk["id"], "source": lk["cause_id"], "target": lk["effect_id"]}
             for lk in scope.links()]
    return jsonify({"nodes": nodes, "edges": edges, "pseudonymised": scope.pseudonymised,
                    "generated_at": iso_datetime(scope.exported_at)})


@bp.get("/codebooks")
def codebooks():
    """Every codebook with its codes."""
    books = db.session.scalars(sa.select(Codebook).order_by(Codebook.position, Codebook.slug)
                               .options(orm.selectinload(Codebook.codes))).all()
    return jsonify({"codebooks": [{
        "slug": b.slug, "name": b.name, "description": b.description, "builtin": b.builtin,
        "codes": [{"code": f"{b.slug}:{c.slug}", "slug": c.slug, "name": c.name,
                   "description": c.description} for c in b.codes],
    } for b in books]})
