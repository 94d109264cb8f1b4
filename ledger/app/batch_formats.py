"""The files `record batch` reads: JSON Lines, a JSON array of command objects, or CSV/TSV
under a header row naming the fields; each line, item or row validated on its own, exactly
as the same object on a JSON line would be (batch_lines.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO, Any

from commands.base import Command
from ledger.app.batch_lines import parse_line, read_commands
from ledger.app.input_lines import BOM, capped_lines, not_utf8
from ledger.errors import InputError

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

    refusal = (
        f"file: a JSON array larger than {MAX_WHOLE:,} bytes is too large to read whole; "
        "write it as JSON Lines (one command per line), which streams"
    )
    try:
        return b"".join(capped_lines(lines, MAX_WHOLE, refusal))
    except _Stop as stop:
        raise stop.error from None


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
                problem = not_utf8(raw, exc)
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
