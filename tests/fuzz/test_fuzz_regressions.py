"""What the fuzz properties found, pinned by minimal inputs: each `test_regression_*` was
fixed when it was found, its docstring saying what the command did before."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, event_count
from tests.fuzz.support import (
    Template,
    finite_json,
    scratch,
)


def refused_cleanly(result: Any, codes: set[int], field_name: str | None = None) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {type(exc).__name__}: {exc}"
    assert "Traceback (most recent call last)" not in result.stdout + result.stderr
    assert result.exit_code in codes, (result.exit_code, result.stderr[-600:])
    if field_name is not None:
        assert field_name in result.stderr, result.stderr[-600:]


def test_regression_import_refuses_a_non_string_idempotency_key(
    template: Template, tmp_path: Path
) -> None:
    """Was: `roi-ledger import f.jsonl`, f.jsonl one exported line with `"idempotency_key":
    []`, raised TypeError ("first argument must be a string, not list") in chain_hash: a
    traceback, exit 1. Must be: refused like any malformed line (exit 2, naming line 1)."""
    line = json.loads(template.export[0])
    line["idempotency_key"] = []
    path = tmp_path / "import.jsonl"
    path.write_text(json.dumps(line) + "\n")
    target = tmp_path / "target.db"
    result = Cli(target)("import", str(path))
    refused_cleanly(result, {2}, "line 1")
    assert event_count(target) == 0


def test_regression_import_refuses_a_deeply_nested_line(tmp_path: Path) -> None:
    """Was: `roi-ledger import f.jsonl`, f.jsonl one line of 100,000 `[` then 100,000 `]`,
    raised RecursionError: a traceback, exit 1. Must be: exit 2, line 1 is not an exported
    event (as `record batch` and `score` say of the same bytes)."""
    path = tmp_path / "import.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    target = tmp_path / "target.db"
    result = Cli(target)("import", str(path))
    refused_cleanly(result, {2}, "line 1")
    assert event_count(target) == 0


@pytest.mark.parametrize("record", [True, False], ids=["record", "no-record"])
def test_regression_score_of_a_deeply_nested_opportunity(template: Template, record: bool) -> None:
    """Found by this file, now fixed. `roi-ledger score o.json --output s.json`, o.json being
    `[{"type": "email", "source": "email", "x": {"k": {"k": … 1 …}}}]` nested 600 deep (the
    reader refuses only from about 990 levels: "JSON nested too deeply to read"): RecursionError
    in ledger/present/encoding.py jsonable(), a traceback and exit 1 — and, recording, the
    prediction
    is appended although no output file is written. Expected: exit 2 naming the input (as for
    deeper nesting), nothing appended, no file; or exit 0 with the file written."""
    depth = 600
    with scratch(template.db) as (root, cli):
        source = root / "o.json"
        nested = '{"k":' * depth + "1" + "}" * depth
        source.write_text(f'[{{"type": "email", "source": "email", "x": {nested}}}]')
        output = root / "s.json"
        before = event_count(cli.db)
        args = ["score", str(source), "--output", str(output)]
        result = cli(*args, *([] if record else ["--no-record"]))
        appended = event_count(cli.db) - before
        problems = []
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"uncaught {type(result.exception).__name__}")
        if result.exit_code not in (0, 2):
            problems.append(f"exit {result.exit_code}")
        if result.exit_code != 0 and appended:
            problems.append(f"not done, yet {appended} event(s) appended")
        if result.exit_code != 0 and output.exists():
            problems.append("not done, yet the output file was written")
        assert not problems, problems
        if result.exit_code == 2:
            assert "input" in result.stderr, result.stderr
        else:
            finite_json(output.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("key", "token"), [("seq", "1e400"), ("seq", "Infinity"), ("stream_version", "-1e309")]
)
def test_regression_import_refuses_an_infinite_number(
    template: Template, tmp_path: Path, key: str, token: str
) -> None:
    """Was: `roi-ledger import f.jsonl`, f.jsonl an exported line with `"seq": 1e400` (or
    `Infinity`, which Python's json reads too), raised OverflowError ("cannot convert float
    infinity to integer") in int(): a traceback, exit 1. Must be: exit 2 naming line 1."""
    line = template.export[0].decode()
    line = re.sub(rf'"{key}":\d+', f'"{key}":{token}', line)
    assert token in line
    path = tmp_path / "import.jsonl"
    path.write_text(line)
    target = tmp_path / "target.db"
    result = Cli(target)("import", str(path))
    refused_cleanly(result, {2}, "line 1")
    assert event_count(target) == 0


@pytest.mark.parametrize("token", ["1e309", "-1e309", "1e400"])
def test_regression_score_never_writes_infinity(template: Template, token: str) -> None:
    """Was: `roi-ledger score o.json --output s.json --json`, o.json being
    `[{"type": "email", "source": "email", "x": 1e309}]`, exited 0 with `"x": Infinity` in
    both s.json and stdout, which is not JSON. Must be: finite JSON, or a refusal (exit 2,
    no file)."""
    with scratch(template.db) as (root, cli):
        source = root / "o.json"
        source.write_text(f'[{{"type": "email", "source": "email", "x": {token}}}]')
        output = root / "s.json"
        result = cli("score", str(source), "--output", str(output), "--no-record", "--json")
        refused_cleanly(result, {0, 2})
        if result.exit_code == 0:
            finite_json(result.stdout)
            finite_json(output.read_text(encoding="utf-8"))
        else:
            assert not output.exists()


def test_regression_verify_refuses_a_digest_seq_beyond_sqlite(template: Template) -> None:
    """Was: `roi-ledger verify --digest 99999999999999999999:<64 zeros>` raised OverflowError
    ("Python int too large to convert to SQLite INTEGER"): a traceback, exit 1. Must be: exit
    2 naming the digest."""
    with scratch(template.db) as (_, cli):
        result = cli("verify", "--digest", "99999999999999999999:" + "0" * 64)
        refused_cleanly(result, {2}, "digest")


def test_regression_as_of_with_thousands_of_digits_is_refused(template: Template) -> None:
    """Was: `roi-ledger log --as-of 111…1` (4,301 digits) exited 1 with Python's "Exceeds the
    limit (4300 digits) for integer string conversion … sys.set_int_max_str_digits()". Must
    be: exit 2 naming as_of, as for any seq beyond the head."""
    with scratch(template.db) as (_, cli):
        result = cli("log", "--as-of", "1" * 4301)
        refused_cleanly(result, {2}, "as_of")


@pytest.mark.parametrize(
    "args",
    [
        ["decisions", "summary", "--output-dir", "notes.txt"],
        ["roi", "markdown", "--output", "notes.txt/report.md"],
        ["score", "o.json", "--output", "notes.txt/scored.json"],
    ],
    ids=["decisions-summary", "roi-markdown", "score"],
)
def test_regression_an_output_path_inside_a_regular_file_is_refused(
    template: Template, args: list[str]
) -> None:
    """Was: with notes.txt a regular file, `roi-ledger decisions summary --output-dir
    notes.txt` (or `roi markdown --output notes.txt/report.md`, …) exited 1, "cannot write …:
    File exists", where `schedule catch-up --reports-dir notes.txt` refuses the same mistake
    with 2; `score` had by then recorded its predictions (exit 1, events appended). Must be:
    exit 2 naming the option, nothing appended."""
    with scratch(template.db) as (root, cli):
        (root / "notes.txt").write_text("not a folder\n")
        (root / "o.json").write_text('[{"type": "email", "source": "email"}]')
        before = event_count(cli.db)
        result = cli(*args)
        appended = event_count(cli.db) - before
        refused_cleanly(result, {2}, "output")
        assert appended == 0, f"{appended} events appended"
        assert (root / "notes.txt").read_text() == "not a folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ["pattern", "approve", "z", "--estimated-time-seconds", "1", "--estimated-cost", "1",
         "--approved-at", "0001-01-01T00:00:00+01:00"],
        ["record", "execution", "--pattern-id", "p", "--execution-time-seconds", "1",
         "--actual-cost", "1", "--success", "--executed-at", "9999-12-31T23:59:59-14:00"],
        ["log", "--as-of", "0001-01-01T00:00:00+01:00"],
        ["log", "--as-of", "²"],
        ["log", "--after", "99999999999999999999"],
        ["export", "--after", "99999999999999999999", "--output", "e.jsonl"],
        ["roi", "report", "p", "--executions", "99999999999999999999"],
    ],
)  # fmt: skip
def test_regression_refused_cleanly(template: Template, args: list[str]) -> None:
    """Was: a traceback (OverflowError moving a timestamp at the calendar's end to UTC, or an
    integer beyond SQLite's), or exit 1 (`int('²')`). Must be: exit 2, nothing written."""
    with scratch(template.db) as (root, cli):
        before = event_count(cli.db)
        refused_cleanly(cli(*args), {2})
        assert event_count(cli.db) == before
        assert not (root / "e.jsonl").exists()


