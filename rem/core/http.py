"""Small helpers every blueprint shares: a safe place to go next, and saving one change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import flash

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
