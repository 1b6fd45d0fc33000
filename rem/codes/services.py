"""Reading and changing codebooks."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import orm
from wtforms.fields.choices import SelectChoice

from rem.audit.services import record
from rem.codes.defaults import DEFAULT_CODEBOOKS
from rem.codes.models import NAME_MAX, Code, Codebook
from rem.core.forms import slugify, too_long
from rem.extensions import db


class CodebookError(ValueError):
    """A codebook change that cannot be made; the message is shown to the user."""


def all_codebooks() -> list[Codebook]:
    """Return every codebook with its codes, in display order."""
    return list(db.session.scalars(
        sa.select(Codebook).order_by(Codebook.position, Codebook.name)
        .options(orm.selectinload(Codebook.codes))
    ))


def code_choices() -> list[SelectChoice]:
    """Return the codes as form choices, grouped by codebook."""
    return [SelectChoice(c.id, c.label, optgroup=b.label) for b in all_codebooks() for c in b.codes]


def codebook_by_slug(slug: str) -> Codebook | None:
    """Return the codebook with this slug, if any."""
    return db.session.scalar(sa.select(Codebook).where(Codebook.slug == slug))


def code_by_qualified_slug(qualified: str) -> Code | None:
    """Return the code named ``codebook:code``, if any."""
    book, _sep, code = qualified.partition(":")
    return db.session.scalar(
        sa.select(Code).join(Codebook).where(Codebook.slug == book, Code.slug == code)
    )


def create_codebook(name: str, description: str = "", created_by_id: int | None = None
                    ) -> Codebook:
    """Add a user's own codebook."""
    name = name.strip()
    slug = slugify(name)
    if not slug:
        raise CodebookError(_("Geef het codeboek een naam met letters of cijfers."))
    if len(name) > NAME_MAX:
        raise CodebookError(too_long(_("De naam"), NAME_MAX))
    if codebook_by_slug(slug) is not None:
        raise CodebookError(_("Er is al een codeboek met deze naam."))
    book = Codebook(slug=slug, name=name, description=description.strip(),
                    created_by_id=created_by_id, builtin=False, position=500)
    db.session.add(book)
    db.session.flush()
    record("create", "codebook", book.id, summary=name)
    return book


def add_code(book: Codebook, name: str, description: str = "") -> Code:
    """Add a code to a codebook."""
    name = name.strip()
    slug = slugify(name)
    if not slug:
        raise CodebookError(_("Geef de code een naam met letters of cijfers."))
    if len(name) > NAME_MAX:
        raise CodebookError(too_long(_("De naam"), NAME_MAX))
    if any(c.slug == slug for c in book.codes):
        raise CodebookError(_("Deze code staat al in het codeboek."))
    code = Code(codebook=book, slug=slug, name=name, description=description.strip(),
                position=len(book.codes) + 1)
    db.session.add(code)
    db.session.flush()
    record("create", "code", code.id, summary=f"{book.name}: {name}")
    return code


def install_default_codebooks() -> int:
    """Add the built-in codebooks and codes that are missing; return the rows added.

    Matches by slug, never changes or deletes what is there (users may have
    renamed a built-in code), flushes but does not commit.
    """
    existing = {book.slug: book for book in db.session.scalars(sa.select(Codebook))}
    added = 0
    for spec in DEFAULT_CODEBOOKS:
        book = existing.get(spec.slug)
        if book is None:
            book = Codebook(
                slug=spec.slug,
                name=spec.name,
                description=spec.description,
                position=spec.position,
                builtin=True,
            )
            db.session.add(book)
            added += 1
            known: set[str] = set()
        else:
            known = set(
                db.session.scalars(sa.select(Code.slug).where(Code.codebook_id == book.id))
            )
        for code_spec in spec.codes:
            if code_spec.slug in known:
                continue
            db.session.add(
                Code(
                    codebook=book,
                    slug=code_spec.slug,
                    name=code_spec.name,
                    description=code_spec.description,
                    position=code_spec.position,
                )
            )
            added += 1
    db.session.flush()
    return added
