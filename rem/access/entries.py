"""Who may read, write and change learning-log entries: built on ``Access``.

Reading follows the rules for activities and effects exactly: an entry is
visible when ``Access.visible_levels(collaboration)`` allows its visibility.
:func:`visible_clause` turns those per-collaboration rules into one SQL
condition over many collaborations, for search and the overview of actions:
it asks ``visible_levels`` for every collaboration, so there is only one
place (``rem.access``) where the rules live.

Writing:
- everyone who reads all of a collaboration (its members and facilitators,
  the hub's coordinators, administrators) may add entries;
- the author may change, delete and restore their own entries;
- those who edit the collaboration's ripple log (facilitators, coordinators,
  administrators) may change every entry, and are the only ones who choose to
  share an entry beyond the collaboration.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from rem.access import Access
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.logbook.models import LogEntry


def sees_entry(access: Access, entry: LogEntry) -> bool:
    """Tell whether ``entry`` is visible to this person (deleted or not)."""
    levels = access.visible_levels(entry.collaboration)
    return levels is None or entry.visibility in levels


def may_write(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether this person may add entries to the collaboration's log."""
    return access.user_id is not None and access.reads_all_of(collaboration)


def may_share(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether this person may share entries beyond the collaboration."""
    return access.edits(collaboration)


def may_edit(access: Access, entry: LogEntry) -> bool:
    """Tell whether this person may change, delete or restore ``entry``."""
    if access.edits(entry.collaboration):
        return True
    return (access.user_id is not None and entry.author_id == access.user_id
            and access.reads_all_of(entry.collaboration))


def may_mark_done(access: Access, entry: LogEntry) -> bool:
    """Tell whether this person may mark an action done (or open again)."""
    if may_edit(access, entry):
        return True
    return (access.user_id is not None and entry.owner_id == access.user_id
            and access.reads_all_of(entry.collaboration))


def reads_all_ids(access: Access) -> set[int] | None:
    """Return the ids of the collaborations read in full, or None for all of them."""
    if access.is_admin:
        return None
    collaborations = db.session.scalars(sa.select(Collaboration)).all()
    return {c.id for c in collaborations if access.reads_all_of(c)}


def visible_clause(access: Access, visibility_col, collaboration_col,
                   collaboration_ids: list[int] | None = None) -> sa.ColumnElement[bool]:
    """Return one SQL condition: the rows this person sees, over all collaborations.

    ``visibility_col`` and ``collaboration_col`` are the columns of the table
    queried (``RippleItem.visibility`` or ``LogEntry.visibility`` and their
    ``collaboration_id``). ``collaboration_ids`` narrows to those collaborations.
    """
    if access.is_admin:  # visible_levels() is None everywhere: no condition but the scope
        return sa.true() if collaboration_ids is None else collaboration_col.in_(
            sorted(collaboration_ids))
    query = sa.select(Collaboration)
    if collaboration_ids is not None:
        query = query.where(Collaboration.id.in_(collaboration_ids))
    groups: dict[tuple[str, ...] | None, list[int]] = defaultdict(list)
    for collaboration in db.session.scalars(query):
        levels = access.visible_levels(collaboration)
        key = None if levels is None else tuple(sorted(levels))
        if key == ():
            continue
        groups[key].append(collaboration.id)
    clauses = []
    for key, ids in groups.items():
        condition = collaboration_col.in_(sorted(ids))
        if key is not None:
            condition = sa.and_(condition, visibility_col.in_(key))
        clauses.append(condition)
    if not clauses:
        return sa.false()
    return sa.or_(*clauses)
