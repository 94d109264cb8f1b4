"""Printing: JSON for programs (Decimals become numbers only here), tables for people."""

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from ledger.encoding import jsonable

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
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def print_json_items(items: Iterable[Any]) -> None:
    """A JSON array on stdout, written an item at a time (the same text `print_json` writes
    for the whole list, without holding it)."""
    out = sys.stdout
    out.write("[")
    first = True
    for item in items:
        text = json.dumps(jsonable(item), indent=2, ensure_ascii=False)
        out.write(("\n" if first else ",\n") + "\n".join("  " + line for line in text.split("\n")))
        first = False
    out.write("]\n" if first else "\n]\n")


def print_warning(result: dict[str, Any]) -> None:
    """A warning that came with a result (e.g. the chain is broken), on stderr."""
    if result.get("warning"):
        echo(f"Warning: {result['warning']}", err=True)


def print_recorded(result: dict[str, Any], as_json: bool, what: str) -> None:
    """What a record-type command answers: its JSON, or one line for people."""
    print_warning(result)
    if as_json:
        print_json(result)
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
        sys.stderr.write(json.dumps({"error": message, "details": jsonable(details)}) + "\n")
    else:
        sys.stderr.write(f"Error: {printable(message)}\n")


def fmt(value: Any, places: int = 2) -> str:
    """A cell: Decimals and floats rounded for reading, None as a dash."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | float):
        return f"{value:,.{places}f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v, places) for v in value)
    return printable(str(value))


def money(value: Any) -> str:
    """$1,234.56, or four decimals under a dollar ($0.0035): per-run costs are often cents."""
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    size = abs(value)
    return f"{sign}${size:,.2f}" if size >= 1 or size == 0 else f"{sign}${size:,.4f}"


def pct(value: Any, scale: int = 1) -> str:
    """A percentage with one decimal ('98.7%'); scale 100 for 0..1 rates."""
    return "–" if value is None else f"{value * scale:,.1f}%"


Column = tuple[str, Callable[[dict[str, Any]], str]]

FORMAT: ContextVar[str] = ContextVar("FORMAT", default="table")
"""How tables print in this command: table, csv (the rows' raw values) or markdown."""
BLOCKS: ContextVar[int] = ContextVar("BLOCKS", default=0)
"""CSV blocks this command has written (several tables: one block each, a blank line
between them)."""


def csv_cell(value: Any) -> str:
    """A raw value for CSV: exact decimals, true/false, empty for none, JSON for lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    return json.dumps(jsonable(value), ensure_ascii=False)


def _write_csv(rows: Sequence[dict[str, Any]]) -> None:
    import csv

    if BLOCKS.get():
        sys.stdout.write("\n")
    BLOCKS.set(BLOCKS.get() + 1)
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows([[csv_cell(row.get(k)) for k in keys] for row in rows])


def _markdown(title: str | None, headers: Sequence[str], cells: Sequence[Sequence[str]]) -> None:
    def esc(text: str) -> str:
        return printable(text).replace("|", "\\|").replace("\n", " ")

    lines = [f"### {esc(title)}", ""] if title else []
    lines.append("| " + " | ".join(esc(h) for h in headers) + " |")
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(esc(c) for c in row) + " |" for row in cells)
    sys.stdout.write("\n".join(lines) + "\n\n")


def console() -> Any:
    """A rich console that prints text as written (no markup, no emoji codes, no guessing at
    highlights); when output is piped, wide enough that no column is truncated."""
    from rich.console import Console

    width = None if sys.stdout.isatty() else 160
    return Console(width=width, markup=False, emoji=False, highlight=False)


def print_table(
    title: str | None, columns: Sequence[Column], rows: Sequence[dict[str, Any]]
) -> None:
    """A rich table on the terminal (plain aligned text when piped)."""
    form = FORMAT.get()
    if form == "csv":  # one block per table; several tables are separated by a blank line
        _write_csv(rows)
        return
    if form == "markdown":
        _markdown(title, [h for h, _ in columns], [[r(row) for _, r in columns] for row in rows])
        return
    from rich.table import Table

    if not rows:
        console().print(printable(f"{title + ': ' if title else ''}nothing to show"))
        return
    table = Table(title=printable(title) if title else None, header_style="bold")
    for header, _ in columns:
        table.add_column(header)
    for row in rows:
        table.add_row(*(printable(render(row)) for _, render in columns))
    console().print(table)


def print_fields(title: str | None, pairs: Sequence[tuple[str, str]]) -> None:
    """A two-column key/value table."""
    form = FORMAT.get()
    if form == "csv":
        _write_csv([{"field": k, "value": v} for k, v in pairs])
        return
    if form == "markdown":
        _markdown(title, ["field", "value"], [list(p) for p in pairs])
        return
    from rich.table import Table

    table = Table(title=printable(title) if title else None, show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key, value in pairs:
        table.add_row(key, printable(value))
    console().print(table)
