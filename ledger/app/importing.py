"""Importing exported events: read once, checked whole, appended in one transaction.

An imported event must be one the ledger itself would have recorded at that point of its
log. So each is replayed through the command that records it - rebuilt from the event's own
fields, validated by the command's model (every documented limit), decided by its handler
against the state folded so far (an outcome needs its decision, an execution an approved
pattern, a retraction an earlier event not yet retracted, stream versions count 1, 2, 3 …)
- and what the command appends must be exactly the imported event: its stream, version,
times, key and fields. The imported row is what is stored, so an import into an empty
ledger reproduces the digest. Any refusal rolls the whole import back: nothing is written.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from commands.base import Command, DomainError
from events import GENESIS_HASH, RecordedEvent, canonical_json
from events.timeutil import normalize_timestamp, parse_timestamp
from ledger.audit.chain import EXPORT_COLUMNS, check_rows
from ledger.core.inputs import MAX_IMPORT, MAX_LINE, bounded_lines
from ledger.core.uow import UnitOfWork
from ledger.errors import InputError, IntegrityError, UnreadableEvent
from ledger.store.eventlog import Head, decode_row
from ledger.validation import clip, describe, field_errors

if TYPE_CHECKING:
    from ledger.core.service import LedgerCore

Progress = Callable[[int], None]

CLOCK_LEAD = timedelta(minutes=5)
"""How far past this machine's clock an imported event's recorded_at may lie."""

FLUSH = 1000
"""Imported events folded into the projections at a time (inside the one transaction)."""


def import_events(
    ledger: LedgerCore,
    path: str,
    progress: Progress | None = None,
    *,
    max_size: int = MAX_IMPORT,
) -> dict[str, Any]:
    """Append exported events that continue this log's chain exactly, each one meeting the
    rules of the command that records it.

    The input is read once, into a private spool (a pipe or FIFO can be read only once, and
    a file might change between two reads), never more than `max_size` bytes nor a line
    longer than any event: what is checked is exactly what is appended. Its chain and its
    place in this ledger are checked first; then every new event is replayed, all in one
    transaction.
    """
    from ledger.core.inputs import open_input

    with tempfile.TemporaryFile() as spool:
        with open_input(Path(path), "file") as handle:
            _spool(handle, spool, max_size)
        return _import_spooled(ledger, spool, progress)


def _spool(handle: IO[bytes], spool: IO[bytes], max_size: int) -> None:
    """Copy the input, line by line, refusing an over-long line or too large a whole."""
    size = 0
    for line in bounded_lines(handle, "file", MAX_LINE):
        size += len(line)
        if size > max_size:
            raise InputError(
                f"file: larger than {max_size:,} bytes; pass --max-size to import a larger "
                "export, or import it in parts (`export --after SEQ`)",
                {"field": "file", "limit": max_size},
            )
        try:
            spool.write(line)
        except OSError as exc:
            raise InputError(
                f"file: cannot copy it aside to read it once ({exc.strerror}): is the temporary "
                "folder (TMPDIR) full?",
                {"field": "file"},
            ) from None
    spool.seek(0)


def _spooled_rows(spool: IO[bytes]) -> Iterator[tuple[int, tuple[Any, ...], RecordedEvent]]:
    spool.seek(0)
    for number, raw in enumerate(spool, 1):
        text = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
        try:
            line = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"line {number}: not UTF-8 text", {"line": number}) from None
        if line.strip():
            yield number, *_row_from_line(number, line)


def _import_spooled(
    ledger: LedgerCore, spool: IO[bytes], progress: Progress | None
) -> dict[str, Any]:
    """One pass, one transaction: each line's place in the chain, then (past this ledger's
    head) its replay; any refusal rolls everything back."""
    imported = present = 0
    with ledger.unit_of_work(ImportUnit) as uow:
        assert isinstance(uow, ImportUnit)
        chain = FileChain(uow)
        for chunk in _chunks(_spooled_rows(spool), FLUSH):
            fresh = []
            for number, row, event in chunk:
                chain.feed(number, row)
                if row[0] <= chain.head.seq:
                    present += 1
                else:
                    fresh.append((number, event))
            # which of this chunk's keys the log holds already: one query, not one per event
            uow.prefetch_keys([e.idempotency_key for _, e in fresh if e.idempotency_key])
            for number, event in fresh:
                uow.replay(number, event)
            uow.flush()
            imported += len(fresh)
            if progress:
                progress(len(chunk))  # every line read, present or new
        chain.finish()
    final = ledger.head()
    return {"imported": imported, "already_present": present, "seq": final.seq, "hash": final.hash}


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


# -- reading exported lines ------------------------------------------------------------------


def _payload_text(env: dict[str, Any]) -> str:
    """The stored text of an exported payload: `payload_text` when the export carried it
    (it must say the same as `payload`), else the canonical form of `payload`."""
    text = env.get("payload_text")
    if text is None:
        return canonical_json(env["payload"])
    if not isinstance(text, str) or json.loads(text) != env["payload"]:
        raise ValueError("payload_text does not match payload")
    return text


_ROW_TYPES = (int, str, int, str, int, str, str, None, (str, type(None)), str, str)
"""What each column of an exported event must be in its JSON (None: the payload, checked on
its own); nothing is coerced, so a float seq or a list for a key is refused, not guessed."""


def _row_from_line(line_no: int, text: str) -> tuple[tuple[Any, ...], RecordedEvent]:
    try:
        env = json.loads(text)
        if not isinstance(env, dict):
            raise ValueError("the line is not a JSON object")
        row = tuple(
            _payload_text(env) if kind is None else _typed(env, name, kind)
            for name, kind in zip(EXPORT_COLUMNS, _ROW_TYPES, strict=True)
        )
        event = decode_row(row)
    except RecursionError:
        raise InputError(
            f"line {line_no}: nested too deeply to be an event", {"line": line_no}
        ) from None
    except UnreadableEvent as exc:
        reason = str(exc.details["reason"])
        raise InputError(
            f"line {line_no}: not an exported event ({reason})", {"line": line_no}
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"line {line_no}: not an exported event ({clip(str(exc), 200)})", {"line": line_no}
        ) from None
    return row, event


def _typed(env: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    """An envelope field of exactly this JSON type (true is not a number here)."""
    if name not in env and name != "idempotency_key":
        raise KeyError(f"{name} is missing")
    value = env.get(name)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{name} must be {getattr(kind, '__name__', 'text or null')}")
    if isinstance(value, int) and not 0 <= value < 2**63:
        raise ValueError(f"{name} is out of range")
    return value


class FileChain:
    """The file's own chain, fed line by line, and that it continues this ledger (read in
    the import's own transaction, so no other writer can move the head meanwhile).

    Each hash covers everything before it, so the file continues this ledger exactly when
    its first event chains onto an event (or the genesis) this ledger holds, and where the
    two overlap, their hashes agree at the last seq they share.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.head = Head(uow.seq, uow.hash, None)
        self.start: int | None = None
        self.prev_seq, self.prev_hash = 0, GENESIS_HASH
        self.hash_at_head: str | None = None

    def ours(self, seq: int) -> str | None:
        """This ledger's hash at a seq (the genesis at 0)."""
        return GENESIS_HASH if seq == 0 else self.uow.log.hash_at(self.uow.db, seq)

    def feed(self, number: int, row: tuple[Any, ...]) -> None:
        if self.start is None:
            self.start = row[0] - 1
            self.prev_seq, self.prev_hash = self.start, row[9]
            self._continues_here(self.start, row[9])
        ((_, _, problem),) = check_rows([row], self.prev_seq, self.prev_hash)
        if problem is not None:
            raise IntegrityError(f"line {number}: {problem}", {"line": number, "seq": row[0]})
        self.prev_seq, self.prev_hash = row[0], row[10]
        if row[0] == self.head.seq:
            self.hash_at_head = row[10]

    def finish(self) -> None:
        """After the last line: where the file ends inside this ledger, they agree there."""
        head, start = self.head, self.start
        if start is None:
            return  # an empty file: nothing to import
        if self.prev_seq >= head.seq > start and self.hash_at_head != head.hash:
            raise IntegrityError(
                f"the file does not continue this ledger: it differs from it at or before seq "
                f"{head.seq}; import into an empty ledger or a copy it came from",
                {"seq": head.seq},
            )
        if self.prev_seq < head.seq and self.ours(self.prev_seq) != self.prev_hash:
            raise IntegrityError(
                f"the file does not continue this ledger: it differs from it at or before "
                f"seq {self.prev_seq}",
                {"seq": self.prev_seq},
            )

    def _continues_here(self, start: int, start_hash: str) -> None:
        """The file's first event must chain onto seq `start` as this ledger holds it."""
        if start > self.head.seq:
            raise IntegrityError(
                f"the file starts at seq {start + 1}, but this ledger ends at seq "
                f"{self.head.seq}: import the events up to seq {start} first",
                {"seq": start},
            )
        if self.ours(start) != start_hash:
            raise IntegrityError(
                f"the file does not continue this ledger: its first event chains onto a seq "
                f"{start} this ledger does not hold",
                {"seq": start},
            )
