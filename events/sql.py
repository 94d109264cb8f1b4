"""The database seam every layer shares: the small slice of DB-API both backends offer.

SQLite's `sqlite3` and PostgreSQL through psycopg both satisfy it, with `?` placeholders
everywhere. It lives at the bottom layer so that storage (which opens connections) and
projections (which write through them) depend on it, not on each other.
"""

from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    """The result of one statement."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Sql(Protocol):
    """A connection inside an open transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...


def dialect(db: Sql) -> str:
    """Which SQL a connection speaks: "postgresql" (psycopg, or a view of it that says so
    with a `kind` attribute) or "sqlite" (the `sqlite3` connection itself, which has none).
    Only SQL that the two spell differently (reading JSON) needs to ask."""
    return str(getattr(db, "kind", "sqlite"))
