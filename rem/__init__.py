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

    from rem.config import from_environment

    app.config.from_mapping(from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)

    from rem import web

    web.register_extensions(app)
    web.register_blueprints(app)
    web.register_template_helpers(app)
    web.register_security(app)
    web.register_errors(app)

    from rem import cli

    cli.register(app)
    return app
