"""Tamper evidence: verify the hash chain, check a digest, export and import the log."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import IO, Any, Protocol

from events import GENESIS_HASH, canonical_json, chain_hash
from ledger.errors import InputError, IntegrityError
from ledger.eventlog import Head, decode_row
from ledger.storage.base import EVENT_COLUMNS
from ledger.validation import clip


class Ledger(Protocol):
    """What audit needs of a ledger: the service's transaction methods, nothing deeper."""

    def scan(
        self, after: int = 0, upto: int | None = None
    ) -> AbstractContextManager[tuple[Head, Iterator[list[tuple[Any, ...]]]]]: ...
    def head(self) -> Head: ...
    def hash_at(self, seq: int) -> str | None: ...
    def append_rows(
        self, rows: Sequence[tuple[Any, ...]], progress: Callable[[int], None] | None
    ) -> None: ...


Progress = Callable[[int], None]


def check_rows(
    rows: Iterable[list[Any] | tuple[Any, ...]], prev_seq: int = 0, prev_hash: str = GENESIS_HASH
) -> Iterator[tuple[int, str, str | None]]:
    """Walk rows in order, yielding (seq, hash, problem) — problem is None for a good row."""
    for row in rows:
        seq, stored_prev, stored_hash = row[0], row[9], row[10]
        problem = None
        if seq != prev_seq + 1:
            problem = f"seq {seq} follows seq {prev_seq}: the log has a gap or is out of order"
        elif stored_prev != prev_hash:
            problem = f"seq {seq}: prev_hash does not match the hash of seq {prev_seq}"
        elif chain_hash(prev_hash, *row[:9]) != stored_hash:
            problem = f"seq {seq}: contents do not match its hash (the row was altered)"
        yield seq, stored_hash, problem
        prev_seq, prev_hash = seq, stored_hash


class ChainCheck:
    """The hash chain checked batch by batch as another pass reads the rows (a rebuild's
    fold): remembers where it got to and the first break."""

    def __init__(self) -> None:
        self.checked, self.last_hash = 0, GENESIS_HASH
        self.first_bad_seq: int | None = None
        self.problem: str | None = None

    def feed(self, rows: Sequence[Sequence[Any]]) -> str | None:
        """Check the next rows in order; the first problem ever found (None while whole)."""
        if self.problem is None:
            for seq, digest, problem in check_rows(rows, self.checked, self.last_hash):  # type: ignore[arg-type]
                if problem is not None:
                    self.first_bad_seq, self.problem = seq, problem
                    break
                self.checked, self.last_hash = seq, digest
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
    ledger: Ledger,
    upto: int | None = None,
    progress: Progress | None = None,
    keep: frozenset[int] = frozenset(),
) -> dict[str, Any]:
    """Recompute the chain up to `upto` (default the head); name the first bad seq. The hashes
    at the seqs in `keep` come back under "hashes" (for checking digests)."""
    checked, last_hash = 0, GENESIS_HASH
    hashes: dict[int, str] = {}
    with ledger.scan(0, upto) as (head, chunks):
        for rows in chunks:
            for seq, digest, problem in check_rows(rows, checked, last_hash):
                if problem is not None:
                    return {
                        "ok": False,
                        "checked": checked,
                        "first_bad_seq": seq,
                        "problem": problem,
                        "head": {"seq": head.seq, "hash": head.hash},
                    }
                checked, last_hash = seq, digest
                if seq in keep:
                    hashes[seq] = digest
            if progress:
                progress(len(rows))
    return {
        "ok": True,
        "checked": checked,
        "first_bad_seq": None,
        "problem": None,
        "head": {"seq": head.seq, "hash": head.hash},
        "last_hash": last_hash,
        "hashes": hashes,
    }


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
    ledger: Ledger, texts: Sequence[str], progress: Progress | None = None
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


def export_events(ledger: Ledger, out: IO[str], after: int = 0, upto: int | None = None) -> int:
    """Write the log (events after `after`, up to `upto`) as JSON Lines: one envelope per line,
    payload as an object."""
    count = 0
    with ledger.scan(after, upto) as (_, chunks):
        for rows in chunks:
            for row in rows:
                out.write(export_line(row) + "\n")
                count += 1
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


