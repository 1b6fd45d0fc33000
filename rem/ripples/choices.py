"""A collaboration's live items as choices of a form (causes, items a log entry is about,
where a story came from): activities first, each group in date order, each labelled
"title (date)". Plain rows, each distinct date labelled once: a log of 1,000 items lists
them all."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from rem.collaborations.models import Collaboration
from rem.core.dates import DateLabels, stored
from rem.extensions import db
from rem.ripples.models import Kind, RippleItem


def item_choices(collaboration: Collaboration, *, exclude: int | None = None,
                 effects_only: bool = False) -> list[SelectChoice]:
    """Return the live items of ``collaboration`` (without ``exclude``; only effects with
    ``effects_only``) as choices in optgroups "Activiteiten" and "Effecten"."""
    live = [RippleItem.collaboration_id == collaboration.id, RippleItem.deleted_at.is_(None)]
    if exclude is not None:
        live.append(RippleItem.id != exclude)
    if effects_only:
        live.append(RippleItem.kind == Kind.EFFECT.value)
    rows = db.session.connection().execute(
        sa.select(RippleItem.id, RippleItem.kind, RippleItem.title, RippleItem.date_start,
                  RippleItem.date_precision).where(*live)).all()
    groups = {Kind.ACTIVITY.value: (0, _("Activiteiten")), Kind.EFFECT.value: (1, _("Effecten"))}
    labels = DateLabels()  # many items share a date
    choices = []
    for item_id, kind, title, start, precision in rows:
        group, label = groups[kind]
        choices.append(((group, *stored(start, precision).sort_key(), item_id),
                        SelectChoice(item_id, f"{title} ({labels(start, precision)})",
                                     optgroup=label)))
    choices.sort(key=lambda pair: pair[0])
    return [choice for _key, choice in choices]
