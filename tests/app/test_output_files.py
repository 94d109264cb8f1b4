"""Files roi-ledger writes (reports, scored opportunities, exports, backups) never land on the
ledger however it is spelled, are written whole or not at all, and follow the umask."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, event_count

NOW = "2026-03-01T12:00:00Z"


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A demo ledger named roi-ledger.db in the working directory, as users have it."""
    monkeypatch.chdir(tmp_path)
    cli = Cli("roi-ledger.db")
    cli.json("demo", "--days", "5", "--now", NOW)
    return cli


def spellings(tmp_path: Path) -> list[str]:
    """Every way to name the ledger (or the files SQLite keeps beside it)."""
    os.symlink(tmp_path / "roi-ledger.db", tmp_path / "link.md")
    (tmp_path / "sub").mkdir(exist_ok=True)
    return [
        "roi-ledger.db",
        "./roi-ledger.db",
        str(tmp_path / "roi-ledger.db"),
        "sub/../roi-ledger.db",
        "link.md",
        "roi-ledger.db-wal",
        "roi-ledger.db-shm",
        "roi-ledger.db-journal",
    ]


def assert_intact(cli: Cli, before: str, events: int) -> str:
    """The file is byte for byte what it was, and verifies; the digest after the verify
    (which keeps its outcome in the ledger, for /metrics)."""
    assert digest_of(Path(cli.db)) == before
    assert event_count(cli.db) == events
    assert cli.json("verify")["ok"]
    import sqlite3

    with contextlib.closing(sqlite3.connect(cli.db)) as db:  # the verify's write, in the file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return digest_of(Path(cli.db))


def test_no_command_writes_onto_the_ledger_however_it_is_spelled(demo: Cli, tmp_path: Path) -> None:
    """The defect: `roi markdown --output roi-ledger.db` overwrote the ledger and exited 0."""
    before, events = digest_of(Path(demo.db)), event_count(demo.db)
    opportunities = tmp_path / "o.json"
    opportunities.write_text('[{"id": "o1", "type": "golf_coaching", "source": "email"}]')
    for target in spellings(tmp_path):
        for args in (
            ["roi", "markdown", "--output", target],
            ["score", str(opportunities), "--output", target],
            ["export", "--output", target],
            ["backup", target],
        ):
            error = demo.error(*args)
            assert "ledger" in error["error"], (args, error)
            before = assert_intact(demo, before, events)
            assert not (tmp_path / "roi-ledger.db-journal").exists()


def test_a_summary_whose_file_name_is_the_ledger_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    cli = Cli(out / "decision-summary-2026-03-01.json")
    cli.json("demo", "--days", "3", "--now", NOW)
    before = digest_of(Path(cli.db))
    error = cli.error("decisions", "summary", "--date", "2026-03-01", "--output-dir", str(out))
    assert "ledger" in error["error"]
    assert digest_of(Path(cli.db)) == before


def test_any_sqlite_database_is_refused_as_an_output(demo: Cli, tmp_path: Path) -> None:
    other = Cli(tmp_path / "other.db")
    other.json("init")
    before = digest_of(tmp_path / "other.db")
    error = demo.error("roi", "markdown", "--output", str(tmp_path / "other.db"))
    assert "SQLite database" in error["error"]
    assert digest_of(tmp_path / "other.db") == before


def test_score_refuses_its_output_before_recording_anything(demo: Cli, tmp_path: Path) -> None:
    events = event_count(demo.db)
    opportunities = tmp_path / "o.json"
    opportunities.write_text('[{"id": "o9", "type": "golf_coaching", "source": "email"}]')
    demo.error("score", str(opportunities), "--output", "roi-ledger.db")
    assert event_count(demo.db) == events


def test_backup_into_a_missing_directory_is_one_clear_line(demo: Cli, tmp_path: Path) -> None:
    result = demo("backup", str(tmp_path / "nope" / "dir" / "copy.db"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def run_with_file_limit(args: list[str], cwd: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess that may not grow any file beyond `limit` bytes: a full disk
    for whatever it writes. A connection held open here keeps the ledger's WAL and shared-
    memory files in place, so the ledger itself opens as it would on a full disk."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    holder = sqlite3.connect(cwd / "roi-ledger.db")
    try:
        holder.execute("SELECT count(*) FROM events").fetchone()
        return subprocess.run(
            [sys.executable, "-m", "ledger", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            preexec_fn=limit_files,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        )
    finally:
        holder.close()


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--output", "log.jsonl"],
        ["roi", "markdown", "--output", "log.jsonl", "--now", NOW],
        ["backup", "log.jsonl"],
    ],
)
def test_a_full_disk_leaves_no_empty_or_half_file_and_one_clear_line(
    demo: Cli, tmp_path: Path, args: list[str]
) -> None:
    """The defect: a full disk during export left a 0-byte file (and a traceback)."""
    run = run_with_file_limit(["--db", "roi-ledger.db", *args], tmp_path, 2_000)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "space" in run.stderr or "too large" in run.stderr or "full" in run.stderr
    assert not (tmp_path / "log.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".log.jsonl")] == []


def test_an_interrupted_rewrite_keeps_the_old_file_whole(demo: Cli, tmp_path: Path) -> None:
    demo.json("export", "--output", "log.jsonl")
    old = (tmp_path / "log.jsonl").read_text()
    run = run_with_file_limit(["--db", "roi-ledger.db", "export", "--output", "log.jsonl"],
                              tmp_path, 2_000)  # fmt: skip
    assert run.returncode == 1
    assert (tmp_path / "log.jsonl").read_text() == old


def test_reports_follow_the_umask_not_0600(demo: Cli, tmp_path: Path) -> None:
    """The defect: reports and scored files were created 0600 whatever the umask said."""
    old = os.umask(0o022)
    try:
        demo.json("roi", "markdown", "--output", "report.md", "--now", NOW)
        demo.json("decisions", "summary", "--date", "2026-03-01", "--output-dir", "out")
        demo.json("export", "--output", "log.jsonl")
    finally:
        os.umask(old)
    for path in (tmp_path / "report.md", tmp_path / "log.jsonl",
                 *(tmp_path / "out").iterdir()):  # fmt: skip
        assert path.stat().st_mode & 0o777 == 0o644, path


def test_export_writes_exactly_what_it_says(demo: Cli, tmp_path: Path) -> None:
    result = demo.json("export", "--output", "log.jsonl")
    lines = (tmp_path / "log.jsonl").read_text().splitlines()
    assert result["exported"] == len(lines) == event_count(demo.db)
    assert json.loads(lines[0])["seq"] == 1
