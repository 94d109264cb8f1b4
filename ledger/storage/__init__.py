"""Storage backends behind one small protocol: SQLite (embedded default), PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.storage.base import Backend

DEFAULT_DB = "roi-ledger.db"


def resolve_location(path_or_url: str | os.PathLike[str] | None) -> str:
    """The argument, else `ROI_LEDGER_DB`, else `./roi-ledger.db`."""
    if path_or_url is None:
        path_or_url = os.environ.get("ROI_LEDGER_DB") or DEFAULT_DB
    return os.fspath(path_or_url)


def open_backend(path_or_url: str | os.PathLike[str] | None = None) -> Backend:
    """Open the backend a path or URL names (a `postgresql://` URL selects PostgreSQL)."""
    location = resolve_location(path_or_url)
    if location.startswith(("postgresql://", "postgres://")):
        from ledger.storage.postgres import PostgresBackend

        return PostgresBackend(location)
    from ledger.storage.sqlite import SqliteBackend

    return SqliteBackend(Path(location))
