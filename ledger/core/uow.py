"""One write transaction: chain new events onto the head, buffer them, project them, commit.

The unit of work holds the command-side state it has loaded (and evolves it with every event
it appends), so a batch of thousands of commands reads each pattern once and writes with a
few `executemany` calls. Nothing reaches the database until `flush`, which the service calls
before commit; a refused command therefore leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from commands.base import ConflictError
from commands.patterns import STATE_EVENTS as PATTERN_STATE_EVENT_TYPES
from commands.patterns import PatternState
from commands.patterns import evolve as evolve_pattern
from events import Event, RecordedEvent, chain_hash
from events.sql import Sql
from events.timeutil import format_timestamp, parse_timestamp, utc_now
from ledger.core.projector import Projector
from ledger.store.eventlog import EventLog, Head
from projections.patterns import load_state as load_pattern_state
from projections.patterns import load_state_and_version

RecordingClock = Callable[[], str]
"""What says when the ledger learns something: the `recorded_at` text of the next events."""

PATTERN_STATE_EVENTS = frozenset(c.__name__ for c in PATTERN_STATE_EVENT_TYPES)
"""The pattern events that change what commands decide on (executions do not)."""


def system_clock() -> str:
    """The ledger's clock: now, UTC, in the stored format."""
    return format_timestamp(utc_now())


CLOCK_DRAG = timedelta(hours=1)
"""How far the log's newest recorded_at may lie ahead of this machine's clock for an append
to carry it on (clocks of several writers disagree a little); further is refused."""


def lead_limit(latest: str, now: str, seq: int) -> None:
    """Refuse to append when the log's newest event is recorded too far ahead of now."""
    from ledger.errors import IntegrityError

    try:
        lead = parse_timestamp(latest) - parse_timestamp(now)
    except ValueError:
        lead = CLOCK_DRAG * 2  # a stored time that is not a time at all
    if lead > CLOCK_DRAG:
        raise IntegrityError(
            f"refused: the log's newest event (seq {seq}) was recorded at {latest[:40]}, more "
            f"than {CLOCK_DRAG.seconds // 3600} hour ahead of this machine's clock ({now}); "
            "recording now would stamp that time on this event too. Set this clock right; if "
            f"the log's time is wrong, copy the log before it (`roi-ledger export --as-of "
            f"{seq - 1}`) into a new ledger with `roi-ledger import`",
            {"seq": seq, "recorded_at": latest[:40], "clock": now},
        )