def _row_from_line(line_no: int, text: str) -> tuple[Any, ...]:
    try:
        env = json.loads(text)
        if not isinstance(env, dict):
            raise ValueError("the line is not a JSON object")
        row = tuple(
            _payload_text(env) if kind is None else _typed(env, name, kind)
            for name, kind in zip(EXPORT_COLUMNS, _ROW_TYPES, strict=True)
        )
        decode_row(row)
    except RecursionError:
        raise InputError(
            f"line {line_no}: nested too deeply to be an event", {"line": line_no}
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"line {line_no}: not an exported event ({clip(str(exc), 200)})", {"line": line_no}
        ) from None
    return row


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


def import_events(
    ledger: Ledger, path: str, progress: Progress | None = None, batch: int = 5000
) -> dict[str, Any]:
    """Append exported events that continue this log's chain exactly.

    The input is read once, into a private spool (a pipe or FIFO can be read only once, and
    a file might change between two reads): what is checked is exactly what is appended.
    The whole of it is checked first - its chain, that each event decodes, that it continues
    this ledger (from seq 1, or from any seq this ledger already holds, as an export made
    with --after does) - then appended in batches; importing into an empty ledger reproduces
    the digest.
    """
    from pathlib import Path

    from ledger.inputs import open_input

    with tempfile.TemporaryFile() as spool:
        with open_input(Path(path), "file") as handle:
            shutil.copyfileobj(handle, spool)
        spool.seek(0)
        return _import_spooled(ledger, spool, progress, batch)


def _spooled_rows(spool: IO[bytes]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    spool.seek(0)
    for number, raw in enumerate(spool, 1):
        text = raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw
        try:
            line = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"line {number}: not UTF-8 text", {"line": number}) from None
        if line.strip():
            yield number, _row_from_line(number, line)


def _import_spooled(
    ledger: Ledger, spool: IO[bytes], progress: Progress | None, batch: int
) -> dict[str, Any]:
    head = ledger.head()
    _check_spool(ledger, spool, head)
    pending: list[tuple[Any, ...]] = []
    imported = present = 0

    def commit() -> None:
        ledger.append_rows(pending, progress)
        pending.clear()

    for _, row in _spooled_rows(spool):
        if row[0] <= head.seq:
            present += 1
            continue
        pending.append(row)
        imported += 1
        if len(pending) >= batch:
            commit()
    if pending:
        commit()
    final = ledger.head()
    return {"imported": imported, "already_present": present, "seq": final.seq, "hash": final.hash}


def _check_spool(ledger: Ledger, spool: IO[bytes], head: Head) -> None:
    """The file's own chain, and that it continues this ledger.

    Each hash covers everything before it, so the file continues this ledger exactly when
    its first event chains onto an event (or the genesis) this ledger holds, and where the
    two overlap, their hashes agree at the last seq they share.
    """
    start = start_hash = None
    prev_seq, prev_hash = 0, GENESIS_HASH
    hash_at_head: str | None = None
    for number, row in _spooled_rows(spool):
        if start is None:
            start, start_hash = row[0] - 1, row[9]
            prev_seq, prev_hash = start, start_hash
            _continues_here(ledger, head, start, start_hash)
        ((_, _, problem),) = check_rows([row], prev_seq, prev_hash)
        if problem is not None:
            raise IntegrityError(f"line {number}: {problem}", {"line": number, "seq": row[0]})
        prev_seq, prev_hash = row[0], row[10]
        if row[0] == head.seq:
            hash_at_head = row[10]
    if start is None:
        return  # an empty file: nothing to import
    if prev_seq >= head.seq > start and hash_at_head != head.hash:
        raise IntegrityError(
            f"the file does not continue this ledger: it differs from it at or before seq "
            f"{head.seq}; import into an empty ledger or a copy it came from",
            {"seq": head.seq},
        )
    if prev_seq < head.seq:
        ours = ledger.hash_at(prev_seq) if prev_seq else None
        if ours is not None and ours != prev_hash:
            raise IntegrityError(
                f"the file does not continue this ledger: it differs from it at or before "
                f"seq {prev_seq}",
                {"seq": prev_seq},
            )


def _continues_here(ledger: Ledger, head: Head, start: int, start_hash: str) -> None:
    """The file's first event must chain onto seq `start` as this ledger holds it."""
    if start > head.seq:
        raise IntegrityError(
            f"the file starts at seq {start + 1}, but this ledger ends at seq {head.seq}: "
            f"import the events up to seq {start} first",
            {"seq": start},
        )
    ours = GENESIS_HASH if start == 0 else ledger.hash_at(start) or ""
    if ours != start_hash:
        raise IntegrityError(
            f"the file does not continue this ledger: its first event chains onto a seq "
            f"{start} this ledger does not hold",
            {"seq": start},
        )
