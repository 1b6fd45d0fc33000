"""What one export contains: which collaborations, which of their items, and how
names are shown; the rows it is written from are read by :mod:`rem.interchange.rows`.
Also the fingerprint that changes whenever anything an export holds changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from rem.access import Access
from rem.accounts.models import Membership, Role, User
from rem.collaborations.models import Collaboration
from rem.extensions import db
from rem.interchange.pseudonymise import Pseudonymiser
from rem.interchange.rows import ExportRows
from rem.logbook.models import LogCitation, LogEntry, log_entry_codes
from rem.ripples.fingerprints import data_fingerprints
from rem.ripples.models import RippleItem, item_codes
from rem.themes.models import Theme, theme_items
from rem.workshops.models import Workshop


def must_pseudonymise(access: Access, collaboration: Collaboration) -> bool:
    """Tell whether this person may only have pseudonymised data of ``collaboration``.

    When the collaboration asks for it, everyone who does not read all of its log
    (researchers, and people of other collaborations in the learning network) gets
    only the pseudonymised variant.
    """
    return bool(collaboration.pseudonymise_for_research) and not access.reads_all_of(collaboration)


@dataclass
class ExportScope(ExportRows):
    """The collaborations and visible items of one export, and how names are shown."""

    collaborations: list[Collaboration]
    access: Access
    pseudonymiser: Pseudonymiser | None = None
    # Only items and entries with this code (a learning exchange's theme), if set.
    code_id: int | None = None
    exported_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _user_names: dict[int, str] = field(default_factory=dict)
    _roles: dict[tuple[int, int], str] = field(default_factory=dict)
    _coordinators: dict[int, set[int]] = field(default_factory=dict)
    _user_flags: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    _orders: dict[int, int] | None = None

    def __post_init__(self) -> None:
        self.collaboration_ids = [c.id for c in self.collaborations]

    def attach(self) -> None:
        """Load the collaborations again in the current session (for streamed responses,
        which run after the request's session has been closed)."""
        self.collaborations = list(db.session.scalars(
            sa.select(Collaboration).where(Collaboration.id.in_(self.collaboration_ids))
            .order_by(Collaboration.slug)
        ))

    @property
    def pseudonymised(self) -> bool:
        """Tell whether names are replaced in this export."""
        return self.pseudonymiser is not None

    @property
    def slugs(self) -> dict[int, str]:
        """Return collaboration slugs by id."""
        return {c.id: c.slug for c in self.collaborations}

    def visible_clause(self, entity=RippleItem) -> sa.ColumnElement[bool]:
        """Return the SQL condition for live items this person sees in the scope.

        The same rule as ``Access.item_clause``, written for ``entity`` so that it also
        works on aliases (the cause and effect of a link).
        """
        parts = []
        for c in self.collaborations:
            levels = self.access.visible_levels(c)
            if levels is None:
                parts.append(entity.collaboration_id == c.id)
            elif levels:
                parts.append(sa.and_(entity.collaboration_id == c.id,
                                     entity.visibility.in_(levels)))
        if not parts:
            return sa.false()
        clause = sa.and_(entity.deleted_at.is_(None), sa.or_(*parts))
        if self.code_id is not None:
            clause = sa.and_(clause, entity.id.in_(
                sa.select(item_codes.c.item_id).where(item_codes.c.code_id == self.code_id)))
        return clause

    def visible_ids(self) -> sa.Select:
        """Return a subquery of the ids of the visible items."""
        return sa.select(RippleItem.id).where(self.visible_clause())

    def text(self, value: str | None) -> str:
        """Return ``value``, pseudonymised when this export asks for it."""
        if self.pseudonymiser is None:
            return value or ""
        return self.pseudonymiser.text(value)

    # --- authors --------------------------------------------------------------------

    def _load_people(self) -> None:
        if self._user_flags:
            return
        for uid, name, email, is_admin, is_researcher in db.session.execute(
            sa.select(User.id, User.name, User.email, User.is_admin, User.is_researcher)
        ):
            self._user_names[uid] = name or email
            self._user_flags[uid] = (is_admin, is_researcher)
        for uid, role, hub_id, collab_id in db.session.execute(
            sa.select(Membership.user_id, Membership.role, Membership.hub_id,
                      Membership.collaboration_id)
        ):
            if collab_id is not None:
                self._roles[(uid, collab_id)] = role
            elif role == Role.COORDINATOR and hub_id is not None:
                self._coordinators.setdefault(hub_id, set()).add(uid)

    def author_role(self, user_id: int | None, collaboration: Collaboration) -> str:
        """Return the role the author had: facilitator, member, coordinator, ..."""
        if user_id is None:
            return ""
        self._load_people()
        role = self._roles.get((user_id, collaboration.id))
        if role:
            return role
        if user_id in self._coordinators.get(collaboration.hub_id, set()):
            return Role.COORDINATOR.value
        is_admin, is_researcher = self._user_flags.get(user_id, (False, False))
        if is_admin:
            return "administrator"
        if is_researcher:
            return "researcher"
        return "other"

    def author(self, user_id: int | None, collaboration: Collaboration) -> str:
        """Return the author's name, or their role when names are pseudonymised."""
        if user_id is None:
            return ""
        if self.pseudonymised:
            return self.author_role(user_id, collaboration)
        self._load_people()
        return self._user_names.get(user_id, "")


def build_scope(collaborations: list[Collaboration], access: Access, *, pseudonymise: bool,
                extra_names: list[str] | None = None, stable: bool = False,
                code_id: int | None = None) -> ExportScope:
    """Decide what one export holds. Pseudonymisation is forced where the rules ask.

    ``stable`` numbers people by account order instead of first appearance, so that
    pseudonyms agree between separate API requests.
    """
    forced = any(must_pseudonymise(access, c) for c in collaborations)
    pseudonymiser = None
    if pseudonymise or forced:
        names = db.session.scalars(
            sa.select(User.name).where(User.name != "").order_by(User.id)).all()
        pseudonymiser = Pseudonymiser.from_names(names, extra_names or [], stable=stable)
    return ExportScope(collaborations=collaborations, access=access, pseudonymiser=pseudonymiser,
                       code_id=code_id)


def export_fingerprint(collaboration_ids: list[int]) -> tuple:
    """Return aggregates that change whenever anything an export of these collaborations
    holds changes: the log's fingerprint (``ripples.fingerprints.data_fingerprints``) and
    the same kind of grouped counts, sums and latest changes over what else an export
    reads (learning-log entries with their codes and citations, workshops, themes and
    their items, memberships, and people's names). No rows are loaded. Used as the ETag
    of an export (``core.http.conditional``)."""
    ids = sorted(collaboration_ids)
    parts: list[object] = [sorted(data_fingerprints(ids).items())]
    for model in (LogEntry, Workshop, Theme):
        parts.append(db.session.execute(
            sa.select(sa.func.count(model.id), sa.func.sum(model.id), sa.func.sum(model.version),
                      sa.func.max(model.updated_at))
            .where(model.collaboration_id.in_(ids))).one())
    entries = sa.select(LogEntry.id).where(LogEntry.collaboration_id.in_(ids))
    parts.append(db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(log_entry_codes.c.entry_id * 7919
                                               + log_entry_codes.c.code_id))
        .where(log_entry_codes.c.entry_id.in_(entries))).one())
    parts.append(db.session.execute(
        sa.select(sa.func.count(LogCitation.id), sa.func.sum(LogCitation.id))
        .where(LogCitation.entry_id.in_(entries))).one())
    parts.append(db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(theme_items.c.item_id * 7919
                                               + theme_items.c.theme_id))
        .join(Theme, Theme.id == theme_items.c.theme_id)
        .where(Theme.collaboration_id.in_(ids))).one())
    parts.append(db.session.execute(
        sa.select(sa.func.count(Membership.id), sa.func.sum(Membership.id),
                  sa.func.max(Membership.updated_at))
        .where(Membership.collaboration_id.in_(ids))).one())
    parts.append(db.session.execute(
        sa.select(sa.func.count(User.id), sa.func.max(User.updated_at))).one())
    parts.append(db.session.execute(
        sa.select(sa.func.count(Collaboration.id), sa.func.max(Collaboration.updated_at))
        .where(Collaboration.id.in_(ids))).one())
    return tuple(tuple(str(value) for value in part) if isinstance(part, sa.Row) else part
                 for part in parts)
