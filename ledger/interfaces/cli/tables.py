"""Tables for people: on the terminal (rich, fitted to its width, coloured where a word means
something), as Markdown under --format markdown, or as CSV rows (the raw values) under
--format csv."""

import re
import sys
from collections.abc import Sequence
from typing import Any

from ledger.interfaces.cli.output import (
    BLOCKS,
    FORMAT,
    WIDE,
    Column,
    _styled,
    csv_cell,
    echo,
    printable,
)


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