class UnitOfWork:
    """Appends inside one open write transaction."""

    def __init__(
        self,
        db: Sql,
        log: EventLog,
        projector: Projector,
        clock: RecordingClock,
        head: Head | None = None,
    ) -> None:
        self.db = db
        self.log = log
        self.projector = projector
        head = log.head(db) if head is None else head
        self.seq, self.hash = head.seq, head.hash
        self.clock = clock
        # One ledger time per transaction: its events become visible together. Never before
        # the head's, so recorded_at rises with seq and "as of a time" is a prefix of the log;
        # but a head far ahead of this clock (a wrong clock, or a time that should never
        # have been stored) is refused rather than copied onto every later event.
        now = clock()
        latest = head.recorded_at or ""
        if latest > now:
            lead_limit(latest, now, head.seq)
        self.recorded_at = max(now, latest)
        self.pending: list[RecordedEvent] = []
        self.pending_streams: set[str] = set()
        self.versions: dict[str, int] = {}
        self.pattern_states: dict[str, PatternState] = {}
        self.states: dict[str, Any] = {}
        self.keys: dict[str, RecordedEvent] = {}
        self.known_keys: set[str] | None = None
        self.alarm: dict[str, Any] | None = None
        """The ledger's standing integrity alarm, if its log was found broken."""
        self.notes: list[str] = []
        """What a command recorded but should be told (an execution dated before its
        pattern's approval): the result's `warning`."""

    # -- reading state -------------------------------------------------------------------
    def pattern(self, pattern_id: str) -> PatternState:
        """A pattern's current state, including this transaction's own appends."""
        state = self.pattern_states.get(pattern_id)
        if state is None:
            stream = f"pattern:{pattern_id}"
            if stream in self.pending_streams:
                self.flush()
            if stream in self.versions:
                state = load_pattern_state(self.db, pattern_id)
            else:
                state, self.versions[stream] = load_state_and_version(self.db, pattern_id)
            self.pattern_states[pattern_id] = state
        return state

    def state(self, stream_id: str, load: Callable[[Sql], Any]) -> Any:
        """Any other stream's cached command state, loaded from projections on first use."""
        if stream_id not in self.states:
            if stream_id in self.pending_streams:
                self.flush()
            self.states[stream_id] = load(self.db)
        return self.states[stream_id]

    def set_state(self, stream_id: str, value: Any) -> None:
        """Replace a cached state (handlers evolve their own kinds of state)."""
        self.states[stream_id] = value

    def stream_version(self, stream_id: str) -> int:
        """The stream's version including pending appends."""
        version = self.versions.get(stream_id)
        if version is None:
            version = self.log.stream_version(self.db, stream_id)
            self.versions[stream_id] = version
        return version

    def prefetch_keys(self, keys: Sequence[str]) -> None:
        """Learn in one query which of a batch's idempotency keys the log already holds."""
        self.known_keys = self.log.existing_keys(self.db, keys)

    def read_event(self, seq: int) -> RecordedEvent | None:
        """One stored event, read in this transaction."""
        return self.log.read_event(self.db, seq)

    def retracted_by(self, target: RecordedEvent) -> int | None:
        """The seq of the retraction of `target`, if it has one."""
        return self.log.retracted_by(self.db, target)

    def duplicate(self, key: str) -> RecordedEvent | None:
        """The event already stored (or pending) for this idempotency key."""
        hit = self.keys.get(key)
        if hit is not None:
            return hit
        if self.known_keys is not None and key not in self.known_keys:
            return None
        return self.log.by_idempotency_key(self.db, key)

    # -- appending -----------------------------------------------------------------------
    def append(
        self,
        stream_id: str,
        events: Sequence[Event],
        *,
        occurred_at: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> list[RecordedEvent]:
        """Chain events onto the head (pending until flush); the key goes on the first."""
        version = self.stream_version(stream_id)
        if expected_version is not None and expected_version != version:
            raise ConflictError(
                f"stream {stream_id} is at version {version}, not the expected "
                f"{expected_version}; re-read it and retry",
                field="expected_version",
            )
        recorded_at = self.recorded_at
        occurred = occurred_at or recorded_at
        out = []
        for index, event in enumerate(events):
            self.seq += 1
            version += 1
            payload = event.payload_json()
            key = idempotency_key if index == 0 else None
            event_type = event.type  # type: ignore[attr-defined]
            row = (
                self.seq,
                stream_id,
                version,
                event_type,
                event.schema_version,
                occurred,
                recorded_at,
                payload,
                key,
            )  # the stored columns the hash covers, in the chain's order
            digest = chain_hash(self.hash, *row)
            recorded = RecordedEvent(*row, self.hash, digest, event)
            self.hash = digest
            out.append(recorded)
            if key is not None:
                self.keys[key] = recorded
            if event_type in PATTERN_STATE_EVENTS:
                pattern_id = stream_id[8:]
                if pattern_id in self.pattern_states:
                    self.pattern_states[pattern_id] = evolve_pattern(
                        self.pattern_states[pattern_id], event
                    )
        self.versions[stream_id] = version
        self.pending.extend(out)
        self.pending_streams.add(stream_id)
        return out

    def flush(self) -> None:
        """Write pending events and fold them into every projection (same transaction)."""
        if not self.pending:
            return
        self.log.insert(self.db, self.pending)
        self.projector.apply(self.db, self.pending)
        self.pending = []
        self.pending_streams.clear()

    def forget_state(self) -> None:
        """Drop cached command state (after a retraction changed what projections hold)."""
        self.flush()
        self.pattern_states.clear()
        self.states.clear()
