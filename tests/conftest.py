"""Shared fixtures: real SQLite files in tmp_path, the real PostgreSQL server when configured,
and a CLI runner that parses --json output."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ledger import Ledger
from ledger.interfaces.cli import build_app

PG_URL = os.environ.get("ROI_LEDGER_TEST_PG_URL")

# No settings file of the machine's user (~/.config/roi-ledger/roi-ledger.toml) may steer the
# tests: they look in an empty folder of their own (ledger/settings.py).
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="roi-ledger-tests-config-")
os.environ.pop("ROI_LEDGER_CONFIG", None)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh ledger file location."""
    return tmp_path / "ledger.db"


@pytest.fixture
def ledger(any_location: str) -> Iterator[Ledger]:
    """An open ledger on each backend in turn: a real SQLite file, then (when configured) a
    fresh schema on the real PostgreSQL server."""
    with Ledger.open(any_location) as led:
        yield led


@pytest.fixture
def sqlite_ledger(db_path: Path) -> Iterator[Ledger]:
    """An open ledger on a real SQLite file, for what only SQLite has (its file, backup)."""
    with Ledger.open(db_path) as led:
        yield led


def pg_schema_url(base: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


BACKENDS = [
    pytest.param("sqlite"),
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not PG_URL, reason="ROI_LEDGER_TEST_PG_URL is not set: no PostgreSQL server"
        ),
    ),
]
"""Parametrise a test over both backends (for tests that make many ledgers, e.g. per
hypothesis example, with `fresh_location`)."""


@contextmanager
def fresh_location(backend: str) -> Iterator[str]:
    """A new, empty ledger location on a backend: a file in a temp folder, or a schema."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "ledger.db")
    else:
        assert PG_URL is not None
        yield from pg_schema_url(PG_URL)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL ledger URL in its own schema (skipped when no server is configured)."""
    if not PG_URL:
        pytest.skip("ROI_LEDGER_TEST_PG_URL is not set: no PostgreSQL server to test against")
    yield from pg_schema_url(PG_URL)


@pytest.fixture(params=["sqlite", "postgres"])
def any_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each backend in turn: the contract suite runs against both."""
    if request.param == "sqlite":
        yield str(tmp_path / "contract.db")
    else:
        if not PG_URL:
            pytest.skip("ROI_LEDGER_TEST_PG_URL is not set: no PostgreSQL server to test against")
        yield from pg_schema_url(PG_URL)


class Cli:
    """Runs `roi-ledger --db <path> ...` in-process through typer's CliRunner."""

    def __init__(self, db: Path | str) -> None:
        self.db = str(db)
        self.runner = CliRunner()
        self.app = build_app()

    def __call__(self, *args: str, input: str | None = None) -> Any:
        return self.runner.invoke(self.app, ["--db", self.db, *args], input=input)

    def json(self, *args: str, code: int = 0) -> Any:
        """Run with --json, assert the exit code, return the parsed stdout."""
        result = self(*args, "--json")
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        return json.loads(result.stdout)

    def error(self, *args: str, code: int = 2) -> dict[str, Any]:
        """Run with --json expecting failure; return the parsed error object from stderr."""
        result = self(*args, "--json")
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert result.stdout == ""
        parsed: dict[str, Any] = json.loads(result.stderr)
        return parsed


@pytest.fixture
def cli(db_path: Path) -> Cli:
    """The CLI on a fresh ledger file."""
    return Cli(db_path)


def event_count(path: Path | str) -> int:
    """How many events a SQLite ledger file holds (0 if it does not exist yet)."""
    if not Path(path).exists():
        return 0
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return 0
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def dump_projections(led: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, ordered by primary key (for row-for-row comparison)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with led.service.backend.read() as db:
        for projection in led.service.projector.projections:
            for table in projection.tables:
                order = ", ".join(table.primary_key)
                rows = db.execute(f"SELECT * FROM {table.name} ORDER BY {order}").fetchall()
                out[table.name] = [tuple(r) for r in rows]
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Under ROI_LEDGER_NO_SKIPS (CI sets it) a skipped test fails: CI has the PostgreSQL
    server and the browser, so a suite that would skip for want of one must not pass."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("ROI_LEDGER_NO_SKIPS") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but ROI_LEDGER_NO_SKIPS forbids it: {reason}"