def test_regression_a_batch_line_off_the_calendar_costs_only_its_line(template: Template) -> None:
    """Was: one such line raised OverflowError and cost the whole run. Must be: that line
    refused, the others recorded."""
    with scratch(template.db) as (root, cli):
        path = root / "b.jsonl"
        good = {"command": "approve", "pattern_id": "z", "estimated_time_seconds": 1,
                "estimated_cost": 1}  # fmt: skip
        bad = {**good, "pattern_id": "y", "approved_at": "9999-12-31T23:59:59-14:00"}
        path.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n")
        result = cli("record", "batch", str(path), "--json")
        refused_cleanly(result, {2})
        out = finite_json(result.stdout)
        assert (out["accepted"], [e["line"] for e in out["errors"]]) == (1, [1])


def test_regression_a_refused_score_appends_nothing(template: Template) -> None:
    """Was: a score refused (exit 2) for its second opportunity's control character still
    recorded the first one's prediction. Must be: nothing appended, no file."""
    with scratch(template.db) as (root, cli):
        source = root / "o.json"
        source.write_text(
            '[{"type": "a", "source": "b", "score": 50}, {"type": "a\\u0001", "source": "b"}]'
        )
        output = root / "s.json"
        before = event_count(cli.db)
        refused_cleanly(cli("score", str(source), "--output", str(output)), {2})
        assert event_count(cli.db) == before
        assert not output.exists()
