"""Names and explanations of codes and codebooks in the reader's language.

The built-in codebooks are database rows in Dutch (migration 0002). Their texts are in
the catalogue (marked ``N_`` in ``defaults.py``), so they are translated here at display
time, keyed on the stable slugs, and only while the stored text still equals the built-in
Dutch: an administrator's own wording is shown as written. Exports and the API read the
columns directly and keep the stored Dutch.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from flask import has_app_context

from rem.codes.defaults import DEFAULT_CODEBOOKS
from rem.core.i18n import request_translations

if TYPE_CHECKING:
    from rem.codes.models import Code, Codebook


@cache
def _builtin_texts() -> dict[tuple[str, str | None], tuple[str, str]]:
    """(codebook slug, code slug or None) -> (Dutch name, Dutch description)."""
    texts: dict[tuple[str, str | None], tuple[str, str]] = {}
    for book in DEFAULT_CODEBOOKS:
        texts[(book.slug, None)] = (book.name, book.description)
        for code in book.codes:
            texts[(book.slug, code.slug)] = (code.name, code.description)
    return texts


def _translate(stored: str, builtin: str | None) -> str:
    if not stored or stored != builtin or not has_app_context():
        return stored
    return request_translations().ugettext(stored)


def _builtin(book: Codebook | None, code_slug: str | None) -> tuple[str, str] | None:
    if book is None or not book.builtin:
        return None
    return _builtin_texts().get((book.slug, code_slug))


def codebook_name(book: Codebook) -> str:
    """The codebook's name; a built-in one in the reader's language."""
    builtin = _builtin(book, None)
    return _translate(book.name, builtin[0] if builtin else None)


def codebook_description(book: Codebook) -> str:
    """The codebook's explanation; a built-in one in the reader's language."""
    builtin = _builtin(book, None)
    return _translate(book.description, builtin[1] if builtin else None)


def code_name(code: Code) -> str:
    """The code's name; a built-in one in the reader's language."""
    builtin = _builtin(code.codebook, code.slug)
    return _translate(code.name, builtin[0] if builtin else None)


def code_description(code: Code) -> str:
    """The code's one-line explanation; a built-in one in the reader's language."""
    builtin = _builtin(code.codebook, code.slug)
    return _translate(code.description, builtin[1] if builtin else None)


def text_by_slugs(book_slug: str, code_slug: str | None, stored: str) -> str:
    """A codebook's (``code_slug`` None) or code's name given as plain values, e.g. from a
    grouped query: translated while it is still the built-in Dutch of those slugs (slugs
    are unique, so an own codebook never borrows a built-in one's words)."""
    builtin = _builtin_texts().get((book_slug, code_slug))
    return _translate(stored, builtin[0] if builtin else None)
