"""Translations looked up once per request (templates call ``_()`` hundreds of times)."""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import get_translations


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
