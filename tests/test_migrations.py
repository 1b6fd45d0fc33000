"""The migrations build exactly the schema that the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rem.extensions import db
from rem.logbook.schema import include_name, include_object


@pytest.mark.commits  # compares the schema through a connection of its own
def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            # full-text search objects (fts_*) exist only in migrations: rem/logbook/schema.py
            "include_name": include_name,
            "include_object": include_object,
        })
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"run `flask --app rem db migrate`: models and migrations differ: {diff}"
