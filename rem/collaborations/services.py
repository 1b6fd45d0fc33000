"""Creating and changing collaborations."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.audit.services import record, snapshot
from rem.collaborations.models import Collaboration
from rem.extensions import db

FIELDS = ["name", "slug", "hub_id", "region", "scale", "target_group", "goal", "stage",
          "start_date", "pseudonymise_for_research"]


class CollaborationError(ValueError):
    """A change that cannot be made; the message is shown to the user."""


def by_slug(slug: str) -> Collaboration | None:
    """Return the collaboration with this slug, if any."""
    return db.session.scalar(sa.select(Collaboration).where(Collaboration.slug == slug))


def save_collaboration(collaboration: Collaboration | None, data: dict) -> Collaboration:
    """Create a collaboration (``collaboration`` is None) or change one."""
    other = by_slug(data["slug"])
    if other is not None and other is not collaboration:
        raise CollaborationError(
            _("Er is al een samenwerkingsverband met het webadres “%(slug)s”. Kies een andere "
              "korte naam.", slug=data["slug"])
        )
    start = data.get("start_date")
    if start and (start < date(1900, 1, 1) or start > date.today()):
        raise CollaborationError(_("De startdatum moet tussen 1900 en vandaag liggen."))
    before = snapshot(collaboration, FIELDS) if collaboration else None
    if collaboration is None:
        collaboration = Collaboration()
        db.session.add(collaboration)
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        setattr(collaboration, name, value)
    db.session.flush()
    record("update" if before else "create", "collaboration", collaboration.id,
           collaboration_id=collaboration.id, summary=collaboration.name,
           before=before, after=snapshot(collaboration, FIELDS))
    return collaboration
