"""`record batch` takes CSV, TSV and JSON arrays as well as JSON Lines: each row or item is
validated exactly as the same object on a JSON line, and refused alone, by its number."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands.base import Command
from ledger.app.batch_formats import read_batch
from ledger.app.batch_lines import read_commands
from ledger.errors import InputError
from tests.conftest import Cli

HEADER = "command,pattern_id,estimated_time_seconds,estimated_cost,execution_time_seconds,actual_cost,success,idempotency_key"  # noqa: E501
ROWS = [
    "approve,alpha,60,0.02,,,,",
    "execution,alpha,,,40,0.01,true,r1",
    "execution,alpha,,,forty,0.01,true,r2",
    "execution,alpha,,,45,0.012,false,r3",
]


def test_a_csv_batch_with_one_bad_row_names_it_skips_it_and_records_the_rest(
    cli: Cli, tmp_path: Path
) -> None:
    """Issue 13's must-show."""
    path = tmp_path / "runs.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n")
    outcome = cli.json("record", "batch", str(path), code=2)
    assert (outcome["accepted"], outcome["rejected"], outcome["last_seq"]) == (3, 1, 3)
    [error] = outcome["errors"]
    assert error["line"] == 4 and "execution_time_seconds" in error["error"]
    figures = cli.json("roi", "pattern", "alpha")
    assert (figures["total_executions"], figures["successful_executions"]) == (2, 1)
    again = cli.json("record", "batch", str(path), code=2)  # keyed rows: nothing twice
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 2, 2)
    assert cli.json("roi", "pattern", "alpha")["total_executions"] == 2


def test_csv_tsv_json_and_json_lines_give_the_same_events(tmp_path: Path) -> None:
    """The same commands in four formats, each detected from its extension or its first
    line (standard input has no name), append the same events."""
    commands: list[dict[str, Any]] = [
        {"command": "approve", "pattern_id": "alpha", "estimated_time_seconds": "60",
         "estimated_cost": "0.02"},
        {"command": "execution", "pattern_id": "alpha", "execution_time_seconds": "40",
         "actual_cost": "0.01", "success": "true", "executed_at": "2026-03-01T10:00:00Z"},
        {"command": "decision", "decision_id": "d1", "type": "golf", "source": "email",
         "action": "replied", "context": {"who": "Ann, from \"Sales\"", "n": 2}},
        {"command": "outcome", "decision_id": "d1", "outcome_type": "conversion",
         "status": "success", "revenue": "120.50", "customer_acquired": "true"},
    ]  # fmt: skip
    columns = sorted({k for c in commands for k in c})
    as_cells = [
        [json.dumps(c[k]) if isinstance(c.get(k), dict) else c.get(k, "") for k in columns]
        for c in commands
    ]

    def table(delimiter: str) -> str:
        import csv

        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerows([columns, *as_cells])
        return out.getvalue()

    texts = {
        "runs.csv": table(","),
        "runs.tsv": table("\t"),
        "runs.json": json.dumps(commands),
        "runs.jsonl": "\n".join(json.dumps(c) for c in commands) + "\n",
    }
    seen = []
    for name, text in texts.items():
        for source in (name, "-"):  # by extension, and sniffed from the first line
            parsed = list(read_batch(io.BytesIO(text.encode()), "auto", source))
            assert all(isinstance(c, Command) for _, c in parsed), (name, source, parsed)
            seen.append([c.model_dump() for _, c in parsed])  # type: ignore[union-attr]
    assert all(s == seen[0] for s in seen)
    for name, text in texts.items():
        cli = Cli(tmp_path / f"{name}.db")
        path = tmp_path / name
        path.write_text(text)
        assert cli.json("record", "batch", str(path))["accepted"] == 4
        assert cli.json("decisions", "conversions")[0]["total_revenue"] == 120.5


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("command,pattern_id\nrevise,alpha,extra\n", 2, "3 cells, but the header names 2"),
        ("command,pattern_id\nfly,alpha\n", 2, "command"),
        (
            "command,decision_id,type,source,action,context\n"
            "decision,d1,golf,email,replied,{not json}\n",
            2,
            "context",
        ),
        (b"command,pattern_id\nrevoke,\xff\xfe\n".decode("latin-1"), 2, "not UTF-8"),
    ],
)
def test_a_bad_row_is_refused_alone_by_its_line(text: str, line: int, says: str) -> None:
    data = text.encode("latin-1") if "\xff" in text else text.encode()
    parsed = list(read_batch(io.BytesIO(data), "csv"))
    errors = [(n, e) for n, e in parsed if isinstance(e, InputError)]
    assert [n for n, _ in errors] == [line]
    assert says in str(errors[0][1])


