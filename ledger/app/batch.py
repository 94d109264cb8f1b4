"""`record batch`: numbered commands run in chunks of one transaction each; a refused one is
reported and skipped, the rest go on.

What a line is and the files a batch is read from: batch_lines.py, batch_formats.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from commands.base import Command, DomainError
from ledger.app.batch_formats import FORMATS as FORMATS  # for cli/record.py
from ledger.app.batch_formats import read_batch as read_batch  # for cli/record.py
from ledger.app.batch_lines import line_adapter as line_adapter  # for bench/
from ledger.app.batch_lines import parse_line as parse_line  # for bench/
from ledger.app.batch_lines import read_commands as read_commands  # for bench/
from ledger.core.projector import bulk_work
from ledger.core.service import LedgerCore, chain_warning
from ledger.errors import InputError, StorageError


class BatchOutcome:
    """What a batch did: counts and the refused lines."""

    __slots__ = ("accepted", "duplicates", "last_seq", "rejected", "warning")

    def __init__(self) -> None:
        self.accepted = 0
        self.duplicates = 0
        self.rejected: list[dict[str, Any]] = []
        self.last_seq = 0
        self.warning: str | None = None

    def merge(self, part: BatchOutcome) -> None:
        """Add another run's counts to these."""
        self.accepted += part.accepted
        self.duplicates += part.duplicates
        self.rejected += part.rejected
        self.last_seq = max(self.last_seq, part.last_seq)
        self.warning = self.warning or part.warning

    def as_dict(self) -> dict[str, Any]:
        """JSON shape of the outcome."""
        shape: dict[str, Any] = {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "errors": self.rejected,
            "last_seq": self.last_seq,
        }
        if self.warning:
            shape["warning"] = self.warning
        return shape


Numbered = Iterable[tuple[int, Command | InputError]]
"""Commands by line number; a line that did not parse is its InputError."""


def run_batch(
    ledger: LedgerCore,
    items: Numbered,
    chunk_size: int = 5000,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchOutcome:
    """Run numbered commands, committing every `chunk_size`; bad ones are reported, skipped.

    Killed midway, the ledger holds whole committed chunks: a clean prefix.
    """
    outcome = BatchOutcome()
    try:
        with bulk_work():
            chunk: list[tuple[int, Command | InputError]] = []
            for item in items:
                chunk.append(item)
                if len(chunk) >= chunk_size:
                    _run_chunk(ledger, chunk, outcome, on_chunk)
                    chunk = []
            if chunk:
                _run_chunk(ledger, chunk, outcome, on_chunk)
    except StorageError as exc:
        raise StorageError(
            f"{exc.message}. Before it, {outcome.accepted} command(s) were recorded "
            f"(head seq {outcome.last_seq or '-'}); run the same input again once fixed: "
            "lines with idempotency keys are not recorded twice",
            {**outcome.as_dict(), "cause": exc.details},
        ) from None
    return outcome


def _run_chunk(
    ledger: LedgerCore,
    chunk: list[tuple[int, Command | InputError]],
    total: BatchOutcome,
    on_chunk: Callable[[int], None] | None,
) -> None:
    """One chunk in one transaction; its counts join the total once it has committed."""
    out = BatchOutcome()
    with ledger.unit_of_work() as uow:
        keys = [
            c.idempotency_key
            for _, c in chunk
            if isinstance(c, Command) and c.idempotency_key is not None
        ]
        if keys:
            uow.prefetch_keys(keys)
        for line, command in chunk:
            if isinstance(command, InputError):
                out.rejected.append({"line": line, "error": command.message})
                continue
            try:
                events, duplicate = ledger.dispatch(uow, command)
            except DomainError as exc:
                out.rejected.append({"line": line, "error": exc.message, "field": exc.field})
                continue
            if duplicate:
                out.duplicates += 1
            else:
                out.accepted += 1
                out.last_seq = events[-1].seq
    if uow.alarm is not None:
        out.warning = chain_warning(uow.alarm)
    total.merge(out)
    if on_chunk:
        on_chunk(len(chunk))
