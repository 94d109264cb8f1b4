"""What a ledger remembers of its own log, held against the log itself.

A linear hash chain proves only what it still contains: cut its newest events and what is
left verifies. So every append also moves records that say how far the log went - the head
it last folded with its hash (`log_head`), the projections' checkpoints, their row versions
and the seqs their rows hold (a report's `as_of_seq`, an execution's id). A log that no
longer reaches one of them was cut; one whose event at the recorded head has another hash
was cut and refilled.

What this cannot see: someone who cuts the log *and* rewrites every one of these records to
match. Only a digest kept outside the database (`verify --digest`) proves that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from events.sql import Sql
from ledger.store.eventlog import EventLog, Head
from ledger.store.versions import OPEN
from projections.base import Projection


class Finding(NamedTuple):
    """The log is not what the ledger remembers: the first seq it lacks or that differs, and
    the furthest event the ledger knew of (seq, and its hash when recorded) - what the log
    must hold again before the alarm clears."""

    first_bad_seq: int
    problem: str
    seen: tuple[int, str | None]


def cut(head: Head, what: str, seq: int, digest: str | None = None) -> Finding:
    """A record reaching past the log's end."""
    return Finding(
        head.seq + 1,
        f"the log ends at seq {head.seq}, but {what} reached seq {seq}: events after seq "
        f"{head.seq} were deleted",
        (seq, digest),
    )


_UNREAD = (-1, "")


def check_recorded_head(
    db: Sql, log: EventLog, head: Head, recorded: tuple[int, str] | None = _UNREAD
) -> Finding | None:
    """The cheap check every write runs: does the log still hold the head it last recorded
    (`recorded`, read here unless the caller read it), with the same hash?"""
    if recorded is _UNREAD:
        recorded = log.recorded_head(db)
    if recorded is None:
        return None
    seq, digest = recorded
    if seq > head.seq:
        return cut(head, "the head the ledger recorded", seq, digest)
    stored = head.hash if seq == head.seq else log.hash_at(db, seq)
    if seq and stored != digest:
        return Finding(
            seq,
            f"the event at seq {seq} is not the one the ledger recorded there (hash "
            f"{str(digest)[:12]}…): the newest events were replaced",
            (seq, digest),
        )
    return None


def check(
    db: Sql,
    log: EventLog,
    projections: Sequence[Projection],
    *,
    history: bool,
    full: bool,
    head: Head | None = None,
    recorded: tuple[int, str] | None = _UNREAD,
    marks: Mapping[str, tuple[int, int]] | None = None,
) -> Finding | None:
    """Every record of the log's extent against the log, in one read transaction.

    Cheap checks (the recorded head, the checkpoints) run on every open; `full` (verify,
    rebuild) adds every folded projection's seq columns and, where the ledger keeps them
    (`history`), its row versions: scans, but of indexed or small columns. A write passes
    what it already read (`head`, `recorded`, the checkpoints' `marks`).
    """
    head = log.head(db) if head is None else head
    finding = check_recorded_head(db, log, head, recorded)
    if finding is not None:
        return finding
    for what, seq in _records(db, projections, history, full, marks):
        if seq is not None and int(seq) > head.seq:
            return cut(head, what, int(seq))
    return None


def _records(
    db: Sql,
    projections: Sequence[Projection],
    history: bool,
    full: bool,
    marks: Mapping[str, tuple[int, int]] | None = None,
) -> Iterator[tuple[str, int | None]]:
    """(what, the furthest seq it remembers) for each record of the log's extent; `marks`
    the checkpoints (name -> (version, position)), read here unless the caller did."""
    if marks is None:
        rows = db.execute("SELECT name, version, position FROM projection_checkpoints")
        marks = {str(r[0]): (int(r[1]), int(r[2])) for r in rows.fetchall()}
    for name, (_, position) in sorted(marks.items(), key=lambda m: -m[1][1])[:1]:
        yield f"the checkpoint of projection {name}", position
    if not full:
        return
    # only projections folded at their current version have these tables (a ledger made by
    # an older version refolds them on its next open)
    current = {(name, version) for name, (version, _) in marks.items()}
    built = [p for p in projections if (p.name, p.version) in current]
    if history and built:
        found = db.execute("SELECT max(end_seq) FROM history_units").fetchone()
        yield "the row versions' units", found[0]
        found = db.execute("SELECT seq FROM history_clock WHERE id = 1").fetchone()
        yield "the row versions' clock", None if found is None else found[0]
    for projection in built:
        for table in projection.tables:
            for column in table.seq_columns:
                found = db.execute(f"SELECT max({column}) FROM {table.name}").fetchone()
                yield f"{table.name}.{column}", found[0]
            if history:
                found = db.execute(
                    f"SELECT max(seq_from), max(CASE WHEN seq_to < {OPEN} THEN seq_to END)"
                    f" FROM {table.name}__h"
                ).fetchone()
                yield f"the row versions of {table.name}", found[0]
                yield f"the row versions of {table.name}", found[1]
