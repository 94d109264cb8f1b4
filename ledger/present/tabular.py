"""Tables from JSON, one rule for every surface that writes CSV (the CLI's `--format csv`,
the API's `?format=csv`, the dashboard's downloads): a list of objects is one table, a column
per key; an object is one row of its plain fields (a list of plain values, such as an
interval, is one cell of JSON text), then a table for each list of objects or object it
holds, in the JSON's order. Values are exact: decimals as written, `true`/`false`, empty for
null."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from ledger.present.encoding import jsonable


def csv_cell(value: Any) -> str:
    """A raw value for CSV: exact decimals, true/false, empty for none, JSON for lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float | str):
        return str(value)
    return json.dumps(jsonable(value), ensure_ascii=False)


CsvBlock = tuple[list[str], list[list[str]]]


def csv_blocks(value: Any, name: str = "value") -> list[CsvBlock]:
    """A JSON value as CSV tables, in its own order: a list of objects is one table (a
    column per key); an object gives one row of its plain fields (a list of plain values,
    such as an interval, is one cell of JSON text), then a table for each list of objects
    or object it holds. Anything nested inside a table's row is JSON text in its cell."""
    if isinstance(value, list):
        if not value:  # no rows, and no way to know their columns: nothing
            return []
        if all(isinstance(v, dict) for v in value):
            keys: list[str] = []
            for row in value:
                keys.extend(k for k in row if k not in keys)
            return [(keys, [[csv_cell(row.get(k)) for k in keys] for row in value])]
        return [([name], [[csv_cell(v)] for v in value])]
    if isinstance(value, dict):

        def nested(v: Any) -> bool:
            return isinstance(v, dict) or (
                isinstance(v, list) and any(isinstance(x, dict) for x in v)
            )

        plain = {k: v for k, v in value.items() if not nested(v)}
        blocks = [(list(plain), [[csv_cell(v) for v in plain.values()]])] if plain else []
        for key, inner in value.items():
            if nested(inner):
                blocks.extend(csv_blocks(inner, key))
        return blocks
    return [([name], [[csv_cell(value)]])]


def jsonable_keep_decimals(value: Any) -> Any:
    """Tuples as lists, envelopes and models as dicts, numbers left exact (a CSV cell is
    text)."""
    if hasattr(value, "envelope"):
        return jsonable_keep_decimals(value.envelope())
    if isinstance(value, dict):
        return {str(k): jsonable_keep_decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable_keep_decimals(v) for v in value]
    if hasattr(value, "model_dump"):
        return jsonable_keep_decimals(value.model_dump())
    return value


def to_csv(value: Any) -> str:
    """A JSON value as CSV text: its tables, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for index, (headers, rows) in enumerate(csv_blocks(jsonable_keep_decimals(value))):
        if index:
            out.write("\n")
        writer.writerow(headers)
        writer.writerows(rows)
    return out.getvalue()
