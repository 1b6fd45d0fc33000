"""Make a long-running app process ready: its templates compiled before the first request,
and the garbage collector's full passes short.

A new gunicorn worker (after a deploy, or when one is renewed) compiled each template on
the first request for its page: 45-200 ms once per worker and page. Measured in process
on the benchmark network, a worker's first timeline page took 178 ms, 50 ms with its
templates compiled beforehand, and 14 ms the second time; the first search 108, 44 and
30 ms. :func:`warm_up` compiles every template when the worker starts (about a second
per worker) before it takes a request, and reads the catalogues and makes the Markdown
converters, which took the first page another 20-25 ms. ``wsgi.py`` calls it once the
app is made.

Python's cyclic garbage collector now and then walks every object that has lived a
while. In an app process those are mostly the objects of loading the app: modules,
routes, SQLAlchemy's mappers, Jinja's environment and its compiled templates, the
translations; hundreds of thousands of them, alive until the process ends. A full pass
over them took 80–100 ms in the middle of a request (measured on the ripple analysis of
a 10,000-effect hub: about 110 ms of work took 210 ms with the collections it set off).

:func:`freeze_loaded` moves everything alive at that moment into the collector's
permanent generation, which it no longer walks. ``wsgi.py`` calls it after the warm-up,
the same as ``benchmarks`` do, so that the figures are those of a real server. Objects
made later (per request) are collected as always.
"""

from __future__ import annotations

import gc
from datetime import date

from flask import Flask
from flask_babel import force_locale, format_date, get_translations

from rem.core.markdown import plain_text, render_markdown


def warm_up(app: Flask) -> int:
    """Compile every template of ``app`` into its Jinja environment's cache, and read the
    catalogue of each language and make the Markdown converters (about 30 ms more, which
    the first page paid too); return how many templates. Raises when the cache could not
    hold them all (a new worker would compile some again, and the warm-up would not be
    doing its work)."""
    env = app.jinja_env
    names = env.list_templates()
    for name in names:
        env.get_template(name)
    if env.cache is not None and len(env.cache) < len(names):
        raise RuntimeError(f"Jinja's template cache holds {len(env.cache)} of {len(names)} "
                           "templates: raise cache_size in the app's jinja_options")
    with app.test_request_context("/"):
        for language in app.config.get("REM_LANGUAGES", ["nl"]):
            with force_locale(language):
                get_translations()
                format_date(date(2024, 3, 12), "d MMMM y")
        render_markdown("Een *korte* tekst met [een link](https://example.org).")
        plain_text("Een *korte* tekst.")
    return len(names)


def freeze_loaded() -> int:
    """Collect what is garbage now, then freeze the rest; return how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
