"""Every amount, duration, timestamp, id and text has a documented range: anything outside is
refused with exit 2, naming the field in words, echoing at most a clipped piece of the input,
writing nothing — and no output ever carries NaN or Infinity."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, event_count

APPROVE = ["pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost", "0.02"]


def run(*overrides: str) -> list[str]:
    """`record execution` of pattern p with some options replaced."""
    options = {
        "--pattern-id": "p",
        "--execution-time-seconds": "5",
        "--actual-cost": "0.01",
    }
    extra: list[str] = []
    for flag, value in zip(overrides[::2], overrides[1::2], strict=True):
        if flag in options:
            options[flag] = value
        else:
            extra += [flag, value]
    return ["record", "execution", *(x for kv in options.items() for x in kv), "--success", *extra]


def refused(cli: Cli, args: list[str], field: str) -> str:
    """Exit 2, the field named, nothing written, no traceback; returns the message."""
    before = event_count(cli.db)
    result = cli(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert field in result.stderr, result.stderr
    assert event_count(cli.db) == before
    error = cli.error(*args)
    assert field in error["error"]
    return str(error["error"])


@pytest.fixture
def approved(cli: Cli) -> Cli:
    cli.json(*APPROVE)
    return cli


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--execution-time-seconds", "1e309"),
        ("--execution-time-seconds", "31622401"),
        ("--execution-time-seconds", "nan"),
        ("--actual-cost", "1e999999"),
        ("--actual-cost", "1e9999999999"),
        ("--actual-cost", "1000000000000.01"),
        ("--actual-cost", "0.000000000001"),  # 12 places: more than the 10 documented
        ("--estimated-cost", "-0.01"),
        ("--workflow-id", "99999999999999999999999"),
        ("--workflow-id", "9007199254740992"),  # 2**53: beyond what JSON carries exactly
    ],
)
def test_amounts_durations_and_ids_beyond_their_range_are_refused_naming_the_field(
    approved: Cli, flag: str, value: str
) -> None:
    refused(approved, run(flag, value), flag.removeprefix("--").replace("-", "_"))


def test_the_largest_values_in_range_are_accepted_and_json_stays_finite(approved: Cli) -> None:
    approved.json(
        *run(
            "--execution-time-seconds", "31622400", "--actual-cost", "1000000000000",
            "--workflow-id", "9007199254740991", "--estimated-cost", "0.0000000001",
        )
    )  # fmt: skip
    for args in (["roi", "pattern", "p"], ["roi", "summary"], ["roi", "dashboard"], ["log"]):
        text = approved(*args, "--json").stdout
        assert "Infinity" not in text and "NaN" not in text
        json.loads(text)


def test_revenue_beyond_range_is_refused(cli: Cli) -> None:
    cli.json("record", "decision", "--decision-id", "d", "--type", "t", "--source", "s",
             "--action", "a")  # fmt: skip
    base = ["record", "outcome", "--decision-id", "d", "--outcome-type", "sale"]
    refused(cli, [*base, "--status", "success", "--revenue", "1e309"], "revenue")


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z"]
)
def test_timestamps_outside_1970_to_a_year_ahead_are_refused(approved: Cli, stamp: str) -> None:
    message = refused(approved, run("--executed-at", stamp), "executed_at")
    assert "1970" in message or "year ahead" in message


@pytest.mark.parametrize(
    ("pattern_id", "words"),
    [
        ("a b", "spaces"),
        ("a\x1b[31mb", "control characters"),
        ("a\u202eb", "control characters"),
        ("x" * 201, "at most 200"),
    ],
)
def test_bad_ids_are_refused_in_words_not_regexes(cli: Cli, pattern_id: str, words: str) -> None:
    """The defect: `String should match pattern '^[^\\s]+$'` and `(--pattern-id)` for what is a
    positional argument."""
    args = ["pattern", "approve", pattern_id, "--estimated-time-seconds", "1",
            "--estimated-cost", "1"]  # fmt: skip
    message = refused(cli, args, "pattern_id")
    assert words in message
    assert "should match pattern" not in message and "^[" not in message
    assert "--pattern-id" not in message


def test_an_error_echoes_a_clipped_piece_of_a_huge_input(cli: Cli) -> None:
    """A 100 kB id used to come back as a 100 kB error."""
    result = cli(*run("--pattern-id", "x" * 100_000, "--actual-cost", "y" * 100_000))
    assert result.exit_code == 2
    assert len(result.stderr) < 2_000, len(result.stderr)


def test_context_has_a_size_and_a_depth_limit(cli: Cli) -> None:
    base = ["record", "decision", "--decision-id", "d", "--type", "t", "--source", "s",
            "--action", "a", "--context"]  # fmt: skip
    refused(cli, [*base, json.dumps({"blob": "x" * 20_000})], "context")
    deep: object = 1
    for _ in range(40):
        deep = {"k": deep}
    refused(cli, [*base, json.dumps(deep)], "context")
    refused(cli, [*base, '{"n": 123456789012345678901}'], "context")
    ok = cli.json(*base, json.dumps({"n": 9007199254740991, "f": 0.00001}))
    assert ok["duplicate"] is False


def test_text_fields_refuse_nul_and_escape_characters_but_keep_line_breaks(cli: Cli) -> None:
    base = ["record", "decision", "--decision-id", "d", "--type", "t", "--source", "s"]
    refused(cli, [*base, "--action", "a\x00b"], "action_taken")
    refused(cli, [*base, "--action", "a", "--sender", "\x1b]0;pwned\x07"], "sender")
    cli.json(*base, "--action", "replied\n\twith a link")


def test_python_floats_are_rounded_to_the_documented_precision(ledger: object) -> None:
    """A duration from time.time() differences and a cost computed in floats are binary
    approximations: they are rounded (seconds to 6 places, USD to 10), not refused."""
    from decimal import Decimal

    from ledger import Ledger

    assert isinstance(ledger, Ledger)
    ledger.approve_pattern("p", 60, 0.015)
    ledger.record_execution("p", 4.76837158203125e-07, 0.0001 * 4.76837158203125e-07, True)
    row = ledger.executions("p")[0]
    assert row["execution_time_seconds"] == Decimal("0.000000")
    assert row["actual_cost"] == Decimal("0.0000000000")


def test_ids_and_labels_are_one_unicode_form_and_carry_no_invisible_characters(
    cli: Cli,
) -> None:
    """Found by attacking the CLI: `café` approved in one Unicode form was 'unknown' when
    recorded in the other, both could be approved as look-alike patterns, and `p` with a
    zero-width space was a different pattern from `p`."""
    nfc, nfd = "caf\u00e9", "cafe\u0301"
    cli.json("pattern", "approve", nfc, "--estimated-time-seconds", "60", "--estimated-cost", "1")
    cli.json("record", "execution", "--pattern-id", nfd, "--execution-time-seconds", "5",
             "--actual-cost", "0.01", "--success")  # fmt: skip
    assert cli.json("roi", "pattern", nfd)["total_executions"] == 1
    assert [p["pattern_id"] for p in cli.json("pattern", "list")] == [nfc]
    refused(cli, ["pattern", "approve", "p\u200b", "--estimated-time-seconds", "1",
                  "--estimated-cost", "1"], "pattern_id")  # fmt: skip
    base = ["record", "decision", "--type", "golf", "--action", "a", "--source"]
    cli.json(*base, "e\u0301mail", "--decision-id", "d1")
    cli.json(*base, "\u00e9mail", "--decision-id", "d2")
    assert [r["source_type"] for r in cli.json("decisions", "conversions")] == ["\u00e9mail"]


APPROVE_LINE = json.dumps(
    {"command": "approve", "pattern_id": "p", "estimated_time_seconds": 60, "estimated_cost": 1}
)


def test_an_endless_input_is_refused_in_words(cli: Cli) -> None:
    """The defect: `score /dev/zero` and `record batch /dev/zero` ended in MemoryError
    tracebacks."""
    for args in (["record", "batch", "/dev/zero"], ["score", "/dev/zero", "--no-record"]):
        result = cli(*args)
        assert result.exit_code == 2 and "Traceback" not in result.output, args
        assert "bytes" in result.output
    assert event_count(cli.db) == 0


def test_a_line_longer_than_any_command_stops_the_batch_after_the_lines_before_it(
    cli: Cli, tmp_path: object
) -> None:
    """The lines before an over-long one are recorded; it is refused by its number, and
    nothing after it is read (it may be a binary file)."""
    from pathlib import Path

    from ledger.core.inputs import MAX_LINE

    batch = Path(str(tmp_path)) / "batch.jsonl"
    long_line = json.dumps({"command": "revise", "pattern_id": "p", "reason": "x" * MAX_LINE})
    second = APPROVE_LINE.replace('"p"', '"q"')
    batch.write_text(f"{APPROVE_LINE}\n{long_line}\n{second}\n")
    result = cli.json("record", "batch", str(batch), code=2)
    assert result["accepted"] == 1 and result["rejected"] == 1
    (error,) = result["errors"]
    assert error["line"] == 2 and "longer than 1,048,576 bytes" in error["error"]
    assert event_count(cli.db) == 1


def test_a_file_read_whole_has_a_size_limit(
    cli: Cli, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from ledger.core import inputs

    monkeypatch.setattr(inputs, "MAX_WHOLE", 1000)
    array = Path(str(tmp_path)) / "batch.json"
    array.write_text(json.dumps([json.loads(APPROVE_LINE)] * 40))
    error = cli.error("record", "batch", str(array))
    assert "larger than 1,000 bytes" in error["error"] and "JSON Lines" in error["error"]
    opportunities = Path(str(tmp_path)) / "opps.json"
    opportunities.write_text(json.dumps([{"type": "t", "source": "s"}] * 100))
    error = cli.error("score", str(opportunities), "--no-record")
    assert "larger than 1,000 bytes" in error["error"]
    assert event_count(cli.db) == 0


def test_reading_a_huge_line_takes_bounded_memory(tmp_path: object) -> None:
    """The defect: a 400 MB batch line was refused, but only after peaking at 2.4 GB. The
    peak resident size of `record batch` on a 200 MB line stays far below the line."""
    import subprocess
    import sys
    from pathlib import Path

    folder = Path(str(tmp_path))
    huge = folder / "huge.jsonl"
    with huge.open("w") as handle:
        handle.write(APPROVE_LINE + "\n")
        handle.write('{"command": "revise", "pattern_id": "p", "reason": "')
        chunk = "x" * (1 << 20)
        for _ in range(200):
            handle.write(chunk)
        handle.write('"}\n')
    probe = (
        "import resource, subprocess, sys;"
        "r = subprocess.run([sys.executable, '-m', 'ledger', '--db', sys.argv[1], 'record',"
        " 'batch', sys.argv[2]], capture_output=True);"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(folder / "l.db"), str(huge)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    code, peak_kb = map(int, out.stdout.split())
    assert code == 2
    assert peak_kb < 150_000, f"peak {peak_kb} KB reading a 200 MB line"
