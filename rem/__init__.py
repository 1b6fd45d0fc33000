"""rem: Ripple Effects Mapping and learning logs for participation collaborations."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: defaults, then the environment, then the test override."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)

    # The factory imports the app's parts when it is called, not at the top: every module
    # of the package runs this file first, so a top-level import here would load the whole
    # app (in a circle through rem.web) whenever any one module is imported.
    from rem import cli, web
    from rem.config import from_environment
    from rem.core.urls import lowercase_host

    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.wsgi_app = lowercase_host(app.wsgi_app)  # inside the proxy fix below
    proxies = int(app.config.get("REM_PROXY_FIX") or 0)
    if proxies > 0:
        # Behind nginx or another reverse proxy: take the client's address, scheme, host
        # and prefix from the X-Forwarded-* headers of that many proxies (and no more).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)

    web.register_extensions(app)
    web.register_blueprints(app)
    web.register_template_helpers(app)
    web.register_security(app)
    web.register_errors(app)
    cli.register(app)
    return app
