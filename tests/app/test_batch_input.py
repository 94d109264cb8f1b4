"""`record batch` decodes and validates every line on its own: a bad one is reported by number
and skipped, the rest commit (exit 2 at the end). A UTF-8 BOM and `-` for stdin work."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli, event_count

GOOD = {"command": "execution", "pattern_id": "p", "execution_time_seconds": 1,
        "actual_cost": "0.01", "success": True}  # fmt: skip


def line(**changes: object) -> bytes:
    return json.dumps({**GOOD, **changes}).encode() + b"\n"


def batch(cli: Cli, path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = cli("record", "batch", str(path), "--json", *extra)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, json.loads(result.stdout)


def approved(cli: Cli) -> Cli:
    cli.json("pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost", "1")
    return cli


def test_an_integer_too_large_for_sqlite_costs_only_its_own_line(cli: Cli, tmp_path: Path) -> None:
    """The defect: one `workflow_id` of 99999999999999999999999 aborted the run with a
    traceback and recorded nothing."""
    path = tmp_path / "b.jsonl"
    path.write_bytes(line() + line(workflow_id=99999999999999999999999) + line(workflow_id=7))
    code, out = batch(approved(cli), path)
    assert code == 2
    assert out["accepted"] == 2 and [e["line"] for e in out["errors"]] == [2]  # type: ignore[index]
    assert "workflow_id" in out["errors"][0]["error"]  # type: ignore[index]
    assert event_count(cli.db) == 3


def test_bytes_that_are_not_utf8_cost_only_their_own_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(line() + line(error_message="x")[:-3] + b'\xff\xfe"}\n' + line())
    code, out = batch(approved(cli), path)
    assert code == 2 and out["accepted"] == 2
    error = out["errors"][0]  # type: ignore[index]
    assert error["line"] == 2 and "UTF-8" in error["error"]


def test_a_byte_order_mark_and_windows_line_ends_are_fine(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line().replace(b"\n", b"\r\n") + line())
    code, out = batch(approved(cli), path)
    assert (code, out["accepted"], out["rejected"]) == (0, 2, 0)


def test_dash_reads_standard_input(cli: Cli) -> None:
    approved(cli)
    result = cli("record", "batch", "-", "--json", input=(line() + line()).decode())
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["accepted"] == 2


def test_lines_that_are_not_objects_or_not_json_are_named(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_bytes(b'[1, 2]\n"text"\n{"command": "execution",\n' + line() + b"{" * 5000 + b"\n")
    code, out = batch(approved(cli), path)
    assert code == 2 and out["accepted"] == 1
    assert [e["line"] for e in out["errors"]] == [1, 2, 3, 5]  # type: ignore[index]


def test_a_missing_file_or_a_directory_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    for target in (tmp_path / "missing.jsonl", tmp_path):
        error = cli.error("record", "batch", str(target))
        assert str(target) in error["error"]
