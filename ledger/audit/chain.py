"""Tamper evidence: verify the hash chain, check a digest, export the log (importing it back
is `ledger/app/importing.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import IO, Any, Protocol

from events import GENESIS_HASH, canonical_json, chain_hash
from ledger.errors import InputError, IntegrityError
from ledger.store.base import EVENT_COLUMNS
from ledger.store.event_rows import ROW_TYPES, well_typed
from ledger.store.log_head import Head


class LogReader(Protocol):
    """What audit needs of a ledger (the service is one): its log, read in a transaction, and
    a way to note a break it found; nothing deeper."""

    def scan(
        self, after: int = 0, upto: int | None = None
    ) -> AbstractContextManager[tuple[Head, Iterator[list[tuple[Any, ...]]]]]: ...
    def raise_alarm(self, first_bad_seq: int, problem: str) -> None: ...


Progress = Callable[[int], None]


def check_rows(
    rows: Iterable[list[Any] | tuple[Any, ...]], prev_seq: int = 0, prev_hash: str = GENESIS_HASH
) -> Iterator[tuple[int, str, str | None]]:
    """Walk rows in order, yielding (seq, hash, problem) — problem is None for a good row."""
    for row in rows:
        seq, stored_prev, stored_hash = row[0], row[9], row[10]
        problem = None
        if not well_typed(row):
            problem = ill_typed(row)
        elif seq != prev_seq + 1:
            problem = f"seq {seq} follows seq {prev_seq}: the log has a gap or is out of order"
        elif stored_prev != prev_hash:
            problem = f"seq {seq}: prev_hash does not match the hash of seq {prev_seq}"
        elif chain_hash(prev_hash, *row[:9]) != stored_hash:
            problem = f"seq {seq}: contents do not match its hash (the row was altered)"
        yield seq, stored_hash, problem
        prev_seq, prev_hash = seq, stored_hash


def ill_typed(row: Sequence[Any]) -> str:
    """The problem with a row a column of which holds the wrong type, naming the seq and
    the column in words (never its raw bytes)."""
    return (
        f"seq {row[0]}: contents do not match its hash (a column holds "
        f"{_wrong_type(row)}: the row was altered)"
    )


def _wrong_type(row: Sequence[Any]) -> str:
    """Which column of a row is of the wrong type, in words (never its raw bytes)."""
    for name, value, kind in zip(EXPORT_COLUMNS, row, ROW_TYPES, strict=False):
        if not isinstance(value, kind) or isinstance(value, bool):
            if value is None and len(set(map(type, row[1:]))) == 1:
                return "text that is not UTF-8"
            shown = {"bytes": "a BLOB", "NoneType": "NULL", "str": "text"}
            return f"{shown.get(type(value).__name__, type(value).__name__)} in {name}"
    return "the wrong number of values"


class ChainCheck:
    """The hash chain checked batch by batch (by `verify_chain`, or as another pass reads
    the rows: a rebuild's fold): remembers where it got to, the first break, and the hashes
    at the seqs it was asked to keep."""

    def __init__(self, keep: frozenset[int] = frozenset()) -> None:
        self.checked, self.last_hash = 0, GENESIS_HASH
        self.first_bad_seq: int | None = None
        self.problem: str | None = None
        self.keep = keep
        self.hashes: dict[int, str] = {}
        """The hashes at the seqs in `keep`, as checked (for checking digests)."""

    def feed(self, rows: Sequence[Sequence[Any]]) -> str | None:
        """Check the next rows in order; the first problem ever found (None while whole)."""
        if self.problem is None:
            for seq, digest, problem in check_rows(rows, self.checked, self.last_hash):  # type: ignore[arg-type]
                if problem is not None:
                    self.first_bad_seq, self.problem = seq, problem
                    break
                self.checked, self.last_hash = seq, digest
                if seq in self.keep:
                    self.hashes[seq] = digest
        return self.problem

    def result(self) -> dict[str, Any]:
        """What `verify_chain` says about the rows fed so far."""
        return {
            "ok": self.problem is None,
            "checked": self.checked,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def verify_chain(
    ledger: LogReader,
    upto: int | None = None,
    progress: Progress | None = None,
    keep: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Recompute the chain up to `upto` (default the head); name the first bad seq. The hashes
    at the seqs in `keep` come back under "hashes" (for checking digests)."""
    check = ChainCheck(keep)
    with ledger.scan(0, upto) as (head, chunks):
        for rows in chunks:
            if check.feed(rows) is not None:
                break
            if progress:
                progress(len(rows))
    result = {**check.result(), "head": {"seq": head.seq, "hash": head.hash}}
    if check.problem is None:
        result.update(last_hash=check.last_hash, hashes=check.hashes)
    return result


def parse_digest(text: str) -> tuple[int, str]:
    """'SEQ:HASH' to its parts, or an input error saying the expected form."""
    seq_text, _, digest = text.strip().partition(":")
    well_formed = seq_text.isascii() and seq_text.isdigit() and len(seq_text) <= 18
    if not well_formed or len(digest) != 64 or not _is_hex(digest):
        raise InputError(
            f"digest: {text[:80]!r} is not SEQ:HASH (e.g. 42:3f5a…, 64 hex characters)",
            {"field": "digest"},
        )
    return int(seq_text), digest.lower()


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def verify_digests(
    ledger: LogReader, texts: Sequence[str], progress: Progress | None = None
) -> dict[str, Any]:
    """Prove the log up to each digest's seq is the one the digest was taken from.

    A digest proves only its own seq: if the chain itself verifies but a digest does not
    match, the log was rewritten and re-hashed somewhere at or before that seq. Several
    digests narrow it down: after the latest one that still matches, at or before the
    earliest one that does not (exactly one seq when those two are neighbours).
    """
    digests = sorted({parse_digest(t) for t in texts})
    if not digests:
        raise InputError("digest: give at least one SEQ:HASH", {"field": "digest"})
    last = digests[-1][0]
    seqs = frozenset(seq for seq, _ in digests)
    result = verify_chain(ledger, upto=last, progress=progress, keep=seqs)
    if not result["ok"]:
        return {**result, "digest_ok": False}
    if result["checked"] < last:
        return {
            **result,
            "ok": False,
            "digest_ok": False,
            "problem": f"the log ends at seq {result['checked']}, before the digest's seq {last}",
        }
    hashes = {0: GENESIS_HASH, **result.pop("hashes")}
    wrong = [seq for seq, digest in digests if hashes[seq] != digest]
    if not wrong:
        return {**result, "digest_ok": True, "matches_through": last}
    first_wrong = wrong[0]
    matching = [seq for seq, digest in digests if seq < first_wrong and hashes[seq] == digest]
    since = matching[-1] if matching else 0
    exact = first_wrong == since + 1
    where = (
        f"at seq {first_wrong} (seq {since} still matches its digest)"
        if exact
        else f"somewhere after seq {since} and at or before seq {first_wrong}"
        if since
        else f"at or before seq {first_wrong}"
    )
    problem = (
        f"the log up to seq {first_wrong} is not the one its digest was taken from: the chain "
        f"itself is intact, so it was rewritten and re-hashed {where}."
    )
    if not exact:
        problem += (
            " A digest proves only its own seq; give older digests (--digest takes several) "
            "or compare with an export to find the event"
        )
    return {
        **result,
        "ok": False,
        "digest_ok": False,
        "first_bad_seq": first_wrong if exact else None,
        "differs_at_or_before": first_wrong,
        "matches_through": since,
        "problem": problem,
    }


def export_events(ledger: LogReader, out: IO[str], after: int = 0, upto: int | None = None) -> int:
    """Write the log (events after `after`, up to `upto`) as JSON Lines: one envelope per line,
    payload as an object. A row that is not what an event's row must be stops it (an
    IntegrityError naming the seq; the ledger's alarm is raised)."""
    count = bad_seq = 0
    problem: str | None = None
    with ledger.scan(after, upto) as (_, chunks):
        for rows in chunks:
            for row in rows:
                if not well_typed(row):
                    bad_seq, problem = row[0], ill_typed(row)
                    break
                out.write(export_line(row) + "\n")
                count += 1
            if problem is not None:
                break
    if problem is not None:
        ledger.raise_alarm(bad_seq, problem)
        raise IntegrityError(
            f"export stopped at {problem}. Run `roi-ledger verify`, and restore the ledger "
            "from a backup",
            {"first_bad_seq": bad_seq, "problem": problem},
        )
    return count


EXPORT_COLUMNS = [name.strip() for name in EVENT_COLUMNS.split(",")]


def export_line(row: Any) -> str:
    """A stored row as one exported line: its envelope, payload as an object.

    Payloads are stored as RFC 8785 canonical JSON, so the object canonicalises back to the
    stored text. A payload that does not (one written before payloads were canonical) travels
    with its exact text in `payload_text` as well, so an import reproduces the chain exactly.
    """
    out = dict(zip(EXPORT_COLUMNS, row, strict=True))
    text = out["payload"]
    out["payload"] = json.loads(text)
    try:
        canonical = canonical_json(out["payload"])
    except ValueError:
        canonical = None
    if canonical != text:
        out["payload_text"] = text
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
