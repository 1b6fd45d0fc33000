"""Codes an import names: found by qualified slug, name or slug, and the rest made once
per import (or, for a preview, only counted)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from rem.codes.models import NAME_MAX as CODE_NAME_MAX
from rem.codes.models import Code, Codebook
from rem.codes.services import (
    CodebookError,
    add_code,
    code_by_qualified_slug,
    codebook_by_slug,
    create_codebook,
)
from rem.core.forms import slugify
from rem.extensions import db
from rem.interchange.imports.base import ImportPlan

IMPORTED_CODEBOOK = "Geïmporteerd"


@dataclass
class _PendingBook:
    """A codebook a preview would make (nothing is written while vetting)."""

    name: str
    codes: list = field(default_factory=list)


class CodeResolver:
    """Find codes by qualified slug, name or slug; make the rest once per import.

    ``dry``: decide what would be made without making it (the preview); the ids of codes
    still to make are negative stand-ins. ``warn`` receives what is not taken as given.
    """

    def __init__(self, plan: ImportPlan, *, dry: bool = False,
                 warn: Callable[[str], None] | None = None):
        self.plan = plan
        self.dry = dry
        self.warn = warn or plan.warn
        self.cache: dict[str, int | None] = {}
        self.created: list[str] = []
        self._imported: Codebook | _PendingBook | None = None
        self._books: dict[str, Codebook | _PendingBook] = {}
        self._by_name: dict[str, int] | None = None
        self._pending: dict[tuple[int, str], int] = {}  # (book, slug) -> stand-in id

    def _index(self) -> dict[str, int]:
        if self._by_name is None:
            self._by_name = {}
            rows = db.session.execute(
                sa.select(Code.id, Code.name, Code.slug).join(Codebook)
                .order_by(Codebook.position.desc(), Code.position.desc())
            )
            for code_id, name, slug in rows:  # earlier codebooks win: they come last
                self._by_name[name.strip().lower()] = code_id
                self._by_name[slug] = code_id
        return self._by_name

    def _make_book(self, name: str, description: str = "") -> Codebook | _PendingBook:
        if self.dry:
            return _PendingBook(name)
        return create_codebook(name, description)

    def _imported_book(self) -> Codebook | _PendingBook:
        if self._imported is None:
            book = codebook_by_slug(slugify(IMPORTED_CODEBOOK))
            if book is None:
                book = self._make_book(IMPORTED_CODEBOOK, _("Codes die bij het inlezen van "
                                                            "bestanden zijn gemaakt."))
            self._imported = book
        return self._imported

    def _fit(self, name: str) -> str:
        """Cut a code's or codebook's name to what the column holds, saying so."""
        name = " ".join(name.split())
        if len(name) <= CODE_NAME_MAX:
            return name
        self.warn(_("De naam “%(name)s” is te lang voor een code of codeboek en is "
                    "ingekort tot %(n)d tekens.", name=name[:80] + "…", n=CODE_NAME_MAX))
        return name[:CODE_NAME_MAX - 1].rstrip() + "…"

    def _add(self, book: Codebook | _PendingBook, name: str, description: str = "") -> int:
        name = self._fit(name)
        slug = slugify(name)
        existing = next((c for c in book.codes if c.slug == slug), None)
        if existing is not None:
            return existing.id
        pending = self._pending.get((id(book), slug))
        if pending is not None:
            return pending
        label = f"{book.name}: {name}"
        if self.dry:
            self._pending[(id(book), slug)] = -(len(self._pending) + 1)
            self.created.append(label)
            return self._pending[(id(book), slug)]
        code = add_code(book, name, description)
        self.created.append(f"{book.name}: {code.name}")
        if self._by_name is not None:
            self._by_name[name.strip().lower()] = code.id
            self._by_name[code.slug] = code.id
        return code.id

    def resolve(self, reference: str) -> int | None:
        """Return the id of the code ``reference`` names, making it if needed (a negative
        stand-in when dry)."""
        reference = " ".join(reference.split())
        if not reference:
            return None
        if reference in self.cache:
            return self.cache[reference]
        code_id = None
        try:
            if ":" in reference:
                code_id = self._qualified(reference)
            if code_id is None:
                index = self._index()
                code_id = index.get(reference.lower()) or index.get(slugify(reference))
            if code_id is None:
                if not slugify(reference):
                    self.warn(_("De code “%(code)s” heeft geen letters of cijfers en is "
                                "overgeslagen.", code=reference))
                    self.cache[reference] = None
                    return None
                code_id = self._add(self._imported_book(), reference)
        except CodebookError as exc:
            self.warn(_("De code “%(code)s” is overgeslagen: %(error)s", code=reference,
                        error=str(exc)))
            code_id = None
        self.cache[reference] = code_id
        return code_id

    def _qualified(self, reference: str) -> int | None:
        code = code_by_qualified_slug(reference)
        if code is not None:
            return code.id
        book_slug, _sep, code_slug = reference.partition(":")
        info = self.plan.codebooks.get(book_slug)
        if info is None:
            return None
        book = self._books.get(book_slug) or codebook_by_slug(book_slug)
        if book is None:
            name = self._fit(info.name)
            book = codebook_by_slug(slugify(name))
            if book is None:
                book = self._make_book(name, info.description)
                self.created.append(book.name)
        self._books[book_slug] = book
        name, description = info.codes.get(code_slug, (code_slug, ""))
        return self._add(book, name, description)
