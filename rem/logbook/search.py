"""Search the learning log, activities and effects with the database's own full-text search.

SQLite uses the FTS5 tables ``fts_ripple_items`` and ``fts_log_entries``
(``MATCH`` with prefix terms, ranked by ``bm25`` with the title weighing ten
times more); PostgreSQL uses the stored ``fts_vector`` columns
(``to_tsvector('dutch', ...)``) and their GIN indexes (``@@`` with a prefix
``tsquery``, ranked by ``ts_rank_cd``, the title weighted A). Both are created
by migration 0006; see ``rem.logbook.schema``. The dialect is read from the
session's engine.

Every result passes exactly the rules that decide what a person sees on a
timeline or item page: :func:`rem.access.entries.visible_clause`, which asks
``Access.visible_levels`` for each collaboration. Deleted items and entries
never appear. The author filter only works in collaborations whose people the
person may see (those it reads in full), so it cannot reveal who wrote what
elsewhere.

Words are matched from their start ("financ" finds "financiële"), all words
must occur (AND). SQLite folds accents ("financiele" finds "financiële");
PostgreSQL's Dutch configuration stems words ("vrijwilligers" finds
"vrijwilliger") but keeps accents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import orm
from werkzeug.datastructures import MultiDict

from rem.access import Access
from rem.access.entries import reads_all_ids, visible_clause
from rem.accounts.models import User
from rem.codes.models import Code
from rem.codes.services import code_by_qualified_slug
from rem.collaborations.models import Collaboration
from rem.core.dates import DateError, parse_iso
from rem.core.markdown import plain_text
from rem.extensions import db
from rem.logbook.models import KIND_LABELS, EntryKind, LogEntry, log_entry_codes
from rem.logbook.schema import PG_VECTOR_COLUMN
from rem.ripples.models import Kind, RippleItem, item_codes

MAX_TERMS = 12
MAX_TERM_LENGTH = 60
MAX_TEXT = 300
PER_PAGE = 25
MAX_PAGE = 40
SNIPPET_WIDTH = 220

ITEM_KINDS = (Kind.ACTIVITY.value, Kind.EFFECT.value)
ENTRY_KINDS = tuple(k.value for k in EntryKind)

_WORD_RE = re.compile(r"[^\W_]+")


def kind_label(kind: str) -> str:
    """Return the label of an item or entry kind."""
    if kind == Kind.ACTIVITY:
        return _("Activiteit")
    if kind == Kind.EFFECT:
        return _("Effect")
    return str(KIND_LABELS.get(kind, kind))


@dataclass
class SearchQuery:
    """What a person searches for; empty fields do not narrow the search."""

    text: str = ""
    kinds: list[str] = field(default_factory=list)
    code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    author_id: int | None = None
    collaboration_ids: list[int] | None = None

    @property
    def terms(self) -> list[str]:
        """Return the words to look for, lower-case, at most MAX_TERMS."""
        words = _WORD_RE.findall(self.text.casefold())
        return [w[:MAX_TERM_LENGTH] for w in dict.fromkeys(words)][:MAX_TERMS]

    @property
    def active(self) -> bool:
        """Tell whether there is anything to search for."""
        return bool(self.terms or self.kinds or self.code or self.date_from or self.date_to
                    or self.author_id)


@dataclass
class SearchHit:
    """One found activity, effect or learning-log entry."""

    source: str  # "item" or "entry"
    id: int
    kind: str
    title: str
    collaboration: Collaboration
    when: str
    snippet: Markup
    url: str
    score: float
    codes: list[Code] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """Return the kind in the current language."""
        return kind_label(self.kind)


@dataclass
class SearchResult:
    """One page of hits, with the totals."""

    hits: list[SearchHit]
    total: int
    counts: dict[str, int]
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, min(MAX_PAGE, -(-self.total // self.per_page)))


def parse_args(args: MultiDict) -> tuple[SearchQuery, list[str]]:
    """Read a search from query arguments; ignore bad values and say why in Dutch."""
    query = SearchQuery(text=args.get("q", "")[:MAX_TEXT].strip())
    messages: list[str] = []
    for kind in args.getlist("kind"):
        kind = kind.strip()
        if not kind:
            continue
        if kind in ITEM_KINDS or kind in ENTRY_KINDS:
            if kind not in query.kinds:
                query.kinds.append(kind)
        else:
            messages.append(_("Deze soort bestaat niet; dit filter is genegeerd."))
    code = args.get("code", "").strip()
    if code:
        if len(code) <= 130 and ":" in code and code_by_qualified_slug(code) is not None:
            query.code = code
        else:
            messages.append(_("De code “%(code)s” bestaat niet; dit filter is genegeerd.",
                              code=code[:60]))
    periods = {}
    for name, label in (("from", _("vanaf")), ("to", _("tot en met"))):
        text = args.get(name, "").strip()
        if not text:
            continue
        try:
            periods[name] = parse_iso(text[:20])
        except DateError:
            messages.append(_("De datum bij “%(label)s” is niet te lezen; schrijf bijvoorbeeld "
                              "2024 of 2024-03-12. Dit filter is genegeerd.", label=label))
    if "from" in periods and "to" in periods and periods["from"].start > periods["to"].end:
        periods["from"], periods["to"] = periods["to"], periods["from"]
        messages.append(_("De begindatum lag na de einddatum; ze zijn omgewisseld."))
    if "from" in periods:
        query.date_from = periods["from"].start  # a period counts from its first day ...
    if "to" in periods:
        query.date_to = periods["to"].end  # ... up to and including its last
    author = args.get("author", "").strip()
    if author:
        if author.isdigit() and len(author) < 12:
            query.author_id = int(author)
        else:
            messages.append(_("Deze persoon bestaat niet; dit filter is genegeerd."))
    return query, messages


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _sqlite_match(terms: list[str]) -> str:
    """Return an FTS5 query: every term as a quoted prefix, all required."""
    return " ".join('"' + term.replace('"', '""') + '"*' for term in terms)


def _pg_tsquery(terms: list[str]) -> str:
    """Return a to_tsquery() text: every term as a prefix, all required."""
    return " & ".join(f"{term}:*" for term in terms)


@dataclass
class _Source:
    """What differs between searching items and searching entries."""

    name: str
    model: type
    date_col: object
    author_col: object
    codes_table: sa.Table
    codes_fk: str
    fts_table: str
    kinds: tuple[str, ...]


def _sources() -> list[_Source]:
    return [
        _Source("item", RippleItem, RippleItem.date_start, RippleItem.created_by_id, item_codes,
                "item_id", "fts_ripple_items", ITEM_KINDS),
        _Source("entry", LogEntry, LogEntry.entry_date, LogEntry.author_id, log_entry_codes,
                "entry_id", "fts_log_entries", ENTRY_KINDS),
    ]


def _filtered(source: _Source, query: SearchQuery, access: Access, code_id: int | None,
              full_ids: set[int] | None) -> sa.Select | None:
    """Return ``select(id, score)`` for one source with every filter, or None when excluded."""
    model = source.model
    kinds = [k for k in query.kinds if k in source.kinds]
    if query.kinds and not kinds:
        return None
    terms = query.terms
    if terms and _dialect() == "sqlite":
        fts = sa.table(source.fts_table, sa.column("rowid"))
        rank = sa.func.bm25(sa.literal_column(source.fts_table), 10.0,
                            *([1.0] * (2 if source.name == "item" else 1)))
        # The full-text match runs once, on its own (MATERIALIZED): joined plainly, SQLite
        # starts from the collaboration's index and runs the MATCH again for every row of
        # the collaboration (seconds at 10,000 items instead of milliseconds).
        matched = (sa.select(fts.c.rowid.label("rowid"), (-rank).label("score"))
                   .where(sa.literal_column(source.fts_table).op("MATCH")(_sqlite_match(terms)))
                   .cte(f"{source.name}_matches").prefix_with("MATERIALIZED"))
        stmt = (sa.select(model.id.label("id"), matched.c.score.label("score"))
                .select_from(model).join(matched, matched.c.rowid == model.id))
    elif terms:
        vector = sa.literal_column(f"{model.__tablename__}.{PG_VECTOR_COLUMN}")
        tsquery = sa.func.to_tsquery(sa.literal_column("'dutch'::regconfig"),
                                     sa.literal(_pg_tsquery(terms), sa.Text))
        stmt = (sa.select(model.id.label("id"),
                          sa.func.ts_rank_cd(vector, tsquery).label("score"))
                .where(vector.op("@@")(tsquery)))
    else:
        stmt = sa.select(model.id.label("id"), sa.literal(0.0).label("score"))
    stmt = stmt.where(model.deleted_at.is_(None),
                      visible_clause(access, model.visibility, model.collaboration_id,
                                     query.collaboration_ids))
    if kinds:
        stmt = stmt.where(model.kind.in_(kinds))
    if code_id is not None:
        codes = source.codes_table
        stmt = stmt.where(model.id.in_(sa.select(codes.c[source.codes_fk])
                                       .where(codes.c.code_id == code_id)))
    if query.date_from:
        stmt = stmt.where(source.date_col >= query.date_from)
    if query.date_to:
        stmt = stmt.where(source.date_col <= query.date_to)
    if query.author_id is not None:
        stmt = stmt.where(source.author_col == query.author_id)
        if full_ids is not None:
            stmt = stmt.where(model.collaboration_id.in_(sorted(full_ids)))
    return stmt.add_columns(source.date_col.label("day"))


def search(query: SearchQuery, access: Access, *, page: int = 1,
           per_page: int = PER_PAGE) -> SearchResult:
    """Return one page of what ``access`` may see and ``query`` asks for, best first.

    With words, hits are ranked by relevance; without, newest first.
    """
    page = max(1, min(MAX_PAGE, page))
    if not query.active:
        return SearchResult([], 0, {"item": 0, "entry": 0}, page, per_page)
    code_id = None
    if query.code:
        code = code_by_qualified_slug(query.code)
        if code is None:
            return SearchResult([], 0, {"item": 0, "entry": 0}, page, per_page)
        code_id = code.id
    full_ids = reads_all_ids(access) if query.author_id is not None else None
    ranked = bool(query.terms)
    counts: dict[str, int] = {}
    rows: list[tuple[str, int, float, date]] = []
    limit = page * per_page
    for source in _sources():
        stmt = _filtered(source, query, access, code_id, full_ids)
        if stmt is None:
            counts[source.name] = 0
            continue
        # How many there are, counted in the same statement as the best of them (a window
        # over every match): the match runs once, not once for the count and once more.
        stmt = stmt.add_columns(sa.func.count().over().label("total"))
        ordered = stmt.order_by(sa.desc("score"), sa.desc("day"), sa.desc("id")) if ranked \
            else stmt.order_by(sa.desc("day"), sa.desc("id"))
        counts[source.name] = 0
        for row in db.session.execute(ordered.limit(limit)):
            counts[source.name] = row.total
            rows.append((source.name, row.id, float(row.score or 0), row.day))
    rows.sort(key=lambda r: (r[3], r[1]), reverse=True)  # newest first ...
    if ranked:
        rows.sort(key=lambda r: -r[2])  # ... within the same relevance (the sort is stable)
    chosen = rows[(page - 1) * per_page: page * per_page]
    hits = _hits(chosen, query.terms)
    return SearchResult(hits, sum(counts.values()), counts, page, per_page)


def _hits(rows: list[tuple[str, int, float, date]], terms: list[str]) -> list[SearchHit]:
    """Load the chosen rows and turn them into hits, in order."""
    item_ids = [r[1] for r in rows if r[0] == "item"]
    entry_ids = [r[1] for r in rows if r[0] == "entry"]
    items = {i.id: i for i in db.session.scalars(
        sa.select(RippleItem).where(RippleItem.id.in_(item_ids))
        .options(orm.joinedload(RippleItem.collaboration),
                 orm.selectinload(RippleItem.codes).joinedload(Code.codebook)))} \
        if item_ids else {}
    entries = {e.id: e for e in db.session.scalars(
        sa.select(LogEntry).where(LogEntry.id.in_(entry_ids))
        .options(orm.joinedload(LogEntry.collaboration),
                 orm.selectinload(LogEntry.codes).joinedload(Code.codebook)))} \
        if entry_ids else {}
    hits = []
    for source, row_id, score, _day in rows:
        if source == "item":
            item = items[row_id]
            text = " ".join(t for t in (item.description, item.evidence_text) if t)
            hits.append(SearchHit(
                "item", item.id, item.kind, item.title, item.collaboration, item.when.label(),
                snippet(text, terms),
                url_for("ripples.show", slug=item.collaboration.slug, item_id=item.id),
                score, list(item.codes)))
        else:
            entry = entries[row_id]
            hits.append(SearchHit(
                "entry", entry.id, entry.kind, entry.title, entry.collaboration,
                format_date(entry.entry_date, "d MMMM y"), snippet(entry.body, terms),
                url_for("logbook.show", slug=entry.collaboration.slug, entry_id=entry.id),
                score, list(entry.codes)))
    return hits


def _fold(text: str) -> str:
    """Lower-case ``text`` and drop accents, keeping one character per character."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)[:1] or char
        out.append(base.lower()[:1] or base)
    return "".join(out)


