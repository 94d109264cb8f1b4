"""Each imported event replayed through the command that records it: rebuilt from the
event's own fields, validated by the command's model, decided by its handler against the
state folded so far; what the command appends must be exactly the imported event (its
stream, version, times, key and fields), and the imported row is what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from commands.base import Command, DomainError
from events import GENESIS_HASH, RecordedEvent
from events.timeutil import normalize_timestamp, parse_timestamp
from ledger.core.uow import UnitOfWork
from ledger.errors import InputError, IntegrityError
from ledger.validation import clip, describe, field_errors

CLOCK_LEAD = timedelta(minutes=5)
"""How far past this machine's clock an imported event's recorded_at may lie."""


class Refused(DomainError):
    """An imported event is not what its command would record here."""


class ImportUnit(UnitOfWork):
    """A unit of work that appends imported events instead of new ones: each command is run
    as usual, and what it would append must equal the imported event, which is stored in
    its place (chain and all)."""

    incoming: RecordedEvent | None = None
    """The imported event the command now running must reproduce."""
    previous: str = ""
    """The recorded_at of the event before the one being replayed."""

    def replay(self, number: int, event: RecordedEvent) -> None:
        """Run the command that records this imported event; refuse it (InputError naming
        the line and the rule) unless the command appends exactly it."""
        from ledger.core.bus import handler_for

        where = f"line {number} (seq {event.seq}, a {event.event_type})"
        if event.seq != self.seq + 1 or event.prev_hash != self.hash:
            raise IntegrityError(
                f"the file does not continue this ledger: its line {number} does not chain "
                f"onto this ledger's seq {self.seq}; import into an empty ledger or a copy it "
                "came from",
                {"line": number, "seq": event.seq},
            )
        try:
            self._check_recorded_at(event)
            command = command_for(event)
            key = event.idempotency_key
            stored = None if key is None else self.duplicate(key)
            if stored is not None:
                raise Refused(
                    f"idempotency key {clip(key)!r} already names seq {stored.seq}",
                    field="idempotency_key",
                )
            if event.event_type == "ReportGenerated":
                self._check_report(event)
            self.recorded_at = event.recorded_at
            self.incoming = event
            handler_for(command)(self, command)
            if self.incoming is not None:
                raise Refused("its command records nothing at this point of the log")
        except DomainError as exc:
            raise InputError(
                f"{where}: the ledger would not record it here: {exc.message}",
                {"line": number, "seq": event.seq, "field": exc.field},
            ) from None
        except InputError as exc:
            details = {"line": number, "seq": event.seq}
            raise InputError(f"{where}: {exc.message}", details) from None
        self.previous = event.recorded_at

    def _check_report(self, event: RecordedEvent) -> None:
        """A report's record names the head it was computed from: an event of this log,
        before the record itself, with that very hash."""
        seq, digest = event.event.as_of_seq, event.event.as_of_hash  # type: ignore[attr-defined]
        if seq >= event.seq:
            raise Refused(f"its as_of_seq {seq} is not before it", field="as_of_seq")
        self.flush()
        ours = GENESIS_HASH if seq == 0 else self.log.hash_at(self.db, seq)
        if ours != digest:
            raise Refused(
                f"its as_of_hash is not the hash of seq {seq} in this log", field="as_of_hash"
            )

    def _check_recorded_at(self, event: RecordedEvent) -> None:
        """In the stored form, not before the event before it, not ahead of this clock."""
        try:
            normal = normalize_timestamp(event.recorded_at)
        except (ValueError, OverflowError):
            normal = None
        if normal != event.recorded_at:
            raise Refused(
                f"recorded_at {clip(event.recorded_at, 60)!r} is not a timestamp in the stored "
                "form (e.g. 2026-11-07T12:00:00.000000Z)",
                field="recorded_at",
            )
        if event.recorded_at < self.previous:
            raise Refused(
                f"recorded_at {event.recorded_at} is earlier than the event before it "
                f"({self.previous}): the ledger's times only rise",
                field="recorded_at",
            )
        now = parse_timestamp(self.clock())
        if parse_timestamp(event.recorded_at) > now + CLOCK_LEAD:
            raise Refused(
                f"recorded_at {event.recorded_at} lies ahead of this machine's clock "
                f"({now:%Y-%m-%dT%H:%M:%SZ}): no event can have been recorded then",
                field="recorded_at",
            )

    def append(
        self,
        stream_id: str,
        events: Sequence[Any],
        *,
        occurred_at: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> list[RecordedEvent]:
        imported, self.incoming = self.incoming, None
        produced = super().append(
            stream_id,
            events,
            occurred_at=occurred_at,
            idempotency_key=idempotency_key,
            expected_version=expected_version,
        )
        if imported is None or len(produced) != 1:
            raise Refused(f"its command would record {len(produced)} event(s) here, not it")
        problem = difference(produced[0], imported)
        if problem is not None:
            raise Refused(problem)
        self.pending[-1] = imported  # the imported row is what is stored: same chain
        if imported.idempotency_key is not None:
            self.keys[imported.idempotency_key] = imported
        self.hash = imported.hash
        return [imported]

    def flush(self) -> None:
        """Write the pending events; keys already written are found in the log from then
        on (kept here they would hold every keyed event of a large import in memory)."""
        super().flush()
        if self.known_keys is not None:
            self.known_keys.update(self.keys)  # in the log now: looked up there
        self.keys.clear()


def command_for(event: RecordedEvent) -> Command:
    """The command that records this event, rebuilt from its fields (its time where the
    command takes one, its key, the stream version it must follow)."""
    from ledger.core.bus import producers

    cls = producers().get(event.event_type)
    if cls is None:
        raise Refused(f"no command records a {event.event_type}")
    fields = {
        name: value
        for name, value in event.event.model_dump().items()
        if name in cls.model_fields and name != "type"
    }
    if cls.occurred_field is not None:
        fields[cls.occurred_field] = event.occurred_at
    fields["idempotency_key"] = event.idempotency_key
    fields["expected_version"] = event.stream_version - 1
    try:
        return cls.model_validate(fields)
    except ValidationError as exc:
        raise InputError(describe(field_errors(exc)), {"field": "payload"}) from None


ENVELOPE = ("stream_id", "stream_version", "event_type", "occurred_at", "idempotency_key")


def difference(produced: RecordedEvent, imported: RecordedEvent) -> str | None:
    """How an imported event differs from what its command appends here (None: the same).
    Fields compare by value, so an event of an older schema version (upcast on decode)
    or a payload stored before payloads were canonical still matches."""
    for name in ENVELOPE:
        ours, theirs = getattr(produced, name), getattr(imported, name)
        if ours != theirs:
            return f"its {name} is {_shown(theirs)}, where the ledger would record {_shown(ours)}"
    if produced.event != imported.event:
        mine, yours = produced.event.model_dump(), imported.event.model_dump()
        for name in mine:
            if mine[name] != yours.get(name):
                return (
                    f"its {name} is {_shown(yours.get(name))}, where the ledger would record "
                    f"{_shown(mine[name])}"
                )
        return "its fields are not what the ledger would record"
    return None


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return str(clip(ascii(text)[1:-1] if not text.isprintable() else text, 80))
