"""A new worker compiles every template before its first request (``wsgi.py`` calls
``rem.core.heap.warm_up``), so no page of it pays for compiling its templates."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from rem.core.heap import warm_up

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _no_source(environment, template):
    raise AssertionError(f"{template} was not compiled by the warm-up")


def test_the_warm_up_compiles_every_template_once(app, monkeypatch):
    names = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))
    app.jinja_env.cache.clear()  # as in a new worker (other tests rendered some pages)
    assert warm_up(app) == len(names) > 100
    # A template that is not in the cache now fails to load (the cache is keyed on the
    # loader itself, so it stays; only reading a source is refused).
    monkeypatch.setattr(app.jinja_env.loader, "get_source", _no_source)
    for name in names:
        assert app.jinja_env.get_template(name).name == name


def test_the_warm_up_says_when_the_cache_is_too_small(app):
    env = app.jinja_env
    cache = env.cache
    env.cache = jinja2.utils.LRUCache(10)
    try:
        with pytest.raises(RuntimeError, match="cache_size"):
            warm_up(app)
    finally:
        env.cache = cache


def test_wsgi_warms_the_app_up():
    text = (TEMPLATES.parent / "wsgi.py").read_text(encoding="utf-8")
    assert "warm_up(app)" in text.split("freeze_loaded()")[-2]
