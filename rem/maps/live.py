"""The map page's live parts: the state tag the page polls with (two people mapping at once
see each other's changes within a poll), the poll's URL, and the data the map's scripts
read (static/js/map-view.js, map-build.js)."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

import cachetools
import sqlalchemy as sa
from flask import Response, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.maps import drawing
from rem.maps.builder import BuiltMap, build_map, item_link_base
from rem.maps.cache import theme_fingerprint
from rem.maps.filters import MapFilters, MapOptions
from rem.maps.model import RippleMap
from rem.ripples.fingerprints import log_fingerprint
from rem.ripples.models import RippleItem


def state_tag(collaboration: Collaboration, access: Access) -> str:
    """Return a short tag that changes whenever anything this person sees of the map changes.

    Built from the collaboration's data fingerprint (its log stamp, which the database
    renews on any change of its items, their codes and its links; the codebooks) and its
    themes: a few rows, however long the log.
    """
    fingerprint = log_fingerprint(collaboration, access.item_clause(collaboration))
    themes = theme_fingerprint(collaboration)
    return hashlib.sha256(repr((fingerprint, themes)).encode()).hexdigest()[:20]


# Built maps kept per process (oldest out first), found again by the state tag of what the
# person sees and everything else a map is built from: a change gives a new key.
BUILT_MEMO_SIZE = 8
_BUILT: cachetools.LRUCache = cachetools.LRUCache(BUILT_MEMO_SIZE)
_BUILT_LOCK = threading.Lock()


@dataclass(eq=False)
class KeptMap:
    """A built map kept in the process, and its drawing for the map page once made."""

    built: BuiltMap
    layout: str
    page_drawing: str | None = None

    def page_svg(self, timeout: float) -> str:
        """Return the map page's (slimmed) drawing of the map, made once."""
        if self.page_drawing is None:
            self.page_drawing = drawing.svg(self.built.map, self.layout, timeout, slim=True)
        return self.page_drawing


def kept_map(collaboration: Collaboration, filters: MapFilters, access: Access,
             options: MapOptions, *, max_nodes: int | None, tag: str | None = None
             ) -> KeptMap:
    """Return ``builder.build_map`` for these arguments, built once per state of the data,
    with the map page's drawing of it once that is made.

    The key is everything the map is made of: :func:`state_tag` (the data and themes this
    person sees; ``tag`` when the caller has it), the person's visible levels, the
    filters and options, the size limit, the language and the address item links start
    with. A page that polls or is opened again while nobody changes anything (a map on
    the projector, a group reading it) then costs its own work only, without building
    the map or writing its DOT to find the drawing. The map is shared between requests
    and is only read after it is built.
    """
    tag = tag or state_tag(collaboration, access)
    key = (tag, repr(access.visible_levels(collaboration)), repr(filters), repr(options),
           max_nodes, str(get_locale()), item_link_base(collaboration))
    with _BUILT_LOCK:
        kept = _BUILT.get(key)
    if kept is None:
        kept = KeptMap(build_map(collaboration, filters, access, options=options,
                                 max_nodes=max_nodes), options.layout)
        with _BUILT_LOCK:
            _BUILT[key] = kept
    return kept


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
