"""The entry point for WSGI servers in production: ``gunicorn wsgi:app``.

Settings come from the environment (see docs/deployment.md). Every gunicorn worker
imports this module, makes the app once and freezes what loading it made
(``rem.core.heap``), so that the garbage collector's full passes stay short.
"""

from rem import create_app
from rem.core.heap import freeze_loaded

app = create_app()
freeze_loaded()
