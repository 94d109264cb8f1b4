"""Storage: the backends behind one small protocol — SQLite (embedded default), PostgreSQL —
chosen here by location; beside them the event log (`eventlog`), the projections' row
versions (`versions`), as-of SQL (`as_of`) and the full-text index (`search`)."""

from __future__ import annotations

import os
from pathlib import Path

from ledger.store.base import Backend

DEFAULT_DB = "roi-ledger.db"


def resolve_location(path_or_url: str | os.PathLike[str] | None) -> str:
    """The argument, else `ROI_LEDGER_DB`, else the settings file's `db`, else
    `./roi-ledger.db`."""
    if path_or_url is None:
        from ledger.settings import setting

        path_or_url = setting("db", "ROI_LEDGER_DB") or DEFAULT_DB
    return os.fspath(path_or_url)


def shown(location: str) -> str:
    """A location fit to print: a URL's password (in its user part or a `password=` query
    parameter) replaced by ***."""
    if "://" not in location:
        return location
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(location)
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    query = parts.query
    if "password" in query.lower():
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs])
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def open_backend(path_or_url: str | os.PathLike[str] | None = None) -> Backend:
    """Open the backend a path or URL names (a `postgresql://` URL selects PostgreSQL)."""
    location = resolve_location(path_or_url)
    if location.startswith(("postgresql://", "postgres://")):
        from ledger.store.postgres import PostgresBackend

        return PostgresBackend(location)
    from ledger.store.sqlite import SqliteBackend

    return SqliteBackend(Path(location))
