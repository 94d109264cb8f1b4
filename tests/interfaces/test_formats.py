"""Read commands take --format table|json|csv|markdown (--json stays its shorthand): CSV
carries the JSON's own values, Markdown the table as people read it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import Cli

NOW = "2026-03-01T12:00:00Z"
LISTS = [
    ["roi", "summary"],
    ["roi", "top-performers"],
    ["roi", "alerts", "--now", NOW],
    ["decisions", "conversions", "--by", "source"],
    ["decisions", "insights"],
    ["decisions", "roi"],
    ["decisions", "search", "deck"],
    ["pattern", "list"],
    ["log", "--limit", "5"],
]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("formats") / "demo.db")
    cli.json("demo", "--days", "20", "--now", NOW)
    return cli


def same(cell: str, value: object) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return Decimal(cell) == Decimal(str(value)) or float(cell) == value
    if isinstance(value, str):
        return cell == value
    return json.loads(cell) == value


@pytest.mark.parametrize("args", LISTS, ids=lambda a: " ".join(a[:2]))
def test_csv_carries_the_json_values(cli: Cli, args: list[str]) -> None:
    rows = cli.json(*args)
    result = cli(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.split("\n\n")[0]  # commands with several tables: one block each
    parsed = list(csv.DictReader(io.StringIO(first)))
    assert len(parsed) == len(rows) > 0
    for row, cells in zip(rows, parsed, strict=True):
        for key, value in row.items():
            if key == "payload":  # the log's payload: its fields as JSON
                assert json.loads(cells[key]) == value
            else:
                assert same(cells[key], value), (key, cells[key], value)


@pytest.mark.parametrize("args", LISTS, ids=lambda a: " ".join(a[:2]))
def test_markdown_is_a_table_and_json_is_the_json(cli: Cli, args: list[str]) -> None:
    text = cli(*args, "--format", "markdown").stdout
    lines = [line for line in text.splitlines() if line.startswith("|")]
    assert lines[1].startswith("|---") and len(lines) >= 3
    assert json.loads(cli(*args, "--format", "json").stdout) == cli.json(*args)


def test_a_summary_of_fields_and_tables_prints_each_in_the_format(cli: Cli) -> None:
    text = cli("roi", "dashboard", "--now", NOW, "--format", "markdown").stdout
    separators = [line for line in text.splitlines() if line.startswith("|---")]
    assert len(separators) == 3  # the fields, the top five, needs attention
    blocks = cli("roi", "dashboard", "--now", NOW, "--format", "csv").stdout.split("\n\n")
    plain = [k for k, v in cli.json("roi", "dashboard", "--now", NOW).items()
             if not isinstance(v, list | dict)]  # fmt: skip
    assert blocks[0].splitlines()[0] == ",".join(plain)  # the JSON's own fields, one row


def test_an_unknown_format_is_refused_naming_it(cli: Cli) -> None:
    error = cli.error("roi", "summary", "--format", "xml")
    assert error["details"]["field"] == "format" and "markdown" in error["error"]


def test_a_reader_that_stops_early_is_not_an_error(cli: Cli) -> None:
    """`roi-ledger log --format csv | head -1`: the closed pipe ends the run quietly."""
    command = [sys.executable, "-m", "ledger", "--db", cli.db, "log", "--limit", "900",
               "--format", "csv"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        errors = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert first.startswith(b"seq,") and code == 0 and b"Broken pipe" not in errors
    assert Path(cli.db).exists()
