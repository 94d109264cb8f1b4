"""Printing: JSON for programs (Decimals become numbers only here), tables for people."""

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, Self

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


Column = tuple[str, Callable[[dict[str, Any]], str]]

FORMAT: ContextVar[str] = ContextVar("FORMAT", default="table")
"""How tables print in this command: table, csv (the rows' raw values) or markdown."""
BLOCKS: ContextVar[int] = ContextVar("BLOCKS", default=0)
"""CSV blocks this command has written (several tables: one block each, a blank line
between them)."""


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

    lines = [f"### {esc(title.strip())}", ""] if title and title.strip() else []
    lines.append("| " + " | ".join(esc(h) for h in headers) + " |")
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines.extend("| " + " | ".join(esc(c) for c in row) + " |" for row in cells)
    sys.stdout.write("\n".join(lines) + "\n\n")


QUIET: ContextVar[bool] = ContextVar("QUIET", default=False)
"""`--quiet`: a command that records says nothing on success (warnings and errors still
go to stderr; --json still prints)."""
WIDE: ContextVar[bool] = ContextVar("WIDE", default=False)
"""`--wide`: every column of every table, however narrow the terminal."""


def console() -> Any:
    """A rich console that prints text as written (no markup, no emoji codes, no guessing at
    highlights): as wide as the terminal (or `COLUMNS`); when output is piped, 160 columns.
    Colour only on a terminal, and never under NO_COLOR (rich reads it)."""
    import os

    from rich.console import Console

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) >= 20:
        width: int | None = int(columns)
    else:
        width = None if sys.stdout.isatty() else 160
    return Console(width=width, markup=False, emoji=False, highlight=False)


_NUMBER = re.compile(r"^[-+]?[$]?[-+]?[\d.,]+(%| s| pt| ms|×)?$|^–$")
"""A cell that is a figure: it is never cut or wrapped."""
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


def fit(headers: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> list[int]:
    """Which columns a table of this width shows: all that fit once text columns wrap (to
    no less than 12 characters or their header); past that, columns from the right are
    left out (never the first two). Figures are never cut."""
    n = len(headers)
    natural = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    numeric = [all(_NUMBER.match(row[i].strip()) for row in cells) for i in range(n)]
    least = [
        natural[i] if numeric[i] else min(natural[i], max(12, len(headers[i]))) for i in range(n)
    ]
    kept = list(range(n))
    # the first to go: what the other columns already imply or what is detail; then from
    # the right
    order = [i for h in LEAST_NEEDED for i in range(2, n) if headers[i] == h]
    order += [i for i in reversed(range(2, n)) if i not in order]
    for i in order:
        if sum(least[j] for j in kept) + 3 * len(kept) + 1 <= width:
            break
        kept.remove(i)
    return kept


LEAST_NEEDED = (
    "0–100%", "status", "hours to convert", "per decision", "95% interval", "deals",
    "responses", "time saved (s)",
)  # fmt: skip
"""Headers left out first when a table does not fit (the chart column, the detail)."""


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
    out = console()
    headers = [h for h, _ in columns]
    cells = [[printable(render(row)) for _, render in columns] for row in rows]
    if WIDE.get():  # every column at its natural width, past the terminal's edge if need be
        natural = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
        out.width = max(out.width, sum(natural) + 3 * len(headers) + 1)
    kept = list(range(len(headers))) if WIDE.get() else fit(headers, cells, out.width)
    table = Table(title=printable(title) if title else None, header_style="bold")
    for i in kept:
        figure = all(_NUMBER.match(row[i].strip()) for row in cells)
        if figure:
            width = max([len(headers[i]), *(len(row[i]) for row in cells)])
            table.add_column(headers[i], no_wrap=True, min_width=width, justify="right")
        else:
            table.add_column(headers[i], overflow="fold")
    for row in cells:
        table.add_row(*(_styled(row[i]) for i in kept))
    out.print(table)
    hidden = [headers[i] for i in range(len(headers)) if i not in kept]
    if hidden:
        out.print(
            f"Not shown at this width: {', '.join(hidden)} (--wide shows every column; "
            "--json every field)"
        )


def print_list(title: str, items: Sequence[str]) -> None:
    """A titled list of sentences: bullets on the terminal, a Markdown list under
    --format markdown (CSV carries them in the JSON's rows)."""
    if FORMAT.get() == "markdown":
        lines = [f"### {printable(title)}", "", *(f"- {printable(i)}" for i in items)]
        sys.stdout.write("\n".join(lines) + "\n\n")
        return
    echo(f"\n{title}:")
    for item in items:
        echo(f"  • {item}")


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


def stderr_console() -> Any:
    """A rich console on stderr, where progress bars go (stdout carries the answer)."""
    from rich.console import Console

    return Console(stderr=True)


class ProgressBar:
    """A rich progress bar on stderr when `enabled` (a terminal), nothing otherwise; its
    `advance(n)` is the progress callback the ledger's long operations take."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        """`total` None: a length not known in advance (a pulsing bar)."""
        self.enabled = enabled and (total is None or total > 0)
        if self.enabled:
            from rich.progress import Progress

            self.progress = Progress(console=stderr_console(), transient=True)
            self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> Self:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.progress.stop()

    def advance(self, n: int) -> None:
        if self.enabled:
            self.progress.advance(self.task, n)
