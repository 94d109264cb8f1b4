"""Printing: JSON for programs (Decimals become numbers only here), lines and cells for people,
and how this run prints (its format, --wide, --quiet). Tables: `tables.py`."""

import json
import re
import sys
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from ledger.present.encoding import jsonable
from ledger.present.tabular import csv_blocks as csv_blocks
from ledger.present.tabular import csv_cell as csv_cell
from ledger.present.tabular import jsonable_keep_decimals
from projections.formats import change as change
from projections.formats import money as money
from projections.formats import number as number
from projections.formats import p_value as p_value
from projections.formats import percent as percent
from projections.formats import percent_range as percent_range

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal would act on (escape sequences, bells, bidi overrides): never raw."""


def printable(text: str) -> str:
    """Text safe to print: control and bidi characters shown as escapes (`\x1b`), line breaks
    and tabs kept."""
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def echo(text: str, *, err: bool = False) -> None:
    """One line for people, user-supplied parts made printable."""
    (sys.stderr if err else sys.stdout).write(printable(text) + "\n")


def print_json(value: Any) -> None:
    """Machine-readable output on stdout: JSON, or under --format csv the same value as CSV
    rows (`csv_blocks`)."""
    if FORMAT.get() == "csv":
        write_csv(value)
        return
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def write_csv(value: Any) -> None:
    """`csv_blocks` on stdout, a blank line between tables."""
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    for headers, rows in csv_blocks(jsonable_keep_decimals(value)):
        if BLOCKS.get():
            sys.stdout.write("\n")
        BLOCKS.set(BLOCKS.get() + 1)
        writer.writerow(headers)
        writer.writerows(rows)


def print_json_items(items: Iterable[Any]) -> None:
    """A JSON array on stdout, written an item at a time (the same text `print_json` writes
    for the whole list, without holding it); under --format csv, one CSV table."""
    out = sys.stdout
    if FORMAT.get() == "csv":
        import csv

        writer = None
        for item in items:
            row = item.envelope() if hasattr(item, "envelope") else dict(item)
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
        return
    out.write("[")
    first = True
    for item in items:
        text = json.dumps(jsonable(item), indent=2, ensure_ascii=False)
        out.write(("\n" if first else ",\n") + "\n".join("  " + line for line in text.split("\n")))
        first = False
    out.write("]\n" if first else "\n]\n")


WARNED: ContextVar[bool] = ContextVar("WARNED", default=False)
"""The broken-chain warning was printed already (once a command is enough)."""


def print_warning(result: dict[str, Any]) -> None:
    """A warning that came with a result (e.g. the chain is broken), on stderr."""
    if result.get("warning") and not WARNED.get():
        echo(f"Warning: {result['warning']}", err=True)


def print_recorded(result: dict[str, Any], as_json: bool, what: str) -> None:
    """What a record-type command answers: its JSON, or one line for people."""
    print_warning(result)
    if as_json:
        print_json(result)
    elif QUIET.get():
        return
    elif result["duplicate"]:
        echo(
            f"{what}: already recorded (same idempotency key) at seq {result['seq']}; "
            "nothing appended"
        )
    else:
        echo(f"{what}: {result['stream_id']} (seq {result['seq']})")


def print_error(message: str, details: Any, as_json: bool) -> None:
    """An error on stderr: `{"error", "details"}` with --json, else one readable line."""
    if as_json:
        from ledger.errors import details_object

        shaped = {"error": message, "details": jsonable(details_object(details))}
        sys.stderr.write(json.dumps(shaped) + "\n")
    else:
        sys.stderr.write(f"Error: {printable(message)}\n")


def fmt(value: Any, places: int = 2) -> str:
    """A cell: Decimals and floats rounded for reading, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | float):
        return number(value, places)
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, places) for v in value)
    return printable(str(value))


def cut(text: str | None, limit: int) -> str:
    """Text shortened to `limit` characters, an ellipsis saying so."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


Column = tuple[str, Callable[[Any], str]]
"""A table's column: its header, and how a row's cell reads."""


def column(header: str, key: str, show: Callable[[Any], str] | None = None) -> Column:
    """A column of one field of each row: as it is (text), or read through `show`."""
    if show is None:
        return header, lambda row: row[key]
    return header, lambda row: show(row[key])


def fraction(value: Any) -> str:
    """A share from 0 to 1 as a percentage (0.956 → 95.6%)."""
    return percent(value, scale=100)


def tenths(value: Any) -> str:
    """A cell to one decimal place."""
    return fmt(value, 1)


FORMAT: ContextVar[str] = ContextVar("FORMAT", default="table")
"""How tables print in this command: table, csv (the rows' raw values) or markdown."""
BLOCKS: ContextVar[int] = ContextVar("BLOCKS", default=0)
"""CSV blocks this command has written (several tables: one block each, a blank line
between them)."""


QUIET: ContextVar[bool] = ContextVar("QUIET", default=False)
"""`--quiet`: a command that records says nothing on success (warnings and errors still
go to stderr; --json still prints)."""
WIDE: ContextVar[bool] = ContextVar("WIDE", default=False)
"""`--wide`: every column of every table, however narrow the terminal."""


STYLES = {
    "excellent": "green", "good": "green", "acceptable": "yellow", "poor": "red",
    "failed": "red", "insufficient_data": "dim", "high": "red", "critical": "bold red",
    "medium": "yellow", "low": "cyan", "revoked": "dim", "FAILED": "red",
}  # fmt: skip
"""Colour that carries meaning (ratings, severities); the word is always printed too."""


def _styled(text: str) -> Any:
    """A cell as rich Text, coloured where its words mean something: a rating, a severity,
    negative money."""
    from rich.text import Text

    style = STYLES.get(text.strip())
    if style is None and text.startswith("-$"):
        style = "red"
    return Text(text, style=style or "")