@pytest.mark.parametrize(
    ("text", "form", "says"),
    [
        ("pattern_id,estimated_cost\nalpha,1\n", "csv", "`command` among them"),
        ("command,command\napprove,approve\n", "csv", "`command` among them"),
        ('{"command": "approve"}', "json", "array of command objects"),
        ("[1, 2", "json", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_batch_is_refused_whole(text: str, form: str, says: str) -> None:
    with pytest.raises(InputError, match=says):
        list(read_batch(io.BytesIO(text.encode()), form))


def test_an_unknown_format_is_refused_before_anything_is_read(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "\n")
    error = cli.error("record", "batch", str(path), "--format", "xlsx")
    assert error["details"]["field"] == "format" and "csv" in error["error"]


def test_standard_input_is_sniffed(cli: Cli) -> None:
    result = cli("record", "batch", "-", "--json", input="\n".join([HEADER, ROWS[0]]) + "\n")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["accepted"] == 1


cells = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6))
def test_any_csv_is_rows_refused_or_read_never_a_crash(rows: list[list[str]]) -> None:
    """Random cells under a valid header: every data row comes back, as a command or as
    its own input error, numbered; nothing raises but a whole-file refusal."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" rows: cells holding either line break get quoted
    writer.writerows([["command", "pattern_id", "reason", "context"], *rows])
    parsed = list(read_batch(io.BytesIO(out.getvalue().encode()), "csv"))
    wanted = [r for r in rows if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    assert len(parsed) == len(wanted)
    assert all(isinstance(c, Command | InputError) for _, c in parsed)
    assert [n for n, _ in parsed] == sorted(n for n, _ in parsed)


def test_json_lines_reading_is_unchanged() -> None:
    text = b'\xef\xbb\xbf{"command": "revoke", "pattern_id": "a", "reason": "x"}\n\n# note\n'
    assert [n for n, _ in read_batch(io.BytesIO(text), "auto", "-")] == [1]
    assert [n for n, _ in read_commands(io.BytesIO(text))] == [1]


def test_score_reads_csv_tsv_and_json_lines_as_it_reads_a_json_array(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "l.db")
    cli.json("demo", "--days", "10", "--now", "2026-03-01T12:00:00Z")
    opportunities = [
        {"type": "golf_coaching", "source": "email", "score": 75, "content": "a slice, help"},
        {"type": "partnership", "source": "twitter", "score": 40},
    ]
    texts = {
        "o.json": json.dumps(opportunities),
        "o.jsonl": "\n".join(json.dumps(o) for o in opportunities) + "\n",
        "o.csv": 'type,source,score,content\ngolf_coaching,email,75,"a slice, help"\n'
        "partnership,twitter,40,\n",
        "o.tsv": "type\tsource\tscore\tcontent\ngolf_coaching\temail\t75\ta slice, help\n"
        "partnership\ttwitter\t40\t\n",
    }
    answers = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
        out = tmp_path / f"{name}.scored.json"
        scored = cli.json("score", str(tmp_path / name), "--output", str(out), "--no-record")
        answers.append(
            [(s["adjusted_score"], s["conversion_probability"], s["opportunity_id"])
             for s in scored]
        )  # fmt: skip
        assert all(isinstance(s["score"], int) for s in scored)  # the same id from any format
    assert all(a == answers[0] for a in answers) and len(answers[0]) == 2
    (tmp_path / "bad.csv").write_text("type,source,score\ngolf_coaching,email,101\n")
    error = cli.error("score", str(tmp_path / "bad.csv"), "--output", str(tmp_path / "x.json"))
    assert error["details"]["field"] == "score" and "opportunity 1" in error["error"]


def refusals(data: bytes) -> tuple[list[int], list[int], list[str]]:
    """(lines read as commands, lines refused, the refusals' messages)."""
    parsed = list(read_batch(io.BytesIO(data), "csv"))
    ok = [n for n, c in parsed if isinstance(c, Command)]
    bad = [(n, str(c)) for n, c in parsed if isinstance(c, InputError)]
    return ok, [n for n, _ in bad], [m for _, m in bad]


HEAD = b"command,decision_id,type,source,action,content\n"


def test_an_unclosed_quote_is_refused_not_a_silent_swallow_of_the_rows_after_it() -> None:
    """The defect (an attack on the CSV reader): `"never closed` took every later row into
    one cell, and the run said 2 recorded, 0 refused."""
    ok, bad, said = refusals(HEAD + b'decision,u1,g,e,a,ok\ndecision,u2,g,e,a,"never closed\n'
                             b"decision,u3,g,e,a,ok\n")  # fmt: skip
    assert ok == [2] and bad == [3] and "not CSV" in said[0]
    ok, bad, said = refusals(HEAD + b'decision,u4,g,e,a,"a"b\n')  # a stray quote mid-cell
    assert ok == [] and bad == [2]


def test_a_bad_byte_inside_a_multi_line_cell_refuses_that_row_alone() -> None:
    """The defect: the bad line was swapped for a blank one, its quote went with it, and the
    next row vanished into the cell (1 recorded, 0 refused)."""
    ok, bad, said = refusals(HEAD + b'decision,m1,g,e,a,"line1\nli\xffne2"\ndecision,m2,g,e,,x\n'
                             b"decision,m3,g,e,a,x\n")  # fmt: skip
    assert ok == [5] and bad == [2, 4]
    assert "not UTF-8" in said[0] and "action" in said[1]


def test_a_hash_in_a_data_column_is_data_not_a_comment() -> None:
    """The defect: `#123` in the first column (decision_id) was skipped as a comment."""
    ok, bad, _ = refusals(b"decision_id,command,type,source,action\n#123,decision,g,e,a\n"
                          b"abc,decision,g,e,a\nx,# a note,,,\n")  # fmt: skip
    assert ok == [2, 3] and bad == []


def test_a_huge_multi_line_cell_costs_its_row_only() -> None:
    """The defect: a 200 kB quoted cell hit csv's field limit and the reader lost its place:
    71 refusals with wrong line numbers, a valid row lost."""
    cell = ("x" * 1000 + "\n") * 200
    data = (
        HEAD + f'decision,h1,g,e,a,"{cell}"\ndecision,h2,g,e,,ok\ndecision,h3,g,e,a,ok\n'.encode()
    )
    ok, bad, _ = refusals(data)
    assert ok == [204] and bad == [2, 203]


def test_a_header_that_is_not_utf8_is_named_as_such() -> None:
    with pytest.raises(InputError, match="line 1: not UTF-8"):
        refusals(b"command,decision_id,type,source,action,caf\xe9\ndecision,b1,g,e,a,x\n")
