"""Reading an input line by line (`record batch`, `import`): the byte order mark its first
line may start with, a line that is not UTF-8 said in words, and lines refused once
together they pass a size (the lines' own limit: ledger/core/inputs.py: bounded_lines)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ledger.errors import InputError

BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark, skipped at the start of a file."""


def not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    """Why a line is not UTF-8 text: its first bad byte and where it stands."""
    return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start})"


def capped_lines(lines: Iterable[bytes], limit: int, refusal: str) -> Iterator[bytes]:
    """The lines, until together they pass `limit` bytes: then an input error of the file
    (`refusal` says what to do instead), before that line is handed on."""
    size = 0
    for line in lines:
        size += len(line)
        if size > limit:
            raise InputError(refusal, {"field": "file", "limit": limit})
        yield line
