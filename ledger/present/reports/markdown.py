"""User text inside Markdown: escaped so it reads as written and cannot change the page
(a `|` that would split a table cell, HTML, a run of backticks that would end a fence)."""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>#|~!])")


def inline(text: str) -> str:
    """Text for running Markdown or a table cell: one line, its syntax characters escaped."""
    return _INLINE.sub(r"\\\1", " ".join(str(text).split()))


def fenced(text: str) -> list[str]:
    """A code block holding `text` verbatim: its fence is longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; every cell is escaped (headers are ours, and plain)."""
    if not rows:
        return ["_None._", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(inline(cell) for cell in row) + " |" for row in rows]
    return [*out, ""]
