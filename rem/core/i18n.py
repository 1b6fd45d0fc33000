"""Translations looked up once per request (templates call ``_()`` hundreds of times)."""

from __future__ import annotations

import functools

import flask
from babel import support
from flask import g, has_app_context
from flask_babel import get_locale, get_translations
from wtforms.i18n import messages_path


def request_translations():
    """Return the translations of the current locale, looked up once per request.

    Flask-Babel looks the locale and the catalogue up again on every ``_()`` in a
    template (several context lookups each); a map page calls it ~700 times. The
    answer is kept on Flask-Babel's own request namespace, tied to the locale and
    domain objects it was made for, so ``force_locale`` and ``refresh`` still work.
    """
    ctx = g.get("_flask_babel") if has_app_context() else None
    if ctx is not None:
        cached = getattr(ctx, "rem_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if cached is not None and locale is not None and cached[0] is locale \
                and cached[1] is getattr(ctx, "babel_domain", None):
            return cached[2]
    translations = get_translations()
    ctx = g.get("_flask_babel") if has_app_context() else None
    if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
        ctx.rem_translations = (ctx.babel_locale, getattr(ctx, "babel_domain", None),
                                translations)
    return translations


@functools.lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Request(flask.Request):
    """Flask's request, whose WTForms messages (``Not a valid choice``...) come from a
    catalogue read once per language and process.

    Flask-WTF reads WTForms' own ``.mo`` file from disk again on every request that
    validates a form (a story, a sign-in), unless the request already has a
    ``wtforms_translations``; here it has one, in the request's locale at that moment
    (``force_locale`` included)."""

    @property
    def wtforms_translations(self) -> support.Translations:
        """WTForms' catalogue in the current locale."""
        return _wtforms_catalogue(str(get_locale() or "nl"))
