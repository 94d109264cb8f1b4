"""A receipt on the terminal (`roi explain`, `decisions explain`): each figure's formula with
its numbers filled in, the events it comes from and the head of the log it was computed at."""

from typing import Any

from ledger.interfaces.cli.output import Column, column, echo, fmt, money
from ledger.interfaces.cli.tables import print_table


def _value(figure: dict[str, Any]) -> str:
    """A receipt's figure: money as money (a sub-cent saving is never `0.0000`), an
    interval as its two ends, any other figure to four decimals."""
    value = figure["value"]
    if isinstance(value, list):
        return " – ".join(fmt(v, 2) for v in value)
    return money(value) if str(figure["figure"]).endswith("_usd") else fmt(value, 4)


FIGURE_COLUMNS: list[Column] = [
    column("figure", "figure"),
    column("formula", "formula"),
    column("filled in", "filled_in"),
    ("value", _value),
]


def print_receipt(what: str, data: dict[str, Any]) -> None:
    """A receipt for people, titled by what it is for and its window: the figures, then
    where they come from."""
    print_table(f"{what}, {data['window']['period']}", FIGURE_COLUMNS, data["figures"])
    events = ", ".join(f"{k} {v}" for k, v in data["events"].items())
    echo(f"From: {events}")
    echo(f"At the head seq {data['as_of_seq']} ({data['as_of_hash']}).")
    echo(f"Recompute from the log: {data['recompute']}")
