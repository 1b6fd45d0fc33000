"""The entry point for WSGI servers in production: ``gunicorn wsgi:app``.

Settings come from the environment (see docs/deployment.md). Every gunicorn worker
imports this module, makes the app once, compiles its templates and freezes what
loading it made (``rem.core.heap``): a new worker answers its first page of each kind
as fast as its hundredth, and the garbage collector's full passes stay short.
"""

from rem import create_app
from rem.core.heap import freeze_loaded, warm_up

app = create_app()
warm_up(app)
freeze_loaded()
