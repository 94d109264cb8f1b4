"""Reading files users hand to roi-ledger: any bytes in, one clear error out.

A file may start with a UTF-8 byte order mark; `-` means standard input.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ledger.errors import InputError
from ledger.validation import clip


@contextmanager
def open_input(path: Path, field: str) -> Iterator[IO[bytes]]:
    """A file opened for reading bytes (standard input for `-`), or an input error."""
    if str(path) == "-":
        yield sys.stdin.buffer
        return
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{field}: {path} does not exist", {"field": field}) from None
    except IsADirectoryError:
        raise InputError(f"{field}: {path} is a directory, not a file", {"field": field}) from None
    except OSError as exc:
        raise InputError(f"{field}: cannot read {path}: {exc.strerror}", {"field": field}) from None
    with handle:
        yield handle


MAX_LINE = 1 << 20
"""The longest line a line-by-line input may hold (bytes): far above the largest command or
exported event (a decision's texts and context are 50,000 characters at most)."""

MAX_IMPORT = 16 << 30
"""The largest file `import` reads by default (bytes; `--max-size` sets another)."""

MAX_WHOLE = 64 << 20
"""The largest file read whole (a JSON array of commands, `score`'s opportunities), bytes."""


class LineTooLong(InputError):
    """A line past `MAX_LINE`: not what any input of ours holds (/dev/zero, a binary file)."""


def bounded_lines(handle: IO[bytes], field: str, max_line: int = MAX_LINE) -> Iterator[bytes]:
    """The lines of a byte stream, never holding more than `max_line` bytes of one: a longer
    line is a LineTooLong naming it (nothing past it is read)."""
    number = 0
    while True:
        line = handle.readline(max_line + 1)
        if not line:
            return
        number += 1
        if len(line) > max_line and not line.endswith(b"\n"):
            raise LineTooLong(
                f"{field}: line {number} is longer than {max_line:,} bytes, more than any "
                "command or event takes: is this the right file? Nothing from that line on "
                "was read",
                {"field": field, "line": number, "limit": max_line},
            )
        yield line


def read_bounded(handle: IO[bytes], field: str, max_bytes: int | None = None) -> bytes:
    """All of a byte stream, if it holds at most `max_bytes` (`MAX_WHOLE`); else an input
    error."""
    max_bytes = MAX_WHOLE if max_bytes is None else max_bytes
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"{field}: larger than {max_bytes:,} bytes, too large to read whole; split it, "
            "or use JSON Lines (read a line at a time)",
            {"field": field, "limit": max_bytes},
        )
    return bytes(data)


def read_bytes(path: Path, field: str, missing_hint: str = "") -> bytes:
    """The whole file (or standard input for `-`) up to `MAX_WHOLE`, or an input error
    naming the field."""
    if str(path) == "-":
        return read_bounded(sys.stdin.buffer, field)
    try:
        with path.open("rb") as handle:
            return read_bounded(handle, field)
    except FileNotFoundError:
        hint = f" ({missing_hint})" if missing_hint else ""
        raise InputError(f"{field}: {path} does not exist{hint}", {"field": field}) from None
    except IsADirectoryError:
        raise InputError(f"{field}: {path} is a directory, not a file", {"field": field}) from None
    except OSError as exc:
        raise InputError(f"{field}: cannot read {path}: {exc.strerror}", {"field": field}) from None


def decode(data: bytes, where: str) -> str:
    """UTF-8 text (a leading byte order mark dropped), or an input error saying where not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save the file as UTF-8",
            {"position": exc.start},
        ) from None


def parse_json(text: str, where: str) -> Any:
    """JSON text to its value, refusing absurd nesting in words, not a RecursionError."""
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise InputError(f"{where}: JSON nested too deeply to read", {}) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            {"line": exc.lineno, "column": exc.colno},
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise InputError(f"{where}: {exc}", {}) from None


def read_json(path: Path, field: str, missing_hint: str = "") -> Any:
    """A whole JSON file, with every way it can be wrong said in one line."""
    text = decode(read_bytes(path, field, missing_hint), f"{field}: {clip(str(path))}")
    return parse_json(text, f"{field}: {clip(str(path))}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number; use a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is beyond the range of a number; use a finite number")
    return value


RECORD_FORMATS = ("auto", "json", "jsonl", "csv", "tsv")
"""What `score` reads: a JSON array of objects, JSON Lines, or CSV/TSV under a header row."""


def read_records(path: Path, field: str, form: str = "auto", missing_hint: str = "") -> Any:
    """Objects from a JSON array, JSON Lines or a CSV/TSV table (each row's non-empty cells,
    as text, under the header's names). `auto` goes by the extension, else the first
    character. Returns what the file holds (a JSON value for JSON) for the caller to check."""
    import csv
    import io

    if form not in RECORD_FORMATS:
        raise InputError(
            f"format: {form[:40]!r} is not one of {', '.join(RECORD_FORMATS)}",
            {"field": "format"},
        )
    where = f"{field}: {clip(str(path))}"
    text = decode(read_bytes(path, field, missing_hint), where)
    if form == "auto":
        suffix = path.suffix.lower()
        first = text.lstrip()[:1]
        form = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(
            suffix, "json" if first in ("[", "") or suffix == ".json" else "jsonl" if first == "{"
            else "tsv" if "\t" in text.split("\n", 1)[0] else "csv"
        )  # fmt: skip
    if form == "json":
        return parse_json(text, where)
    if form == "jsonl":
        out = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                out.append(parse_json(line, f"{where} line {number}"))
        return out
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if form == "tsv" else ",")
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise InputError(f"{where}: not CSV ({exc})", {"line": reader.line_num}) from None
    if not rows:
        return []
    header = [cell.strip() for cell in rows[0]]
    if "" in header or len(set(header)) != len(header):
        raise InputError(
            f"{where}: the first row must name each column once (got {', '.join(header)[:200]})",
            {"field": field},
        )
    records = []
    for number, row in enumerate(rows[1:], 2):
        if len(row) > len(header):
            raise InputError(
                f"{where}: row {number - 1} has {len(row)} cells, but the header names "
                f"{len(header)} columns",
                {"field": field, "row": number - 1},
            )
        record: dict[str, Any] = {
            k: v.strip() for k, v in zip(header, row, strict=False) if v.strip()
        }
        if "score" in record:  # a number, as in JSON: the same opportunity, the same id
            record["score"] = _number(record["score"])
        records.append(record)
    return records


def _number(text: str) -> Any:
    """A CSV cell holding a number, as JSON would carry it (else the text, to be refused
    by the field's own rule)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def count_lines(file: Path) -> int | None:
    """How many lines a regular file holds, for the progress bar (None when it is not a
    regular file, or not lines at all: the reader refuses that in words)."""
    import stat

    try:
        if not stat.S_ISREG(file.stat().st_mode):
            return None
        with file.open("rb") as counting:
            return sum(1 for _ in bounded_lines(counting, "file"))
    except (OSError, LineTooLong):
        return None
