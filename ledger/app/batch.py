"""`record batch`: JSON Lines of commands, parsed lazily so memory stays flat, and run in
chunks of one transaction each.

Each line is validated in one step by pydantic's core, straight from its JSON text, through a
discriminated union keyed by `command`; that is most of what makes the bulk path fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import IO, Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, ValidationError, create_model

from commands.base import Command, DomainError
from ledger.core.bus import batch_commands
from ledger.core.projector import bulk_work
from ledger.core.service import LedgerCore, chain_warning
from ledger.errors import InputError, StorageError
from ledger.validation import describe, field_errors


@cache
def line_adapter() -> TypeAdapter[Command]:
    """One adapter for every batch line: each command class plus its `command` tag."""
    tag: Any = Literal  # typing forms built at run time: typed loosely on purpose
    models = tuple(
        create_model(f"{cls.__name__}Line", __base__=cls, command=(tag[name], ...))
        for name, cls in batch_commands().items()
    )
    union: Any = Annotated[Union[models], Field(discriminator="command")]  # noqa: UP007
    return TypeAdapter(union)


def parse_line(number: int, text: str) -> Command | InputError:
    """One line to its command, or the input error that names what is wrong with it."""
    try:
        return line_adapter().validate_json(text)
    except ValidationError as exc:
        return InputError(_describe_line(exc), {"line": number, "errors": _errors(exc)})


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    errors = field_errors(exc)
    known = ", ".join(batch_commands())
    for error in errors:
        head, _, rest = error["field"].partition(".")
        if head in batch_commands() and rest:
            error["field"] = rest  # the union's tag is not a field the user wrote
        elif error["field"] in ("input", "command") or head in batch_commands():
            error["field"] = "command"
            error["message"] = f"must be one of {known}"
    return errors


def _describe_line(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return f"not valid JSON ({first['msg'].removeprefix('Invalid JSON: ')})"
    if first["type"] in ("model_type", "dict_type", "model_attributes_type") and not first["loc"]:
        return "each line must be a JSON object"  # the line itself, not a field of it
    return describe(_errors(exc))


def read_commands(handle: Iterable[bytes]) -> Iterator[tuple[int, Command | InputError]]:
    """Numbered commands from JSON Lines, each line decoded and validated on its own (a line
    that is not UTF-8 is refused alone); a leading byte order mark, blank lines and `#`
    comments are skipped."""
    for number, raw in enumerate(handle, 1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                number,
                InputError(
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start})",
                    {"line": number},
                ),
            )
            continue
        stripped = text.strip()
        if stripped and not stripped.startswith("#"):
            yield number, parse_line(number, stripped)


BOM = b"\xef\xbb\xbf"


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


# -- other input formats ---------------------------------------------------------------------

FORMATS = ("auto", "jsonl", "json", "csv", "tsv")
"""What `record batch` reads: JSON Lines, a JSON array of objects, CSV or TSV with a header
row naming the fields (`command` among them); `auto` goes by the file's extension, else by
its first line."""

_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
               ".tsv": "tsv", ".tab": "tsv"}  # fmt: skip

LONE_CR = re.compile(r"(?<=\r)(?!\n)")
"""Where a carriage return not followed by a line feed ends a line."""

OBJECT_FIELDS = frozenset({"context"})
"""Fields whose CSV cell holds a JSON object (a decision's context)."""


def read_batch(
    handle: IO[bytes], form: str = "auto", name: str = ""
) -> Iterator[tuple[int, Command | InputError]]:
    """Numbered commands from any batch format, each line or row validated on its own."""
    import itertools
    from pathlib import PurePath

    from ledger.core.inputs import bounded_lines

    lines: Iterator[bytes] = _stopping(bounded_lines(handle, "file"))
    if form == "auto":
        form = _EXTENSIONS.get(PurePath(name).suffix.lower(), "")
    if not form:
        peeked: list[bytes] = []
        try:
            for raw in lines:
                peeked.append(raw)
                text = raw.removeprefix(BOM).strip()
                if text and not text.startswith(b"#"):
                    break
        except _Stop as stop:
            raise stop.error from None
        first = text if peeked else b""
        form = (
            "jsonl" if first.startswith(b"{") else
            "json" if first.startswith(b"[") else
            "tsv" if b"\t" in first else "csv"
        )  # fmt: skip
        lines = itertools.chain(peeked, lines)
    if form == "jsonl":
        return _until_stopped(read_commands(lines))
    if form == "json":
        return _read_array(_joined(lines))
    return _until_stopped(_read_table(lines, "\t" if form == "tsv" else ","))


class _Stop(Exception):
    """Reading stopped at an over-long line: the lines before it still run."""

    def __init__(self, error: InputError) -> None:
        super().__init__(error.message)
        self.error = error


def _stopping(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Lines until one is too long; that one ends the input as a `_Stop` (read_batch turns
    it into a refusal of that line after the lines before it)."""
    from ledger.core.inputs import LineTooLong

    try:
        yield from lines
    except LineTooLong as exc:
        raise _Stop(exc) from None


def _joined(lines: Iterator[bytes]) -> bytes:
    """A whole JSON array's bytes, at most `MAX_WHOLE` of them."""
    from ledger.core.inputs import MAX_WHOLE

    parts, size = [], 0
    try:
        for line in lines:
            size += len(line)
            if size > MAX_WHOLE:
                raise InputError(
                    f"file: a JSON array larger than {MAX_WHOLE:,} bytes is too large to read "
                    "whole; write it as JSON Lines (one command per line), which streams",
                    {"field": "file", "limit": MAX_WHOLE},
                )
            parts.append(line)
    except _Stop as stop:
        raise stop.error from None
    return b"".join(parts)


def _until_stopped(
    items: Iterator[tuple[int, Command | InputError]],
) -> Iterator[tuple[int, Command | InputError]]:
    """The numbered items of a line-by-line reader; an over-long line ends them with its own
    refusal (after every line before it)."""
    try:
        yield from items
    except _Stop as stop:
        details = stop.error.details or {}
        line = details.get("line", 0)
        yield (
            line,
            InputError(
                f"longer than {details.get('limit', 0):,} bytes, more than any command takes: "
                "is this the right file? Nothing from this line on was read",
                {"line": line},
            ),
        )


def _as_line(number: int, fields: dict[str, Any]) -> Command | InputError:
    """A row or array item, validated exactly as the same object on a JSON line would be."""
    import json

    return parse_line(number, json.dumps(fields, ensure_ascii=False))


def _read_array(data: bytes) -> Iterator[tuple[int, Command | InputError]]:
    from ledger.core.inputs import decode, parse_json

    value = parse_json(decode(data, "file"), "file")
    if not isinstance(value, list):
        raise InputError(
            "file: a JSON batch is an array of command objects (or use JSON Lines: one "
            "object per line)",
            {"field": "file"},
        )
    for number, item in enumerate(value, 1):
        if not isinstance(item, dict):
            yield number, InputError("each item must be a JSON object", {"line": number})
        else:
            yield number, _as_line(number, item)


def _read_table(
    lines: Iterable[bytes], delimiter: str
) -> Iterator[tuple[int, Command | InputError]]:
    """CSV or TSV rows under a header row: each row's non-empty cells are its fields (a
    `context` cell holds JSON). Rows are numbered by the line they start on. A row that is
    not CSV (an unclosed or stray quote), holds bytes that are not UTF-8, or has more cells
    than the header is refused alone; a comment is a line before the header, or a row whose
    `command` cell, starting with #."""
    import csv
    import json

    undecodable: dict[int, str] = {}
    count = 0

    def text_lines() -> Iterator[str]:
        nonlocal count
        for number, raw in enumerate(lines, 1):
            if number == 1:
                raw = raw.removeprefix(BOM)
            problem = None
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start})"
                text = raw.decode("utf-8", "replace")  # keeps the quotes, so rows stay apart
            # a lone carriage return ends a line too, for csv as for newline="" files
            for part in LONE_CR.split(text):
                if part:
                    count += 1
                    if problem is not None:
                        undecodable[count] = problem
                    yield part

    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, 64 * 1024 * 1024))  # a long cell is its field's to refuse
    try:
        reader = csv.reader(text_lines(), delimiter=delimiter, strict=True)
        header: list[str] | None = None
        command = 0
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, InputError(f"not CSV: {exc}", {"line": start})
                continue
            bad = next(
                (undecodable[n] for n in range(start, reader.line_num + 1) if n in undecodable),
                None,
            )
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if bad is not None:
                    raise InputError(
                        f"file: line {start}: {bad}; save the file as UTF-8",
                        {"field": "file", "line": start},
                    )
                if row[0].lstrip().startswith("#"):
                    continue
                header = [cell.strip() for cell in row]
                duplicated = sorted({c for c in header if header.count(c) > 1})
                if "command" not in header or duplicated or "" in header:
                    raise InputError(
                        "file: the first row must name each column once, `command` among "
                        f"them (got {', '.join(header)[:200]})",
                        {"field": "file", "line": start},
                    )
                command = header.index("command")
                continue
            if bad is not None:
                yield start, InputError(bad, {"line": start})
                continue
            if len(row) > command and row[command].lstrip().startswith("#"):
                continue
            if len(row) > len(header):
                yield (
                    start,
                    InputError(
                        f"{len(row)} cells, but the header names {len(header)} columns",
                        {"line": start},
                    ),
                )
                continue
            fields: dict[str, Any] = {}
            for column, cell in zip(header, row, strict=False):
                if cell.strip() == "":
                    continue
                if column in OBJECT_FIELDS:
                    try:
                        fields[column] = json.loads(cell)
                    except ValueError:
                        fields[column] = cell  # refused below, by the field's own rule
                else:
                    fields[column] = cell.strip()
            yield start, _as_line(start, fields)
    finally:
        csv.field_size_limit(limit)
