"""Checks of the whole database that need no domain knowledge (``flask --app rem check``).

SQLite stores text longer than its column allows; PostgreSQL refuses it. A database that
grew on SQLite can therefore hold values that a restore into PostgreSQL would refuse.
"""

from __future__ import annotations

import sqlalchemy as sa

from rem.extensions import db


def overlong_values() -> list[tuple[str, str, int, int, list]]:
    """Return (table, column, length limit, how many rows, first keys) for every text
    column that holds values longer than the column allows."""
    found = []
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.columns:
            limit = getattr(column.type, "length", None)
            if not isinstance(column.type, sa.String) or not limit:
                continue
            where = sa.func.length(column) > limit
            count = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(where))
            if count:
                keys = [row[0] if len(row) == 1 else tuple(row) for row in db.session.execute(
                    sa.select(*key).where(where).order_by(*key).limit(10))]
                found.append((table.name, column.name, limit, count, keys))
    return found
