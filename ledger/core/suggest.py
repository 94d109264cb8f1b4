""" "Did you mean …?" for an id the ledger does not know: the closest known pattern or
decision id (difflib), said after the refusal so a typo costs one glance."""

from __future__ import annotations

import difflib

from commands.base import NotFoundError
from events.sql import Sql

_SOURCES = {
    "pattern_id": "SELECT pattern_id FROM patterns",
    # a ledger may hold 10^6 decisions: only those sharing the first two characters
    "decision_id": "SELECT decision_id FROM decisions WHERE decision_id >= ? AND decision_id < ?"
    " LIMIT 5000",
}


def closest(db: Sql, field: str, typed: str) -> str | None:
    """The known id closest to `typed` in `field` (pattern_id, decision_id), if any is close."""
    sql = _SOURCES.get(field)
    if sql is None or not typed:
        return None
    if field == "decision_id":
        prefix = typed[:2]
        rows = db.execute(sql, (prefix, prefix + "\U0010ffff")).fetchall()
    else:
        rows = db.execute(sql).fetchall()
    found = difflib.get_close_matches(typed, [str(r[0]) for r in rows], n=1, cutoff=0.75)
    return found[0] if found else None


def with_hint(exc: NotFoundError, db: Sql, typed: str) -> NotFoundError:
    """The refusal with "did you mean" added when a known id is close to the one typed."""
    try:
        near = closest(db, exc.field or "", typed)
    except UnicodeEncodeError:  # an id no database can hold is close to nothing
        return exc
    if near is None or near == typed:
        return exc
    hinted = NotFoundError(f"{exc.message}; did you mean {near!r}?", field=exc.field)
    return hinted
