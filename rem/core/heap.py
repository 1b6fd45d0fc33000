"""Keep the garbage collector's full passes short in long-running app processes.

Python's cyclic garbage collector now and then walks every object that has lived a
while. In an app process those are mostly the objects of loading the app: modules,
routes, SQLAlchemy's mappers, Jinja's environment, the translations; hundreds of
thousands of them, alive until the process ends. A full pass over them took 80–100 ms
in the middle of a request (measured on the ripple analysis of a 10,000-effect hub:
about 110 ms of work took 210 ms with the collections it set off).

:func:`freeze_loaded` moves everything alive at that moment into the collector's
permanent generation, which it no longer walks. ``wsgi.py`` calls it once the app is
made, the same as ``benchmarks`` do, so that the figures are those of a real server.
Objects made later (per request) are collected as always.
"""

from __future__ import annotations

import gc


def freeze_loaded() -> int:
    """Collect what is garbage now, then freeze the rest; return how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
