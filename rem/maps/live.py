"""The map page's live parts: the state tag the page polls with (two people mapping at once
see each other's changes within a poll), the poll's URL, and the data the map's scripts
read (static/js/map-view.js, map-build.js)."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask import Response, request, url_for
from markupsafe import Markup

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps.cache import theme_fingerprint
from rem.maps.model import RippleMap
from rem.ripples.fingerprints import log_fingerprint
from rem.ripples.models import RippleItem


def state_tag(collaboration: Collaboration, access: Access) -> str:
    """Return a short tag that changes whenever anything this person sees of the map changes.

    Built from the collaboration's data fingerprint (grouped queries, no rows): items,
    their versions and codes, links (removed ones too), codebooks and the themes.
    """
    fingerprint = log_fingerprint(collaboration, access.item_clause(collaboration))
    themes = theme_fingerprint(collaboration)
    return hashlib.sha256(repr((fingerprint, themes)).encode()).hexdigest()[:20]


def unchanged_poll(tag: str) -> Response | None:
    """Return ``204`` when the page polling itself (htmx) already shows the state ``tag``."""
    if request.headers.get("HX-Request") and request.args.get("v") == tag:
        response = Response(status=204)
        response.headers["Cache-Control"] = "no-store"
        return response
    return None


def map_poll_url(tag: str) -> str:
    """Return the URL of this page with ``v=tag``: what the page polls to stay fresh."""
    args = request.args.to_dict(flat=False)
    args.pop("v", None)
    args["v"] = [tag]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def map_workspace_data(ripple_map: RippleMap, collaboration: Collaboration) -> Markup:
    """Return what the map's scripts need, as JSON for a ``<script type=application/json>``.

    Per drawn item its kind and version (a change by someone else shows in an open
    panel), and the links, for the focus. Titles, dates, codes and first lines are not
    repeated here: the scripts read them from the nodes' tooltips in the SVG. ``<``, ``>``
    and ``&`` are escaped so the JSON can never close its script element.
    """
    ids = [node.id for node in ripple_map.nodes]
    versions = dict(db.session.execute(
        sa.select(RippleItem.id, RippleItem.version)
        .where(RippleItem.collaboration_id == collaboration.id,
               RippleItem.deleted_at.is_(None))).all()) if ids else {}
    nodes = [{"id": node.id, "kind": node.kind, "version": versions.get(node.id, 0)}
             for node in ripple_map.nodes]
    data = {"nodes": nodes,
            "links": [[edge.cause_id, edge.effect_id] for edge in ripple_map.edges]}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with <, > and & escaped
