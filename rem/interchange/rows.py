"""The rows every export format is written from (nodes, links, codes, themes, workshops
of origin, learning-log entries, collaborations), read from the database in batches so that
memory stays flat however large a log is, and the columns of the tabular formats.

``ExportRows`` is part of :class:`rem.interchange.scope.ExportScope`: it reads what the
scope holds (``visible_clause``, ``entry_clause``'s access, ``text`` for pseudonyms,
``author``) and is never used on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import orm

from rem.access import entries as logbook_access
from rem.codes.models import Code, Codebook
from rem.collaborations.models import Collaboration
from rem.core.dates import FuzzyDate, Precision
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.logbook.models import LogCitation, LogEntry, log_entry_codes
from rem.ripples import graph
from rem.ripples.models import Kind, RippleItem, RippleLink, item_codes
from rem.themes.models import Theme, theme_items
from rem.workshops.models import Workshop

BATCH = 500

NODE_COLUMNS = [
    "id", "collaboration", "kind", "title", "description", "date", "date_start", "date_end",
    "date_precision", "order", "visibility", "participant_count", "governance_style",
    "ladder_step", "intended", "valence", "noticed_by", "evidence_kind", "evidence_text",
    "evidence_url", "codes", "session_id", "created_by", "created_by_role", "created_at",
    "updated_at", "themes", "unanswered",
]
LINK_COLUMNS = ["id", "collaboration", "cause_id", "effect_id", "created_at"]
CODE_COLUMNS = ["code", "codebook", "codebook_name", "slug", "name", "description"]
NODE_CODE_COLUMNS = ["node_id", "code"]
# Learning-log entries (rem.logbook): title and body as plain text, the author as a
# role when names are pseudonymised, owner/due/done for actions, cited item ids.
LOG_ENTRY_COLUMNS = ["id", "collaboration", "date", "kind", "title", "body", "author",
                     "author_role", "owner", "due_date", "done_at", "visibility", "codes",
                     "cited_item_ids", "created_at", "updated_at"]
# Themes (rem.themes): one row per live theme of an exported collaboration; nodes name theirs.
THEME_COLUMNS = ["collaboration", "name", "description", "effects"]

_ITEM_COLUMNS = [
    RippleItem.id, RippleItem.collaboration_id, RippleItem.kind, RippleItem.title,
    RippleItem.description, RippleItem.date_start, RippleItem.date_precision,
    RippleItem.visibility, RippleItem.participant_count, RippleItem.governance_style,
    RippleItem.ladder_step, RippleItem.intended, RippleItem.valence, RippleItem.noticed_by,
    RippleItem.evidence_kind, RippleItem.evidence_text, RippleItem.evidence_url,
    RippleItem.created_by_id, RippleItem.created_at, RippleItem.updated_at,
    RippleItem.session_id, RippleItem.unanswered,
]


def iso_datetime(value: datetime | None) -> str:
    """Return an ISO timestamp in UTC (naive values from SQLite are UTC already)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def plain(value) -> str | int | float | bool | None:
    """Turn a cell value into something JSON, CSV and spreadsheets take."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class ExportRows:
    """The row readers of an export scope (see the module's docstring)."""

    # --- graph ----------------------------------------------------------------------

    def orders(self) -> dict[int, int]:
        """Return the ripple order of each visible item (ids only: small)."""
        if self._orders is None:
            activities = db.session.scalars(
                sa.select(RippleItem.id).where(self.visible_clause(),
                                               RippleItem.kind == Kind.ACTIVITY.value)
            ).all()
            edges = [(a, b) for _i, _c, a, b, _t in self.link_rows()]
            self._orders = graph.ripple_orders(activities, edges)
        return self._orders

    # --- rows -----------------------------------------------------------------------

    def link_rows(self) -> Iterator[tuple[int, int, int, int, datetime]]:
        """Yield (id, collaboration_id, cause_id, effect_id, created_at) of live links."""
        cause = orm.aliased(RippleItem)
        effect = orm.aliased(RippleItem)
        stmt = (
            sa.select(RippleLink.id, RippleLink.collaboration_id, RippleLink.cause_id,
                      RippleLink.effect_id, RippleLink.created_at)
            .join(cause, cause.id == RippleLink.cause_id)
            .join(effect, effect.id == RippleLink.effect_id)
            .where(RippleLink.deleted_at.is_(None), self.visible_clause(cause),
                   self.visible_clause(effect))
            .order_by(RippleLink.id)
        )
        for row in db.session.execute(stmt.execution_options(yield_per=BATCH * 4)):
            yield tuple(row)

    def links(self) -> Iterator[dict]:
        """Yield each visible link as a plain row."""
        slugs = self.slugs
        for link_id, collab_id, cause, effect, created in self.link_rows():
            yield {"id": link_id, "collaboration": slugs[collab_id], "cause_id": cause,
                   "effect_id": effect, "created_at": iso_datetime(created)}

    def _codes_of(self, ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {i: [] for i in ids}
        rows = db.session.execute(
            sa.select(item_codes.c.item_id, Codebook.slug, Code.slug)
            .join(Code, Code.id == item_codes.c.code_id)
            .join(Codebook, Codebook.id == Code.codebook_id)
            .where(item_codes.c.item_id.in_(ids))
            .order_by(item_codes.c.item_id, Codebook.position, Codebook.slug, Code.position,
                      Code.slug)
        )
        for item_id, book, code in rows:
            found[item_id].append(f"{book}:{code}")
        return found

    def _themes_of(self, ids: list[int]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {i: [] for i in ids}
        for item_id, name in db.session.execute(
            sa.select(theme_items.c.item_id, Theme.name)
            .join(Theme, Theme.id == theme_items.c.theme_id)
            .where(theme_items.c.item_id.in_(ids), Theme.deleted_at.is_(None))
            .order_by(theme_items.c.item_id, Theme.position, Theme.id)
        ):
            found[item_id].append(self.text(name))
        return found

    def themes(self) -> Iterator[dict]:
        """Yield each live theme of the exported collaborations, with how many of the
        visible effects are in it."""
        slugs = self.slugs
        counts = dict(db.session.execute(
            sa.select(theme_items.c.theme_id, sa.func.count())
            .where(theme_items.c.item_id.in_(self.visible_ids()))
            .group_by(theme_items.c.theme_id)).all())
        for theme in db.session.scalars(
            sa.select(Theme).where(Theme.collaboration_id.in_(self.collaboration_ids),
                                   Theme.deleted_at.is_(None))
            .order_by(Theme.collaboration_id, Theme.position, Theme.id)):
            if not counts.get(theme.id) and self.code_id is not None:
                continue  # an exchange's export: only the themes of what it holds
            yield {"collaboration": slugs[theme.collaboration_id], "name": self.text(theme.name),
                   "description": self.text(theme.description),
                   "effects": counts.get(theme.id, 0)}

    def item_rows(self, *, item_id: int | None = None, kind: str | None = None,
                  limit: int | None = None, offset: int = 0) -> Iterator[sa.Row]:
        """Yield the visible item rows by the start of their period (coarse before fine,
        activities first), in batches (optionally one item, one kind, or one page).

        Not the timeline's order (the middle of the period, causes first): that needs the
        whole log in memory, and a page of the API must not move when a link changes.
        """
        rank = sa.case({p.value: r for p, r in
                        ((Precision.YEAR, 0), (Precision.QUARTER, 1), (Precision.MONTH, 2),
                         (Precision.DAY, 3))}, value=RippleItem.date_precision, else_=3)
        kind_rank = sa.case((RippleItem.kind == Kind.ACTIVITY.value, 0), else_=1)
        stmt = (
            sa.select(*_ITEM_COLUMNS).where(self.visible_clause())
            .order_by(RippleItem.date_start, rank, kind_rank, RippleItem.id)
        )
        if item_id is not None:
            stmt = stmt.where(RippleItem.id == item_id)
        if kind is not None:
            stmt = stmt.where(RippleItem.kind == kind)
        if limit is not None:
            stmt = stmt.limit(limit).offset(offset)
        yield from db.session.execute(stmt.execution_options(yield_per=BATCH))

    def count_items(self, kind: str | None = None) -> int:
        """Return how many visible items there are (of one kind)."""
        stmt = sa.select(sa.func.count()).select_from(RippleItem).where(self.visible_clause())
        if kind is not None:
            stmt = stmt.where(RippleItem.kind == kind)
        return db.session.scalar(stmt) or 0

    def nodes(self, *, raw_titles: bool = False, **selection) -> Iterator[dict]:
        """Yield each visible item as a plain row with every attribute and its codes.

        ``raw_titles`` adds the title as stored under "_raw_title" (for writers that
        need to tell equal titles apart; never written out).
        """
        by_id = {c.id: c for c in self.collaborations}
        orders = self.orders()
        batch: list[sa.Row] = []

        def flush() -> Iterator[dict]:
            codes = self._codes_of([r.id for r in batch])
            themes = self._themes_of([r.id for r in batch])
            for r in batch:
                node = self._node(r, by_id[r.collaboration_id], codes[r.id], orders.get(r.id))
                node["themes"] = themes[r.id]
                if raw_titles:
                    node["_raw_title"] = r.title
                yield node
            batch.clear()

        for row in self.item_rows(**selection):
            batch.append(row)
            if len(batch) >= BATCH:
                yield from flush()
        if batch:
            yield from flush()

    def _node(self, r: sa.Row, collaboration: Collaboration, codes: list[str],
              order: int | None) -> dict:
        when = FuzzyDate.of(r.date_start, Precision(r.date_precision))
        is_effect = r.kind == Kind.EFFECT.value
        return {
            "id": r.id,
            "collaboration": collaboration.slug,
            "kind": r.kind,
            "title": self.text(r.title),
            "description": self.text(r.description),
            "date": when.iso(),
            "date_start": when.start.isoformat(),
            "date_end": when.end.isoformat(),
            "date_precision": r.date_precision,
            "order": order,
            "visibility": r.visibility,
            "participant_count": r.participant_count,
            "governance_style": r.governance_style,
            "ladder_step": r.ladder_step,
            "intended": r.intended if is_effect else None,
            "valence": r.valence,
            # Empty intended/valence: "not known", or (true here) "not asked yet".
            "unanswered": bool(r.unanswered) if is_effect else None,
            "noticed_by": r.noticed_by,
            "evidence_kind": r.evidence_kind,
            "evidence_text": self.text(r.evidence_text),
            "evidence_url": r.evidence_url or "",
            "codes": codes,
            "session_id": r.session_id,
            "created_by": self.author(r.created_by_id, collaboration),
            "created_by_role": self.author_role(r.created_by_id, collaboration),
            "created_at": iso_datetime(r.created_at),
            "updated_at": iso_datetime(r.updated_at),
        }

    def node_codes(self) -> Iterator[dict]:
        """Yield one row per (visible item, code)."""
        stmt = (
            sa.select(item_codes.c.item_id, Codebook.slug, Code.slug)
            .join(Code, Code.id == item_codes.c.code_id)
            .join(Codebook, Codebook.id == Code.codebook_id)
            .join(RippleItem, RippleItem.id == item_codes.c.item_id)
            .where(self.visible_clause())
            .order_by(item_codes.c.item_id, Codebook.slug, Code.slug)
        )
        for item_id, book, code in db.session.execute(stmt.execution_options(yield_per=2000)):
            yield {"node_id": item_id, "code": f"{book}:{code}"}

    def used_codes(self) -> list[Code]:
        """Return the codes given to at least one visible item, with their codebooks."""
        used = (sa.select(item_codes.c.code_id).distinct()
                .join(RippleItem, RippleItem.id == item_codes.c.item_id)
                .where(self.visible_clause()))
        return list(db.session.scalars(
            sa.select(Code).where(Code.id.in_(used)).join(Codebook)
            .order_by(Codebook.position, Codebook.slug, Code.position, Code.slug)
            .options(orm.contains_eager(Code.codebook))
        ))

    def codes(self) -> Iterator[dict]:
        """Yield each used code as a plain row."""
        for code in self.used_codes():
            yield {"code": code.qualified_slug, "codebook": code.codebook.slug,
                   "codebook_name": code.codebook.name, "slug": code.slug, "name": code.name,
                   "description": code.description}

    def duplicate_titles(self) -> set[str]:
        """Return titles that more than one visible item has."""
        return set(db.session.scalars(
            sa.select(RippleItem.title).where(self.visible_clause())
            .group_by(RippleItem.title).having(sa.func.count() > 1)
        ))

    # --- workshops of origin ---------------------------------------------------------

    def workshops(self) -> list[dict]:
        """Return the workshops (evaluation sessions) the visible items came from (id,
        title, date)."""

        used = (sa.select(RippleItem.session_id).distinct()
                .where(self.visible_clause(), RippleItem.session_id.is_not(None)))
        slugs = self.slugs
        return [{"id": s.id, "collaboration": slugs.get(s.collaboration_id, ""),
                 "title": self.text(s.title), "date": s.held_on.isoformat(),
                 "place": self.text(s.place), "focus_question": self.text(s.focus_question)}
                for s in db.session.scalars(
                    sa.select(Workshop).where(Workshop.id.in_(used))
                    .order_by(Workshop.held_on, Workshop.id))]

    # --- learning log ---------------------------------------------------------------

    def entry_clause(self) -> sa.ColumnElement[bool]:
        """Return the SQL condition for live log entries this person sees in the scope
        (the logbook's own rule: the same levels as for items)."""

        if not self.collaboration_ids:
            return sa.false()
        clause = sa.and_(
            LogEntry.deleted_at.is_(None),
            logbook_access.visible_clause(self.access, LogEntry.visibility,
                                          LogEntry.collaboration_id, self.collaboration_ids),
        )
        if self.code_id is not None:

            clause = sa.and_(clause, LogEntry.id.in_(
                sa.select(log_entry_codes.c.entry_id)
                .where(log_entry_codes.c.code_id == self.code_id)))
        return clause

    def log_entries(self) -> Iterator[dict]:
        """Yield each visible learning-log entry as a plain row, in batches."""

        by_id = {c.id: c for c in self.collaborations}
        stmt = (sa.select(LogEntry.id, LogEntry.collaboration_id, LogEntry.kind,
                          LogEntry.entry_date, LogEntry.title, LogEntry.body,
                          LogEntry.author_id, LogEntry.owner_id, LogEntry.due_date,
                          LogEntry.done_at, LogEntry.visibility, LogEntry.created_at,
                          LogEntry.updated_at)
                .where(self.entry_clause())
                .order_by(LogEntry.entry_date, LogEntry.id))
        visible_items = self.visible_ids()
        batch: list[sa.Row] = []

        def flush() -> Iterator[dict]:
            ids = [r.id for r in batch]
            codes: dict[int, list[str]] = {i: [] for i in ids}
            for entry_id, book, code in db.session.execute(
                sa.select(log_entry_codes.c.entry_id, Codebook.slug, Code.slug)
                .join(Code, Code.id == log_entry_codes.c.code_id)
                .join(Codebook, Codebook.id == Code.codebook_id)
                .where(log_entry_codes.c.entry_id.in_(ids))
                .order_by(log_entry_codes.c.entry_id, Codebook.slug, Code.slug)
            ):
                codes[entry_id].append(f"{book}:{code}")
            cited: dict[int, list[int]] = {i: [] for i in ids}
            for entry_id, item_id in db.session.execute(
                sa.select(LogCitation.entry_id, LogCitation.item_id)
                .where(LogCitation.entry_id.in_(ids), LogCitation.item_id.is_not(None),
                       LogCitation.item_id.in_(visible_items))
                .order_by(LogCitation.entry_id, LogCitation.item_id)
            ):
                cited[entry_id].append(item_id)
            for r in batch:
                collaboration = by_id[r.collaboration_id]
                is_action = r.kind == "action"
                yield {
                    "id": r.id,
                    "collaboration": collaboration.slug,
                    "kind": r.kind,
                    "date": r.entry_date.isoformat(),
                    "title": self.text(r.title),
                    "body": self.text(plain_text(r.body)),
                    "author": self.author(r.author_id, collaboration),
                    "author_role": self.author_role(r.author_id, collaboration),
                    "owner": self.author(r.owner_id, collaboration) if is_action else "",
                    "due_date": r.due_date.isoformat() if is_action and r.due_date else "",
                    "done_at": iso_datetime(r.done_at) if is_action else "",
                    "visibility": r.visibility,
                    "codes": codes[r.id],
                    "cited_item_ids": cited[r.id],
                    "created_at": iso_datetime(r.created_at),
                    "updated_at": iso_datetime(r.updated_at),
                }
            batch.clear()

        for row in db.session.execute(stmt.execution_options(yield_per=BATCH)):
            batch.append(row)
            if len(batch) >= BATCH:
                yield from flush()
        if batch:
            yield from flush()

    def collaboration_rows(self) -> list[dict]:
        """Return the collaborations' own attributes."""
        return [{
            "slug": c.slug, "name": c.name, "hub": c.hub.slug, "hub_name": c.hub.name,
            "region": c.region, "scale": c.scale, "stage": c.stage,
            "target_group": self.text(c.target_group), "goal": self.text(c.goal),
            "start_date": c.start_date.isoformat() if c.start_date else None,
            "pseudonymise_for_research": c.pseudonymise_for_research,
        } for c in self.collaborations]
