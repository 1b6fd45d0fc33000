"""What a route names, loaded once with its access check: the collaboration of a URL.

Every page under ``/collaborations/<slug>/...`` starts here, so a missing collaboration
is a 404 and a refused one a 403 in the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import sqlalchemy as sa
from flask import abort

from rem.access import Access, current_access
from rem.collaborations.models import Collaboration
from rem.extensions import db


def collaboration_or_404(slug: str) -> Collaboration:
    """Return the collaboration with this slug or answer 404."""
    collaboration = db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == slug))
    if collaboration is None:
        abort(404)
    return collaboration


def collaboration_route(may: Callable[[Access, Collaboration], bool] | None = None):
    """Decorate a view of ``/collaborations/<slug>/...``: it gets the collaboration (404 when
    there is none) instead of the slug, after ``may(access, collaboration)`` allowed it (403
    when not). ``Access.reads_all_of`` and ``Access.edits`` are the usual rules."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, slug: str, **kwargs):
            collaboration = collaboration_or_404(slug)
            if may is not None and not may(current_access(), collaboration):
                abort(403)
            return view(collaboration, *args, **kwargs)

        return wrapper

    return decorate
