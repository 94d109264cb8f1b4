"""The service's read side: an as-of point resolved to a seq, read transactions on the live
projections or on them as of that seq, the moment a read measures its windows from, and the
log itself (its head, its events, a stream's history). `LedgerCore` is this plus the write
side (ledger/core/service.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self, cast

from commands.base import Command, NotFoundError
from commands.fields import EARLIEST, normal_id
from events import RecordedEvent
from events.sql import Sql
from events.timeutil import normalize_timestamp
from ledger.core.moments import AsOf, is_seq, seq_of
from ledger.core.projector import Projector
from ledger.core.snapshots import Views, replay
from ledger.errors import InputError
from ledger.store import versions
from ledger.store.base import Backend
from ledger.store.eventlog import EventLog, Head
from ledger.validation import clip

if TYPE_CHECKING:
    from ledger.core.service import LedgerCore
    from ledger.store.as_of import AsOfState


class ReadSide:
    """Reads of one ledger, live or as of a past point (`pinned` on a view)."""

    backend: Backend
    log: EventLog
    projector: Projector
    views: Views[tuple[int, int], AsOfState]
    pinned: int | None
    """Set on an as-of view (`view`): the seq every read of it sees the ledger at."""

    def resolve_as_of(self, as_of: AsOf) -> int:
        """A seq or timestamp to the seq it denotes (the head when None)."""
        if as_of is None and self.pinned is not None:
            return self.pinned
        with self.backend.read() as db:
            head = self.log.head(db).seq
            if as_of is None:
                return head
            if isinstance(as_of, int) or is_seq(str(as_of)):
                seq = as_of if isinstance(as_of, int) else seq_of(str(as_of))
                if seq == -1 and not isinstance(as_of, int):
                    raise InputError(
                        f"as_of: seq {clip(str(as_of).strip())} is beyond the head of the log "
                        f"(seq {head})",
                        {"field": "as_of", "head": head},
                    )
                if seq < 0:
                    raise InputError(f"as_of: seq {seq} is negative", {"field": "as_of"})
            else:
                try:
                    stamp = normalize_timestamp(str(as_of))
                except ValueError as exc:
                    raise InputError(
                        f"as_of: {exc} (or give a seq number)", {"field": "as_of"}
                    ) from None
                seq = self.log.seq_at_time(db, stamp)
        if seq > head:
            raise InputError(
                f"as_of: seq {seq} is beyond the head of the log (seq {head})",
                {"field": "as_of", "head": head},
            )
        return seq

    def view(self, as_of: AsOf) -> Self:
        """This ledger, or a read-only view of it as of a past point: the same database, each
        read seeing the projections' rows as they stood then (ledger/store/versions.py)."""
        if as_of is None:
            return self
        seq = self.resolve_as_of(as_of)
        if self.pinned is None and seq == self.head().seq:
            return self
        view = copy.copy(self)
        view.pinned = seq
        return view

    def _as_of_state(self, db: Sql, seq: int) -> AsOfState:
        """What reads as of `seq` need, inside the caller's read transaction; kept for the
        next reads until any projection's history is refolded."""
        from ledger.store import as_of as past  # reads of the past only: an append never imports it

        projections = self.projector.projections

        def make() -> AsOfState:
            return past.plan(db, self.log, projections, seq)

        return self.views.get((seq, versions.generation(db)), make)

    @contextmanager
    def reading(self, as_of: AsOf = None) -> Iterator[Sql]:
        """A read transaction on the live projections, or on them as of a past point.

        As of the head itself, the live projections are the answer: checked inside the read
        transaction, so no append can slip in between.
        """
        with self.backend.read() as db:
            seq = self.pinned
            if as_of is not None:
                seq = self.resolve_as_of(as_of)  # joins this read transaction
                if seq == self.log.head(db).seq:
                    seq = None
            if seq is None:
                yield db
                return
            state = self._as_of_state(db, seq)
            if state.replay:  # rare: too many rows changed inside one unit
                scratch = replay(cast("LedgerCore", self), seq)
                try:
                    with scratch.backend.read() as fresh:
                        yield fresh
                finally:
                    scratch.close()
                return
            from ledger.store import as_of as past

            kind = self.backend.kind
            yield past.AsOfSql(
                db, state, self.projector.tables, kind, self.backend.column_types,
                self.projector.views(kind),
            )  # fmt: skip

    def point_shown(self, now: Any = None, as_of: AsOf = None) -> datetime:
        """The moment a read at a point measures its windows from ("this month", "the last
        30 days", an alert's days): `now` when given; else, as of a recording time, that
        time; as of a seq, when that seq was recorded; else the clock. Never today's clock
        for a past point: the dashboard as of seq 120 counts the 30 days before seq 120."""
        from events.timeutil import parse_timestamp
        from ledger.core.moments import moment

        if now is not None or (as_of is None and self.pinned is None):
            return moment(now)
        if as_of is not None and not (isinstance(as_of, int) or is_seq(str(as_of))):
            self.resolve_as_of(as_of)  # a bad timestamp is refused here, naming as_of
            # the ledger before 1970 is empty (nothing is recorded before then): measured from
            # 1970, not from days the calendar cannot count back from (0001-01-01)
            return max(parse_timestamp(str(as_of)), EARLIEST)
        recorded = self.head(as_of).recorded_at
        return moment(None) if recorded is None else parse_timestamp(recorded)

    def head(self, as_of: AsOf = None) -> Head:
        """The head of the log (as of a point, if given).

        Reads of the log itself need no replay: it only ever grows, so the log as of seq S is
        its rows up to S. Only projections are replayed for an as-of (`view`).
        """
        upto = None if as_of is None and self.pinned is None else self.resolve_as_of(as_of)
        with self.backend.read() as db:
            return self.log.head(db, upto)

    @contextmanager
    def scan(
        self, after: int = 0, upto: int | None = None
    ) -> Iterator[tuple[Head, Iterator[list[tuple[Any, ...]]]]]:
        """In one read transaction: the head, and the stored rows after `after` (≤ `upto`)
        in chunks, exactly as stored."""
        with self.backend.read() as db:
            yield self.log.head(db), self.log.iter_raw(db, after, upto)

    def alarm(self) -> dict[str, Any] | None:
        """The standing integrity alarm (the first bad seq a verify found), or None."""
        with self.backend.read() as db:
            return self.log.alarm(db)

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys the log already holds."""
        with self.backend.read() as db:
            return set(self.log.existing_keys(db, list(keys)))

    def first_occurred_at(self) -> str | None:
        """When the log's earliest event happened (None for an empty log)."""
        with self.backend.read() as db:
            return self.log.first_occurred_at(db)

    def first_recorded_at(self) -> str | None:
        """When the ledger learned its first fact (None for an empty log)."""
        with self.backend.read() as db:
            return self.log.first_recorded_at(db)

    def reports_produced(self, kind: str) -> set[str]:
        """The periods of a kind of scheduled report the log says were produced."""
        from projections.reports import produced

        with self.reading() as db:
            return produced(db, kind)

    def history(self, stream_id: str, as_of: AsOf = None) -> list[RecordedEvent]:
        """A stream's audit trail, oldest first (retracted events included, as stored)."""
        return [e for page in self.history_pages(stream_id, as_of) for e in page]

    def history_pages(
        self, stream_id: str, as_of: AsOf = None, after: int = 0, page: int = 1000
    ) -> Iterator[list[RecordedEvent]]:
        """A stream's audit trail a page at a time, oldest first, each page read on its own
        (memory stays flat however long the stream; the log up to a seq never changes, so
        the pages fit together)."""
        upto = self.resolve_as_of(as_of)  # a bad as_of is refused before any page

        def pages(after: int) -> Iterator[list[RecordedEvent]]:
            while True:
                events = self.events(after, page, stream_id=stream_id, as_of=upto)
                if events:
                    yield events
                if len(events) < page:
                    return
                after = events[-1].seq

        return pages(after)

    def events(
        self,
        after: int = 0,
        limit: int = 100,
        event_type: str | None = None,
        stream_id: str | None = None,
        as_of: AsOf = None,
        newest: bool = False,
    ) -> list[RecordedEvent]:
        """Events after a seq, oldest first (only those in the log as of a point, if given):
        the first `limit` of them, or with `newest` the last `limit` (the tail of the log)."""
        for name, value, low in (("after", after, 0), ("limit", limit, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**62:
                raise InputError(
                    f"{name}: must be a whole number from {low} to {2**62 - 1:,} (got {value!r})",
                    {"field": name},
                )
        if event_type is not None:
            from events.registry import EVENT_CLASSES

            if event_type not in EVENT_CLASSES:
                raise InputError(
                    f"type: no event type {event_type!r}; the types are "
                    f"{', '.join(sorted(EVENT_CLASSES))}",
                    {"field": "type", "known": sorted(EVENT_CLASSES)},
                )
        upto = None if as_of is None and self.pinned is None else self.resolve_as_of(as_of)
        stream_id = None if stream_id is None else normal_id(stream_id)
        try:
            (stream_id or "").encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                f"stream: {stream_id!r} is not text any stream can have (a lone surrogate: "
                "a byte your terminal's encoding could not decode); give the id as UTF-8",
                {"field": "stream"},
            ) from None
        with self.backend.read() as db:
            return self.log.read_after(
                db, after, limit, upto=upto, event_type=event_type, stream_id=stream_id,
                newest=newest,
            )  # fmt: skip

    def retry_conflicts(self, commands: Iterable[Command]) -> list[tuple[Command, str]]:
        """Commands whose idempotency key already names a different command in the log, each
        with what differs (checked in one read, writing nothing)."""
        keyed = {c.idempotency_key: c for c in commands if c.idempotency_key is not None}
        out: list[tuple[Command, str]] = []
        with self.backend.read() as db:
            for key in sorted(self.log.existing_keys(db, list(keyed))):
                stored = self.log.by_idempotency_key(db, key)
                mismatch = None if stored is None else keyed[key].retry_mismatch(stored)
                if mismatch is not None:
                    out.append((keyed[key], mismatch))
        return out

    def hinted(self, exc: NotFoundError, typed: str) -> NotFoundError:
        """A refusal naming an unknown id, with "did you mean" when a known one is close."""
        from ledger.core.suggest import with_hint

        with self.backend.read() as db:
            return with_hint(exc, db, typed)
