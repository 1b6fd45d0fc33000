"""Loading a workshop and its stories from the URL with the access check, the choices of
items a form offers, and the answers of the polling screens (204 while nothing changed).

Shared by the facilitator pages (views.py) and the inbox (inbox_views.py).
"""

from __future__ import annotations

from flask import Response, abort, request

from rem.access import current_access
from rem.access.routes import collaboration_or_404
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.workshops.models import Workshop, WorkshopStory


def workshop_collaboration(slug: str, *, edit: bool) -> Collaboration:
    """Return the collaboration of the URL: 404 when there is none, 403 unless the person
    edits it (``edit``) or reads all of it."""
    collaboration = collaboration_or_404(slug)
    access = current_access()
    allowed = access.edits(collaboration) if edit else access.reads_all_of(collaboration)
    if not allowed:
        abort(403)
    return collaboration


def workshop_or_404(slug: str, session_id: int, *, edit: bool
                    ) -> tuple[Collaboration, Workshop]:
    """Return the collaboration and its workshop of the URL (404 when it is another's)."""
    collaboration = workshop_collaboration(slug, edit=edit)
    workshop = db.session.get(Workshop, session_id)
    if workshop is None or workshop.collaboration_id != collaboration.id:
        abort(404)
    return collaboration, workshop


def story_or_404(workshop: Workshop, story_id: int) -> WorkshopStory:
    """Return a story told in ``workshop``, or answer 404."""
    story = db.session.get(WorkshopStory, story_id)
    if story is None or story.session_id != workshop.id:
        abort(404)
    return story


def not_modified(tag: str) -> bool:
    """Tell whether the poller already has the state ``tag`` (then it gets 204)."""
    return request.args.get("v") == tag or request.if_none_match.contains(tag)


def fresh(response: Response, tag: str) -> Response:
    """Mark a polling answer with its state tag; browsers must not keep it."""
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-store"
    return response


def no_change(tag: str) -> Response:
    """Answer a poller that already has state ``tag``: 204, nothing to draw."""
    return fresh(Response(status=204), tag)
