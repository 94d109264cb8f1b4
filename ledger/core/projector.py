"""Keeps projections in step with the log: inline on every append, catch-up and rebuild.

Positions live in `projection_checkpoints` and move in the same transaction as the rows
they describe, so a projection is always exactly as of its checkpoint.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from events import RecordedEvent
from events.sql import Sql
from ledger.store import search, versions
from ledger.store.eventlog import EventLog, decode_row
from projections.base import Projection, fold

Progress = Callable[[int], None]
"""Called with how many events were just projected."""

REBUILD_BATCH = 5000


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector over bulk work (a batch, a rebuild chunk).

    Each chunk keeps tens of thousands of small objects alive (commands, events, rows) until
    it commits, none of them in reference cycles, and frees them by reference counting; left
    on, the collector would rescan them all every few thousand allocations.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def units(events: Sequence[RecordedEvent]) -> Iterator[Sequence[RecordedEvent]]:
    """Events in history units of at most `versions.UNIT`."""
    for start in range(0, len(events), versions.UNIT):
        yield events[start : start + versions.UNIT]


class Projector:
    """Runs a fixed set of projections over the log, keeping their history
    (ledger/store/versions.py)
    unless `kind` is None (scratch replays need none)."""

    def __init__(
        self,
        projections: Sequence[Projection],
        log: EventLog,
        types: Mapping[str, str],
        kind: str | None = None,
    ) -> None:
        self.projections = tuple(projections)
        self.by_name = {p.name: p for p in self.projections}
        self.tables = {t.name: t for p in self.projections for t in p.tables}
        self.log = log
        self.types = types
        """The backend's names for the portable column types of projection tables."""
        self.kind = kind
        """The backend's kind, for its history triggers (None: no history)."""

    def views(self, kind: str) -> dict[str, str]:
        """Every view the projections keep over the log (name -> SELECT over `events`)."""
        return {name: body for p in self.projections for name, body in p.views(kind).items()}

    def checkpoints(self, db: Sql) -> dict[str, tuple[int, int]]:
        """name -> (version, position)."""
        rows = db.execute("SELECT name, version, position FROM projection_checkpoints").fetchall()
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def furthest(self, db: Sql) -> int:
        """The furthest position any projection has folded to (0 for none)."""
        row = db.execute("SELECT max(position) FROM projection_checkpoints").fetchone()
        return int(row[0] or 0)

    def behind(
        self, db: Sql, head: int, marks: Mapping[str, tuple[int, int]] | None = None
    ) -> bool:
        """Whether any projection is new, changed version, or short of `head` (`marks`:
        the checkpoints, if the caller read them)."""
        marks = self.checkpoints(db) if marks is None else marks
        for p in self.projections:
            version, position = marks.get(p.name, (-1, 0))
            if version != p.version or position < head:
                return True
        return False

    def reset(self, db: Sql, projections: Sequence[Projection], *, search_now: bool = True) -> None:
        """Drop and recreate these projections at position 0. With `search_now` false their
        full-text indexes wait for `index_search` (a rebuild builds them once, after the
        fold, instead of row by row through triggers)."""
        for p in projections:
            p.drop(db)
            p.create(db, self.types)
            if self.kind is not None:
                for table in p.tables:
                    versions.drop(db, table, self.kind)
                    versions.create(db, table, self.kind, self.types)
                    if self.kind == "sqlite" and search_now:  # PostgreSQL searches rows
                        search.create(db, table.name)  # (ledger/store/search.py)
                    elif self.kind == "sqlite":
                        search.drop(db, table.name)
                versions.forget_units(db, p.name)
            db.execute("DELETE FROM projection_checkpoints WHERE name = ?", (p.name,))
            db.execute(
                "INSERT INTO projection_checkpoints (name, version, position) VALUES (?, ?, 0)",
                (p.name, p.version),
            )

    def index_search(self, db: Sql, projections: Sequence[Projection]) -> None:
        """Build the full-text indexes of these projections' tables from their rows, and
        the triggers that keep them in step from now on (after `reset(search_now=False)`)."""
        if self.kind == "sqlite":
            for p in projections:
                for table in p.tables:
                    search.create(db, table.name)

    def prepare(self, db: Sql) -> list[tuple[Projection, int]]:
        """Reset projections that are new or changed version; return each with its position."""
        marks = self.checkpoints(db)
        stale = [p for p in self.projections if marks.get(p.name, (None, 0))[0] != p.version]
        if stale:
            self.reset(db, stale)
            marks = self.checkpoints(db)
        return [(p, marks[p.name][1]) for p in self.projections]

    def catch_up(
        self,
        db: Sql,
        head: int,
        *,
        limit: int | None = None,
        progress: Progress | None = None,
        check: Callable[[Sequence[Any]], None] | None = None,
    ) -> int:
        """Fold events after each projection's position up to `head` (at most `limit` of them).
        `check` sees each batch's stored rows before they are decoded (a rebuild proves the
        hash chain in the same pass; it raises to stop the fold).

        Returns the position reached; call again (a new transaction) until it equals head.
        """
        positions = self.prepare(db)
        # a projection that folds nothing (a view over the log) is never behind
        start = min((pos for p, pos in positions if p.handles), default=head)
        if start >= head:
            self._advance(db, [p for p, _ in positions], head)
            return head
        end = head if limit is None else min(head, start + limit)
        position = start
        while position < end:
            rows = self.log.raw_after(db, position, min(REBUILD_BATCH, end - position), upto=end)
            if not rows:
                break
            if check is not None:
                check(rows)
            batch = [decode_row(r) for r in rows]
            for unit in units(batch):
                self._fold_unit(db, [(p, [e for e in unit if e.seq > pos]) for p, pos in positions])
            position = batch[-1].seq
            self.log.note_head(db, position, batch[-1].hash)
            if progress is not None:
                progress(len(batch))
        self._advance(db, [p for p, _ in positions], position)
        return position

    def refold_in_units(
        self,
        db: Sql,
        head: int,
        noted: Mapping[str, Sequence[tuple[int, int]]],
        progress: Progress | None = None,
    ) -> None:
        """Fold every projection from the start, each change versioned where another ledger
        versioned it: in that ledger's noted units (projection -> [(first, last seq)], as its
        `history_units` holds them), every other event a unit of its own. Given the same log
        and units, the row versions come out exactly as that ledger's should be."""
        positions = self.prepare(db)
        todo = [p for p, position in positions if position == 0]
        spans = {p.name: sorted(noted.get(p.name, ()), key=lambda u: u[1]) for p in todo}
        at = dict.fromkeys(spans, 0)
        pending: dict[str, list[RecordedEvent]] = {p.name: [] for p in todo}
        for rows in self.log.iter_raw(db, 0, head, REBUILD_BATCH):
            batch = [decode_row(r) for r in rows]
            for event in batch:
                ending = []
                for p in todo:
                    mine, i = spans[p.name], at[p.name]
                    while i < len(mine) and mine[i][1] < event.seq:
                        i += 1
                    at[p.name] = i
                    pending[p.name].append(event)
                    if not (i < len(mine) and mine[i][0] <= event.seq < mine[i][1]):
                        ending.append((p, pending[p.name]))  # the unit ends here
                        pending[p.name] = []
                self._fold_unit(db, ending)
            if progress is not None:
                progress(len(batch))
        self._advance(db, todo, head)
        if head:
            last = self.log.read_event(db, head)
            if last is not None:
                self.log.note_head(db, head, last.hash)

    def apply(self, db: Sql, events: Sequence[RecordedEvent]) -> None:
        """Fold freshly appended events into every projection and move the checkpoints."""
        if not events:
            return
        for unit in units(events):
            self._fold_unit(db, [(p, unit) for p in self.projections])
        self._advance(db, self.projections, events[-1].seq)
        self.log.note_head(db, events[-1].seq, events[-1].hash)

    def _fold_unit(
        self, db: Sql, work: Sequence[tuple[Projection, Sequence[RecordedEvent]]]
    ) -> None:
        """Fold one history unit: every change versioned at the unit's last seq, and a unit
        of several events noted (a seq inside it is not a version boundary)."""
        work = [(p, todo) for p, todo in work if p.handles]  # a view over the log folds nothing
        ends = [todo[-1].seq for _, todo in work if todo]
        if not ends:
            return
        if self.kind is not None:
            versions.set_clock(db, max(ends))
        several = []
        for projection, todo in work:
            if todo:
                fold(db, projection, todo, self.log)
                if len(todo) > 1:
                    several.append((projection.name, todo[0].seq, todo[-1].seq))
        if several and self.kind is not None:
            versions.note_units(db, several)

    def _advance(self, db: Sql, projections: Sequence[Projection], position: int) -> None:
        """Move the checkpoints in one statement (on PostgreSQL each is a round trip)."""
        if not projections:
            return
        names = [p.name for p in projections]
        db.execute(
            "UPDATE projection_checkpoints SET position = ?"
            f" WHERE name IN ({', '.join('?' * len(names))}) AND position < ?",
            (position, *names, position),
        )

    def select(self, names: Sequence[str] | None) -> list[Projection]:
        """Projections by name (all when none are named); unknown names are an input error
        listing the known ones."""
        from ledger.errors import InputError

        if not names:
            return list(self.projections)
        unknown = [n for n in names if n not in self.by_name]
        if unknown:
            raise InputError(
                f"projection: unknown {', '.join(unknown)}; known projections: "
                f"{', '.join(self.by_name)}",
                {"field": "projection", "known": list(self.by_name)},
            )
        return [self.by_name[n] for n in names]
