"""What reaches a terminal: user-supplied text is shown as written (no rich markup, no emoji
codes) and never as raw control or escape sequences; long values are clipped; the CLI's
own conveniences (--version, --db anywhere, help that keeps option names whole)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from events import GENESIS_HASH, chain_hash
from tests.conftest import Cli

RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def test_ids_that_look_like_markup_or_emoji_codes_are_shown_as_written(cli: Cli) -> None:
    """The defect: `[bold]x[/bold]` showed as `x` and `:x:` became an emoji."""
    for pattern in ("[bold]x[/bold]", ":x:", "[link=http://evil]y[/link]"):
        cli.json("pattern", "approve", pattern, "--estimated-time-seconds", "1",
                 "--estimated-cost", "1")  # fmt: skip
    for args in (["roi", "summary"], ["pattern", "list"], ["log"]):
        out = cli(*args).stdout
        assert "[bold]x[/bold]" in out and ":x:" in out and "[link=http://evil]y[/link]" in out
        assert "❌" not in out


def test_control_characters_in_stored_events_never_reach_the_terminal_raw(cli: Cli) -> None:
    """Input refuses them now, but an imported or older log may hold them."""
    cli.json("init")
    nasty = "ok\x1b]0;pwned\x07\x1b[2J\u202eevil\x9b"
    payload = json.dumps(
        {"approved_by": nasty, "confidence": None, "description": nasty,
         "estimated_cost": "1", "estimated_time_seconds": "1", "pattern_id": "p"},
        separators=(",", ":"), sort_keys=True,
    )  # fmt: skip
    stamp = "2026-01-01T00:00:00.000000Z"
    row = (1, "pattern:p", 1, "PatternApproved", 2, stamp, stamp, payload, None)
    import sqlite3

    with sqlite3.connect(cli.db) as conn:
        conn.execute(
            "INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (*row, GENESIS_HASH, chain_hash(GENESIS_HASH, *row)),
        )
    cli.json("rebuild")
    for args in (["log"], ["history", "pattern:p"], ["pattern", "list"], ["roi", "summary"]):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
        for char in RAW:
            assert char not in result.stdout + result.stderr, (args, char)
        assert "pwned" in result.stdout or args == ["roi", "summary"]


def test_log_shows_payload_values_as_json_and_clips_huge_ones(cli: Cli) -> None:
    """The defects: payloads were Python reprs ({'a': 1}); one 10 MB context made
    `log --limit 3` print 22 MB."""
    base = ["record", "decision", "--type", "t", "--source", "s", "--action", "a"]
    cli.json(*base, "--decision-id", "d1", "--context", '{"tags": ["x", 1], "ok": true}')
    cli.json(*base, "--decision-id", "d2", "--content", "y" * 9_000)
    out = cli("log", "--limit", "3").stdout
    assert 'context={"ok":true,"tags":["x",1]}' in out.replace("\n", "").replace(" ", "")
    assert "{'" not in out
    assert len(out) < 8_000


def test_an_unknown_event_type_names_the_known_ones(cli: Cli) -> None:
    cli.json("init")
    error = cli.error("log", "--type", "NoSuchType")
    assert "PatternExecutionRecorded" in error["error"] and error["details"]["field"] == "type"


def test_version_and_db_after_the_subcommand(cli: Cli, tmp_path: Path) -> None:
    result = cli.runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("roi-ledger ")
    other = tmp_path / "other.db"
    Cli(other).json("pattern", "approve", "q", "--estimated-time-seconds", "1",
                    "--estimated-cost", "1")  # fmt: skip
    rows = json.loads(cli.runner.invoke(cli.app, ["roi", "summary", "--db", str(other),
                                                   "--json"]).stdout)  # fmt: skip
    assert [r["pattern_id"] for r in rows] == ["q"]


def test_help_keeps_option_names_whole_at_80_columns() -> None:
    """The defect: `--estimated-time-secon…` in an 80-column terminal."""
    run = subprocess.run(
        [sys.executable, "-m", "ledger", "record", "execution", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert run.returncode == 0
    assert "--estimated-time-seconds" in run.stdout and "…" not in run.stdout
