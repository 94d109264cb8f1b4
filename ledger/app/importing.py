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

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ledger.app.import_file import FileChain, rows_of
from ledger.app.import_replay import ImportUnit
from ledger.app.input_lines import capped_lines
from ledger.core.inputs import MAX_IMPORT, MAX_LINE, bounded_lines
from ledger.errors import InputError

if TYPE_CHECKING:
    from ledger.core.service import LedgerCore

Progress = Callable[[int], None]

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
    refusal = (
        f"file: larger than {max_size:,} bytes; pass --max-size to import a larger export, "
        "or import it in parts (`export --after SEQ`)"
    )
    for line in capped_lines(bounded_lines(handle, "file", MAX_LINE), max_size, refusal):
        try:
            spool.write(line)
        except OSError as exc:
            raise InputError(
                f"file: cannot copy it aside to read it once ({exc.strerror}): is the temporary "
                "folder (TMPDIR) full?",
                {"field": "file"},
            ) from None
    spool.seek(0)


def _import_spooled(
    ledger: LedgerCore, spool: IO[bytes], progress: Progress | None
) -> dict[str, Any]:
    """One pass, one transaction: each line's place in the chain, then (past this ledger's
    head) its replay; any refusal rolls everything back."""
    imported = present = 0
    with ledger.unit_of_work(ImportUnit) as uow:
        assert isinstance(uow, ImportUnit)
        chain = FileChain(uow)
        for chunk in _chunks(rows_of(spool), FLUSH):
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
