"""Keeps projections in step with the log: inline on every append, catch-up and rebuild.

Positions live in `projection_checkpoints` and move in the same transaction as the rows
they describe, so a projection is always exactly as of its checkpoint.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from events import RecordedEvent
from events.sql import Sql
from ledger.eventlog import EventLog
from projections.base import Projection

if TYPE_CHECKING:
    from events.ledger_events import EventRetracted

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


class Projector:
    """Runs a fixed set of projections over the log."""

    def __init__(
        self, projections: Sequence[Projection], log: EventLog, types: Mapping[str, str]
    ) -> None:
        self.projections = tuple(projections)
        self.by_name = {p.name: p for p in self.projections}
        self.log = log
        self.types = types
        """The backend's names for the portable column types of projection tables."""

    def checkpoints(self, db: Sql) -> dict[str, tuple[int, int]]:
        """name -> (version, position)."""
        rows = db.execute("SELECT name, version, position FROM projection_checkpoints").fetchall()
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def furthest(self, db: Sql) -> int:
        """The furthest position any projection has folded to (0 for none)."""
        row = db.execute("SELECT max(position) FROM projection_checkpoints").fetchone()
        return int(row[0] or 0)

    def behind(self, db: Sql, head: int) -> bool:
        """Whether any projection is new, changed version, or short of `head`."""
        marks = self.checkpoints(db)
        for p in self.projections:
            version, position = marks.get(p.name, (-1, 0))
            if version != p.version or position < head:
                return True
        return False

    def reset(self, db: Sql, projections: Sequence[Projection]) -> None:
        """Drop and recreate these projections at position 0."""
        for p in projections:
            p.drop(db)
            p.create(db, self.types)
            db.execute("DELETE FROM projection_checkpoints WHERE name = ?", (p.name,))
            db.execute(
                "INSERT INTO projection_checkpoints (name, version, position) VALUES (?, ?, 0)",
                (p.name, p.version),
            )

    def prepare(self, db: Sql) -> list[tuple[Projection, int]]:
        """Reset projections that are new or changed version; return each with its position."""
        marks = self.checkpoints(db)
        stale = [p for p in self.projections if marks.get(p.name, (None, 0))[0] != p.version]
        if stale:
            self.reset(db, stale)
            marks = self.checkpoints(db)
        return [(p, marks[p.name][1]) for p in self.projections]

    def catch_up(
        self, db: Sql, head: int, *, limit: int | None = None, progress: Progress | None = None
    ) -> int:
        """Fold events after each projection's position up to `head` (at most `limit` of them).

        Returns the position reached; call again (a new transaction) until it equals head.
        """
        positions = self.prepare(db)
        start = min((pos for _, pos in positions), default=head)
        if start >= head:
            self._advance(db, [p for p, _ in positions], head)
            return head
        end = head if limit is None else min(head, start + limit)
        position = start
        while position < end:
            batch = self.log.read_after(db, position, min(REBUILD_BATCH, end - position), upto=end)
            if not batch:
                break
            for projection, pos in positions:
                todo = [e for e in batch if e.seq > pos]
                if todo:
                    self._fold(db, projection, todo)
            position = batch[-1].seq
            if progress is not None:
                progress(len(batch))
        self._advance(db, [p for p, _ in positions], position)
        return position

    def apply(self, db: Sql, events: Sequence[RecordedEvent]) -> None:
        """Fold freshly appended events into every projection and move the checkpoints."""
        if not events:
            return
        for projection in self.projections:
            self._fold(db, projection, events)
        self._advance(db, self.projections, events[-1].seq)

    def _advance(self, db: Sql, projections: Sequence[Projection], position: int) -> None:
        for p in projections:
            db.execute(
                "UPDATE projection_checkpoints SET position = ? WHERE name = ? AND position < ?",
                (position, p.name, position),
            )

    def _fold(self, db: Sql, projection: Projection, events: Sequence[RecordedEvent]) -> None:
        handles = projection.handles
        run: list[RecordedEvent] = []
        for recorded in events:
            if recorded.event_type == "EventRetracted":
                if run:
                    projection.apply(db, run, self.log)
                    run = []
                event = cast("EventRetracted", recorded.event)
                target = self.log.read_event(db, event.target_seq)
                if target is not None and target.event_type in handles:
                    projection.retract(db, target, recorded, self.log)
            elif recorded.event_type in handles:
                run.append(recorded)
        if run:
            projection.apply(db, run, self.log)

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
