"""Small helpers every blueprint shares: a safe place to go next, saving one change, and
answering a repeated download with 304."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Response, flash, request
from flask_babel import get_locale
from flask_login import current_user

from rem.extensions import db


def is_safe_next(target: str | None) -> bool:
    """Accept only relative paths on this site as a place to go after sign-in."""
    if not target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") \
        and not target.startswith("//") and "\\" not in target


class Saving:
    """What :func:`saving` knows of one change: whether it was saved, and its message."""

    def __init__(self) -> None:
        self.ok = False
        self.error: Exception | None = None
        self._message: tuple[str, str] | None = None

    def flash(self, message: str, category: str = "success") -> None:
        """Say ``message`` once the change is committed (never when it is refused)."""
        self._message = (message, category)

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def saving(*refusals: type[Exception], silent: tuple[type[Exception], ...] = ()
           ) -> Iterator[Saving]:
    """Run a service call as the request's one change: commit it and flash its message,
    or, when the service refuses it with one of ``refusals``, roll back and flash why.
    A refusal in ``silent`` is rolled back without a flash: the page shows it itself
    (``saved.error``), as an edit conflict does.

    >>> with saving(RippleError) as saved:
    ...     item = create_item(...)
    ...     saved.flash(_("Opgeslagen."))
    >>> if saved:
    ...     return redirect(...)
    """
    outcome = Saving()
    try:
        yield outcome
    except (*silent, *refusals) as exc:
        db.session.rollback()
        outcome.error = exc
        if not isinstance(exc, silent):
            flash(str(exc), "error")
    else:
        db.session.commit()
        outcome.ok = True
        if outcome._message is not None:
            flash(*outcome._message)


def conditional(parts: Iterable[object], make: Callable[[], Response]) -> Response:
    """Answer a download (a map, an export, a CSV) with an ETag, or with ``304`` when the
    browser already holds this very file.

    ``parts`` are what the file is made of: the data fingerprint of its collaborations
    (``ripples.fingerprints.data_fingerprints``, themes where drawn) and the person's access
    to them. The tag adds the path with its arguments, the language and the signed-in
    person, so one person's tag never matches another's file. ``make()`` is called only
    when the file is needed; an answer other than 200 (a refusal, a map too large) is
    sent as it is, without a tag. The tag is read from the database on every request,
    so it holds with any number of app processes; ``no-cache`` makes the browser ask
    every time, and ``private`` keeps shared caches out (the data is not public).
    """
    person = current_user.get_id() if current_user.is_authenticated else ""
    digest = hashlib.sha256()
    for part in (*parts, request.full_path, str(get_locale()), person):
        digest.update(repr(part).encode("utf-8") + b"\0")
    tag = digest.hexdigest()[:40]
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = make()
        if response.status_code != 200:
            return response
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
