"""An export file as `import` reads it: each line to its stored row and event, every column
of exactly its JSON type, and the file's own chain, held against this ledger's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from events import GENESIS_HASH, RecordedEvent, canonical_json
from ledger.app.input_lines import BOM
from ledger.audit.chain import EXPORT_COLUMNS, check_rows
from ledger.core.uow import UnitOfWork
from ledger.errors import InputError, IntegrityError, UnreadableEvent
from ledger.store.event_rows import decode_row
from ledger.store.log_head import Head
from ledger.validation import clip


def rows_of(spool: IO[bytes]) -> Iterator[tuple[int, tuple[Any, ...], RecordedEvent]]:
    """Each non-blank line of the spooled file, numbered, as its row and its event (a line
    that is not one is an input error naming it)."""
    spool.seek(0)
    for number, raw in enumerate(spool, 1):
        text = raw.removeprefix(BOM) if number == 1 else raw
        try:
            line = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"line {number}: not UTF-8 text", {"line": number}) from None
        if line.strip():
            yield number, *_row_from_line(number, line)


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
