"""Full-text search objects that live outside the models, and the filter that hides them.

Migration 0006 creates the search structures with dialect-specific DDL:

- SQLite: FTS5 virtual tables ``fts_ripple_items`` and ``fts_log_entries``
  (external content, so the text is stored once), kept in sync by triggers
  ``fts_<table>_ai``/``_ad``/``_au``. SQLite adds shadow tables such as
  ``fts_log_entries_data`` and ``fts_log_entries_idx``.
- PostgreSQL: a stored generated column ``fts_vector`` on ``ripple_items`` and
  ``log_entries`` (``to_tsvector('dutch', ...)``, the title weighted A, the other
  text B) with GIN indexes ``fts_ripple_items_dutch`` and ``fts_log_entries_dutch``.
  The models do not map the column: the ORM never reads or writes it.

They are not in the SQLAlchemy metadata (the models cannot describe them), so
the comparison of models and migrations (``tests/test_migrations.py``, and
``flask db migrate``) must skip them. The rule is by name: **every table and
index, and every column, whose name starts with ``fts_`` belongs to full-text
search** and is made by migrations only. Do not give anything else that prefix.

Caution for later migrations on SQLite: Alembic's batch mode rebuilds a table
by copying it, which drops its triggers. A migration that batch-alters
``ripple_items`` or ``log_entries`` must recreate the triggers (copy them from
0006) and run ``INSERT INTO fts_<table>(fts_<table>) VALUES ('rebuild')``;
``tests/test_search.py`` checks that the triggers exist after all migrations.
"""

from __future__ import annotations

FTS_PREFIX = "fts_"

# The PostgreSQL column that holds each table's tsvector (see migration 0006).
PG_VECTOR_COLUMN = "fts_vector"


def is_search_object(name: str | None) -> bool:
    """Tell whether a table, index or column name belongs to full-text search."""
    return bool(name) and name.startswith(FTS_PREFIX)


def include_name(name, type_, parent_names) -> bool:
    """Alembic ``include_name`` hook: skip full-text search tables, indexes and columns."""
    return not (type_ in ("table", "index", "column") and is_search_object(name))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object`` hook: skip full-text search tables, indexes and columns."""
    return not (type_ in ("table", "index", "column") and is_search_object(name))