def snippet(text: str | None, terms: list[str], width: int = SNIPPET_WIDTH) -> Markup:
    """Return a short plain-text excerpt around the first term, terms marked with <mark>."""
    plain = plain_text(text)
    if not plain:
        return Markup("")
    folded = _fold(plain)
    folded_terms = [_fold(t) for t in terms if t]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in folded_terms) + r")\w*") \
        if folded_terms else None
    start = 0
    if pattern:
        match = pattern.search(folded)
        if match and match.start() > width // 3:
            start = match.start() - width // 3
            space = plain.rfind(" ", 0, start)
            start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(plain), start + width)
    if end < len(plain):
        space = plain.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    pieces: list[str | Markup] = ["…" if start > 0 else ""]
    cursor = start
    if pattern:
        for match in pattern.finditer(folded, start, end):
            pieces.append(plain[cursor:match.start()])
            pieces.append(Markup("<mark>{}</mark>").format(plain[match.start():match.end()]))
            cursor = match.end()
    pieces.append(plain[cursor:end])
    if end < len(plain):
        pieces.append("…")
    return Markup("").join(escape(p) for p in pieces)


def author_choices(access: Access) -> list[User]:
    """Return the people whose work this person may filter on: authors in collaborations
    it reads in full (where it can see who wrote what anyway)."""
    ids = reads_all_ids(access)
    # Per person: is there one? (an indexed look-up each; the people are few, the items
    # many, and "IN (every item's maker)" read every item).
    entries = sa.select(LogEntry.id).where(LogEntry.author_id == User.id,
                                           LogEntry.deleted_at.is_(None))
    items = sa.select(RippleItem.id).where(RippleItem.created_by_id == User.id,
                                           RippleItem.deleted_at.is_(None))
    if ids is not None:
        if not ids:
            return []
        entries = entries.where(LogEntry.collaboration_id.in_(sorted(ids)))
        items = items.where(RippleItem.collaboration_id.in_(sorted(ids)))
    return list(db.session.scalars(
        sa.select(User).where(sa.or_(entries.exists(), items.exists()))
        .order_by(User.name, User.email)))
