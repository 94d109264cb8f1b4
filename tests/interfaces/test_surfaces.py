"""Every surface a person touches reads right (issue 22): the terminal a newcomer types
into, and the files the read commands write (CSV that any reader parses into the JSON's
rows, Markdown that a Markdown parser reads as headings, tables and lists)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli

NOW = "2026-03-01T12:00:00Z"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("surfaces") / "demo.db")
    cli.json("demo", "--days", "20", "--now", NOW)
    return cli


def shell(db: str, *args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line (what a user's shell runs), not CliRunner."""
    env = {**os.environ, "ROI_LEDGER_DB": db}
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "ledger", *args], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


# -- the terminal ----------------------------------------------------------------------------
@pytest.mark.parametrize("words", [[], ["roi"], ["decisions"], ["schedule"]], ids=repr)
def test_a_group_typed_alone_prints_its_help(demo: Cli, words: list[str]) -> None:
    """The defect: `roi-ledger` alone printed the usage, then `Error: Usage: …` with the help
    cut off mid-word (`--version S… (1,659 characters)`), exit 2."""
    done = shell(demo.db, *words)
    assert done.returncode == 0 and done.stderr == ""
    assert "Commands:" in done.stdout and "characters)" not in done.stdout
    assert "Error" not in done.stdout


def test_usage_lines_name_arguments_as_help_lists_them(demo: Cli) -> None:
    """The defect: usage lines showed `{ID}` and `{FILE}` (typer 0.29's way of writing a
    required argument), which reads like something to type with its braces. Every command's
    usage says `ID`, optional ones `[TYPE]`, never doubled."""
    from typer.main import get_command

    from ledger.interfaces.cli import build_app

    root = get_command(build_app())
    seen = 0
    for name in root.list_commands(None):  # type: ignore[attr-defined,arg-type]
        group = root.get_command(None, name)  # type: ignore[attr-defined,arg-type]
        words = [[name]]
        if hasattr(group, "list_commands"):
            words = [[name, sub] for sub in group.list_commands(None)]
        for command in words:
            usage = demo(*command, "--help").output.splitlines()[0]
            assert usage.startswith("Usage: roi-ledger"), (command, usage)
            assert "{" not in usage and "[[" not in usage, usage
            seen += 1
    assert seen > 40
    assert demo("roi", "report", "--help").output.splitlines()[0].endswith("[OPTIONS] ID")
    assert demo("record", "batch", "--help").output.splitlines()[0].endswith("[OPTIONS] FILE")
    assert demo("decisions", "explain", "--help").output.splitlines()[0].endswith("SOURCE [TYPE]")


def test_dash_h_is_help(demo: Cli) -> None:
    done = shell(demo.db, "roi", "summary", "-h")
    assert done.returncode == 0 and "--since" in done.stdout


def test_a_mistyped_command_gets_a_suggestion(demo: Cli) -> None:
    done = shell(demo.db, "roi", "sumary")
    assert done.returncode == 2 and "Did you mean 'summary'?" in done.stderr
    far = shell(demo.db, "roi", "zzzz")
    assert "Commands here:" in far.stderr and "summary" in far.stderr


def test_a_missing_flag_pair_names_both_halves(demo: Cli) -> None:
    done = shell(demo.db, "record", "execution", "--pattern-id", "x",
                 "--execution-time-seconds", "1", "--actual-cost", "1")  # fmt: skip
    assert done.returncode == 2 and "--success or --failure" in done.stderr


def test_an_unknown_id_gets_the_closest_known_one(demo: Cli) -> None:
    read = demo.error("roi", "pattern", "test-retry-automaton", code=2)
    assert "did you mean 'test-retry-automation'?" in read["error"]
    written = demo.error(
        "record", "execution", "--pattern-id", "test-retry-automaton",
        "--execution-time-seconds", "1", "--actual-cost", "1", "--success",
    )  # fmt: skip
    assert "did you mean 'test-retry-automation'?" in written["error"]
    far = demo.error("roi", "pattern", "completely-different")
    assert "did you mean" not in far["error"]
    outcome = demo.error("record", "outcome", "--decision-id", "demo-20260301-O",
                         "--outcome-type", "sale", "--status", "success")  # fmt: skip
    assert "unknown decision" in outcome["error"]


def test_json_and_csv_at_once_is_refused(demo: Cli) -> None:
    error = demo.error("roi", "summary", "--format", "csv")
    assert error["details"]["field"] == "format" and "two outputs" in error["error"]


def test_decision_id_help_says_what_each_command_wants(demo: Cli) -> None:
    outcome = demo("record", "outcome", "--help").stdout
    assert "new and unique" not in outcome and "logged decision" in outcome
    assert "A new id" in demo("record", "decision", "--help").stdout


def _cells(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]


def test_eighty_columns_fit_and_never_cut_a_figure(demo: Cli) -> None:
    """The defect: at 80 columns `roi summary` showed `test-re…`, `-$0.14…`, `excelle…`."""
    rows = demo.json("roi", "summary")
    for args in (["roi", "summary"], ["decisions", "conversions"]):
        done = shell(demo.db, *args, columns=80)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80, done.stdout
        assert "…" not in "\n".join(line for line in lines if "│" in line)
        assert "--wide shows every column" in done.stdout
    summary = shell(demo.db, "roi", "summary", columns=80).stdout
    shown = {c for row in _cells(summary) for c in row}
    for row in rows:
        money = Decimal(str(row["total_cost_saved_usd"]))
        text = f"${abs(money):,.2f}" if abs(money) >= 1 else f"${abs(money):,.4f}"
        assert ("-" if money < 0 else "") + text in shown
    wide = shell(demo.db, "roi", "summary", "--wide", columns=80)
    assert "rating" in wide.stdout and "status" in wide.stdout
    assert "--wide shows every column" not in wide.stdout


def test_no_colour_escapes_when_piped_or_under_no_color(demo: Cli) -> None:
    done = shell(demo.db, "roi", "summary")
    assert "\x1b[" not in done.stdout
    from ledger.interfaces.cli.output import _styled

    assert _styled("poor").style == "red" and _styled("-$0.15").style == "red"
    assert _styled("approved").style == ""  # colour only where it means something


def test_search_results_say_when_they_are_cut(demo: Cli, tmp_path: Path) -> None:
    long = "x" * 60
    cli = Cli(tmp_path / "s.db")
    cli.json("record", "decision", "--decision-id", "d1", "--type", "t", "--source", "s",
             "--action", f"pitch {long}", "--content", "golf pitch")  # fmt: skip
    text = cli("decisions", "search", "pitch").stdout
    assert "…" in text and long not in text


def test_shell_completion_is_offered_and_completes(demo: Cli) -> None:
    script = shell(demo.db, "--show-completion", "bash")
    assert script.returncode == 0 and "_ROI_LEDGER_COMPLETE=complete_bash" in script.stdout
    env = {**os.environ, "_ROI_LEDGER_COMPLETE": "complete_bash",
           "COMP_WORDS": "roi-ledger roi su", "COMP_CWORD": "2"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "ledger"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert "summary" in done.stdout.split()


# -- files -----------------------------------------------------------------------------------
READS = [
    ["roi", "summary"],
    ["roi", "pattern", "test-retry-automation"],
    ["roi", "explain", "test-retry-automation"],
    ["roi", "report", "test-retry-automation", "--executions", "5"],
    ["roi", "effectiveness", "test-retry-automation"],
    ["roi", "top-performers"],
    ["roi", "underperformers"],
    ["roi", "dashboard", "--now", NOW],
    ["roi", "alerts", "--now", NOW],
    ["roi", "trend", "test-retry-automation"],
    ["roi", "restatement", "--period", "2026-02", "--as-of", "100"],
    ["decisions", "conversions"],
    ["decisions", "conversions", "--by", "source"],
    ["decisions", "roi"],
    ["decisions", "insights"],
    ["decisions", "predict", "--type", "golf_coaching", "--source", "email"],
    ["decisions", "calibration"],
    ["decisions", "time-to-convert"],
    ["decisions", "explain", "email"],
    ["decisions", "search", "deck"],
    ["pattern", "list"],
    ["pattern", "costs", "test-retry-automation"],
    ["log", "--limit", "5"],
    ["history", "pattern:test-retry-automation", "--after", "900"],
]


def _blocks(text: str) -> list[list[list[str]]]:
    """CSV text as tables: csv.reader's rows, split at the blank lines between tables."""
    blocks: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text)):
        if row:
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _expected(value: Any, name: str = "value") -> list[tuple[list[str], list[list[Any]]]]:
    """The documented rule (README "Output formats"), written out again independently."""
    if isinstance(value, list):
        if not value:
            return []
        if all(isinstance(v, dict) for v in value):
            keys: list[str] = []
            for row in value:
                keys += [k for k in row if k not in keys]
            return [(keys, [[row.get(k) for k in keys] for row in value])]
        return [([name], [[v] for v in value])]
    if isinstance(value, dict):

        def nested(v: Any) -> bool:
            return isinstance(v, dict) or (isinstance(v, list) and any(
                isinstance(x, dict) for x in v))  # fmt: skip

        plain = {k: v for k, v in value.items() if not nested(v)}
        out = [(list(plain), [list(plain.values())])] if plain else []
        for key, inner in value.items():
            if nested(inner):
                out += _expected(inner, key)
        return out
    return [([name], [[value]])]


def _same(cell: str, value: Any) -> bool:
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return float(cell) == pytest.approx(value, rel=1e-12, abs=1e-12)
    if isinstance(value, str):
        return cell == value
    return json.loads(cell) == pytest.approx(value) if isinstance(value, list) and all(
        isinstance(v, int | float) for v in value) else json.loads(cell) == value  # fmt: skip


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:3]))
def test_every_csv_parses_into_the_jsons_rows(demo: Cli, args: list[str]) -> None:
    """The defect: `roi report ID --format csv` carried `Recommendations:` and bullet lines
    that a CSV reader split at their commas."""
    value = demo.json(*args)
    done = demo(*args, "--format", "csv")
    assert done.exit_code == 0, done.stderr
    got, want = _blocks(done.stdout), _expected(value)
    assert [b[0] for b in got] == [headers for headers, _ in want]
    for block, (_, rows) in zip(got, want, strict=True):
        assert len(block) - 1 == len(rows)
        for cells, row in zip(block[1:], rows, strict=True):
            assert len(cells) == len(row)
            for cell, item in zip(cells, row, strict=True):
                assert _same(cell, item), (cell, item)


def _markdown_tokens(text: str) -> list[Any]:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").parse(text)


@pytest.mark.parametrize("args", [r for r in READS if r[0] not in ("log", "history")],
                         ids=lambda a: " ".join(a[:3]))  # fmt: skip
def test_every_markdown_reads_as_markdown(demo: Cli, args: list[str]) -> None:
    """The defect: `###  Latest 10 executions` (two spaces) and `•` bullets that were no list."""
    text = demo(*args, "--format", "markdown").stdout
    assert "•" not in text and "###  " not in text
    tokens = _markdown_tokens(text)
    kinds = {t.type for t in tokens}
    if args[1] != "effectiveness":  # a verdict in two sentences: prose
        assert "table_open" in kinds or "bullet_list_open" in kinds
    for line in text.splitlines():  # every line is part of a heading, table, list or prose
        if line.startswith("|"):
            assert line.endswith("|")


def test_the_reports_markdown_has_a_real_list(demo: Cli) -> None:
    text = demo("roi", "report", "test-retry-automation", "--format", "markdown").stdout
    tokens = _markdown_tokens(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[:3] == ["ROI report: test-retry-automation", "Recommendations",
                            "Latest 20 executions"]  # fmt: skip
    assert any(t.type == "bullet_list_open" for t in tokens)


def test_catch_up_says_each_report_once(demo: Cli, tmp_path: Path) -> None:
    """The defect: each report twice, an INFO log line on stderr and a line on stdout."""
    done = shell(demo.db, "schedule", "catch-up", "--reports-dir", str(tmp_path / "r"),
                 "--now", "2026-03-01T12:30:00Z")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "daily-summary" in done.stdout and done.stderr == ""


def test_a_scheduler_command_without_a_ledger_leaves_no_folder(tmp_path: Path) -> None:
    """The defect: `pytest` left an empty reports/ folder in the checkout."""
    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--db", str(tmp_path / "none.db"), "schedule",
         "catch-up"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and not (tmp_path / "reports").exists()


def test_reads_of_a_ledger_known_to_be_broken_say_so(tmp_path: Path) -> None:
    """The defect: `verify` caught the tampering and writes warned, but `roi summary` showed
    the figures with no word."""
    import sqlite3

    cli = Cli(tmp_path / "t.db")
    cli.json("demo", "--days", "3", "--now", NOW)
    with sqlite3.connect(cli.db) as db:
        db.execute("DROP TRIGGER events_refuse_update")
        db.execute("UPDATE events SET payload = replace(payload, '0.', '9.') WHERE seq = 10")
    assert cli("verify").exit_code == 1
    for args in (["roi", "summary"], ["decisions", "conversions"], ["pattern", "list"]):
        done = cli(*args)
        assert done.exit_code == 0 and "failed verification at seq" in done.stderr
        assert done.stderr.count("Warning") == 1
    fresh = Cli(tmp_path / "ok.db")
    fresh.json("demo", "--days", "3", "--now", NOW)
    assert "Warning" not in fresh("roi", "summary").stderr


def test_pattern_show_tells_its_history(demo: Cli) -> None:
    demo.json("pattern", "revise", "changelog-updater", "--estimated-cost", "0.02",
              "--reason", "bigger changelogs")  # fmt: skip
    data = demo.json("pattern", "show", "changelog-updater")
    kinds = [c["event_type"] for c in data["changes"]]
    assert kinds[0] == "PatternApproved" and "PatternEstimatesRevised" in kinds
    assert data["estimated_cost"] == 0.02 and data["executions"] > 0
    assert all(c["occurred_at"] and c["recorded_at"] for c in data["changes"])
    text = demo("pattern", "show", "changelog-updater").stdout
    assert "bigger changelogs" in text and "happened (UTC)" in text
    assert "did you mean" in demo.error("pattern", "show", "changelog-updatr")["error"]


def test_log_shows_when_each_event_happened_and_was_recorded(demo: Cli) -> None:
    text = demo("log", "--limit", "3").stdout
    assert "happened (UTC)" in text and "recorded (UTC)" in text


def test_times_that_have_not_happened_yet_are_refused_and_a_backfill_is_told(
    tmp_path: Path,
) -> None:
    """The defect: an execution dated before its pattern's approval, or far in the future of
    the ledger's clock, was recorded without a word. The rule (README): a time something
    happened more than a day after the ledger's clock is refused; an execution before its
    pattern's approval is recorded with a warning."""
    cli = Cli(tmp_path / "f.db")
    cli.json("pattern", "approve", "p", "--estimated-time-seconds", "60",
             "--estimated-cost", "0.3")  # fmt: skip
    run = ["record", "execution", "--pattern-id", "p", "--execution-time-seconds", "3",
           "--actual-cost", "0.1", "--success"]  # fmt: skip
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    early = cli.json(*run, "--executed-at", "2020-01-01")
    assert "before p's approval" in early["warning"]
    for args, field in (
        ([*run, "--executed-at", soon], "executed_at"),
        (["record", "decision", "--decision-id", "d", "--type", "t", "--source", "s",
          "--action", "a", "--decided-at", soon], "decided_at"),
    ):  # fmt: skip
        error = cli.error(*args)
        assert error["details"]["field"] == field and "not happened yet" in error["error"]
    assert cli.json("log", "--limit", "10")[-1]["seq"] == 2  # nothing more was written


@pytest.mark.parametrize("command", [["roi", "effectiveness"], ["roi", "trend"],
                                     ["roi", "report"], ["pattern", "show"]])  # fmt: skip
def test_an_id_no_database_can_hold_is_unknown_not_a_crash(demo: Cli, command: list[str]) -> None:
    """Found by the fuzzer: `roi effectiveness $'\\ud800'` exited 1 with "'utf-8' codec can't
    encode character" (a lone surrogate reached the database)."""
    error = demo.error(*command, "\ud800")
    assert "unknown pattern" in error["error"]
    outcome = demo.error("record", "outcome", "--decision-id", "\ud800x",
                         "--outcome-type", "sale", "--status", "success")  # fmt: skip
    assert outcome["error"]


def test_money_reads_the_same_on_every_surface(demo: Cli) -> None:
    """The defect: the dashboard printed `$-0.15` where the CLI printed `-$0.1499`, and
    rounded a $0.004 run to `$0.00`."""
    from decimal import Decimal as D

    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app
    from projections.formats import money

    assert [money(v) for v in (D("-0.1499"), 0.004, D("0.00003"), D(0), D("1234.565"))] == [
        "-$0.1499", "$0.0040", "$0.000030", "$0.00", "$1,234.56"
    ]  # fmt: skip
    worst = min(demo.json("roi", "summary"), key=lambda r: r["total_cost_saved_usd"])
    shown = money(D(str(worst["total_cost_saved_usd"])))
    out = Path(demo.db).parent / "roi.md"
    assert demo("roi", "markdown", "--output", str(out)).exit_code == 0
    markdown = out.read_text()
    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        page = c.get(f"/?now={NOW}").text
        pattern = c.get(f"/patterns/{worst['pattern_id']}?now={NOW}").text
    for text in (page, markdown, pattern):
        assert "$-" not in text
    table = demo("roi", "summary").stdout
    assert shown in table and shown in markdown, (shown, table)


def test_quiet_records_without_a_word(tmp_path: Path) -> None:
    db = str(tmp_path / "q.db")
    approve = ["pattern", "approve", "p", "--estimated-time-seconds", "60",
               "--estimated-cost", "0.3", "--quiet"]  # fmt: skip
    run = ["-q", "record", "execution", "--pattern-id", "p", "--execution-time-seconds", "3",
           "--actual-cost", "0.1", "--success"]  # fmt: skip
    for args in (approve, run):
        done = shell(db, *args)
        assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    loud = shell(db, "record", "execution", "--pattern-id", "p", "--execution-time-seconds",
                 "3", "--actual-cost", "0.1", "--success", "--quiet", "--json")  # fmt: skip
    assert json.loads(loud.stdout)["seq"] == 3


def test_a_settings_file_spares_the_environment_variables(tmp_path: Path) -> None:
    """roi-ledger.toml in the working folder (or ROI_LEDGER_CONFIG, or the user's config
    folder): its ledger, reports folder and timezone; the environment and options win."""
    (tmp_path / "roi-ledger.toml").write_text(
        'db = "team.db"\nreports_dir = "out"\ntimezone = "Europe/Berlin"\n'
        '[schedule]\ndaily_summary_at = "22:00"\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ROI_LEDGER_DB", "COLUMNS")}

    def run(*args: str, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ledger", *args], cwd=tmp_path, env={**env, **more},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    assert run("init").returncode == 0 and (tmp_path / "team.db").exists()
    listed = json.loads(run("schedule", "list", "--json").stdout)
    daily = next(j for j in listed if j["name"] == "daily-summary")
    assert daily["timezone"] == "Europe/Berlin" and "22:00" in daily["trigger"]
    assert run("--db", str(tmp_path / "other.db"), "init").returncode == 0
    assert (tmp_path / "other.db").exists()  # the option wins
    run("init", ROI_LEDGER_DB=str(tmp_path / "env.db"))
    assert (tmp_path / "env.db").exists()  # the environment wins over the file
    (tmp_path / "roi-ledger.toml").write_text('db = "x.db"\ncolour = "red"\n')
    bad = run("pattern", "list")
    assert bad.returncode == 2 and "colour" in bad.stderr and "known:" in bad.stderr
    (tmp_path / "roi-ledger.toml").unlink()
    named = tmp_path / "elsewhere.toml"
    named.write_text('db = "named.db"\n')
    assert run("init", ROI_LEDGER_CONFIG=str(named)).returncode == 0
    assert (tmp_path / "named.db").exists()


def _on_a_terminal(db: str, *args: str) -> str:
    """Run with stderr on a pseudo-terminal (as a person's shell has it); what it drew."""
    import pty
    import select

    leader, follower = pty.openpty()
    env = {**os.environ, "ROI_LEDGER_DB": db}
    proc = subprocess.Popen([sys.executable, "-m", "ledger", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=follower)  # fmt: skip
    os.close(follower)
    drawn = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0, drawn
    return drawn.decode("utf-8", "replace")


def test_import_and_catch_up_show_progress_on_a_terminal(demo: Cli, tmp_path: Path) -> None:
    exported = tmp_path / "log.jsonl"
    assert demo("export", "--output", str(exported)).exit_code == 0
    assert "importing" in _on_a_terminal(str(tmp_path / "copy.db"), "import", str(exported))
    drawn = _on_a_terminal(str(tmp_path / "copy.db"), "schedule", "catch-up", "--reports-dir",
                           str(tmp_path / "r"), "--now", "2026-03-01T12:30:00Z")  # fmt: skip
    assert "catching up" in drawn or "daily-summary" in drawn


def test_pages_answer_html_errors_and_have_an_icon(demo: Cli) -> None:
    """The defects: an unknown pattern showed raw JSON in the browser; no favicon (a 404 on
    every page)."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        page = c.get("/patterns/invoce-ocr")
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "unknown pattern" in page.text and "href=/" in page.text
        bad = c.get("/?period=2026-13")
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
        api = c.get("/api/roi-tracking/pattern/invoce-ocr")
        assert api.status_code == 404 and api.json()["error"]  # the API stays JSON
        icon = c.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert 'rel="icon"' in c.get(f"/?now={NOW}").text


def test_a_trend_axis_is_time_and_its_labels_never_overlap(demo: Cli) -> None:
    """The defect: the daily x-axis labels overlapped into an unreadable run of text, the last
    one clipped (`2026-W4`), and the points were evenly spaced, so 2026-10-01 sat next to
    2026-11-02."""
    import re
    from datetime import date

    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app
    from ledger.present.charts import CHAR_PX, line

    def ticks(svg: str) -> list[tuple[float, str, str]]:
        found = re.findall(r'<text class="tick" x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">'
                           r"([^<]+)</text>", svg)  # fmt: skip
        return [(float(x), anchor, label) for x, anchor, label in found]

    def boxes_apart(svg: str) -> None:
        width = float(re.findall(r'viewBox="0 0 ([\d.]+)', svg)[0])
        shown = ticks(svg)
        assert shown
        boxes = []
        for x, anchor, label in shown:
            w = len(label) * CHAR_PX
            box = (x, x + w) if anchor == "start" else (x - w, x) if anchor == "end" else (
                x - w / 2, x + w / 2)  # fmt: skip
            assert box[0] >= 0 and box[1] <= width, (label, box)  # nothing clipped
            boxes.append(box)
        boxes.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes)), boxes

    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        for per in ("day", "week", "month"):
            page = c.get(f"/patterns/test-retry-automation?per={per}&now={NOW}").text
            for layout in ("wide", "narrow"):  # the desk's and the phone's
                svg = page[page.index(f'<svg class="chart line {layout}"') :]
                boxes_apart(svg[: svg.index("</svg>")])
    gap = line("t", [("2026-10-01", 1), ("2026-11-02", 2), ("2026-11-03", 3)])
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', gap)]
    assert (xs[1] - xs[0]) / (xs[2] - xs[1]) == pytest.approx(
        (date(2026, 11, 2) - date(2026, 10, 1)).days, rel=0.01
    )  # a month apart on the axis, not side by side
    many = line("t", [(f"2026-W{w:02d}", w) for w in range(1, 53)])
    for svg in many.split("</svg>")[:-1]:
        boxes_apart(svg)
        assert ">2026-W52</text>" in svg  # the last label is there, whole


def test_pages_read_right(demo: Cli) -> None:
    """Timestamps to the second and never split; recommendations without raw backticks;
    ratings coloured with their word kept."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        ledger_page = c.get("/ledger").text
        pattern = c.get(f"/patterns/test-retry-automation?now={NOW}").text
        portfolio = c.get(f"/?now={NOW}").text
    assert "<time datetime=" in ledger_page
    import re

    shown = [
        f"{day} {clock}"  # the date and the time of day, each kept whole on a narrow screen
        for day, clock in re.findall(
            r'<time datetime="[^"]+" title="[^"]+"><span>([^<]+)</span> <span>([^<]+)</span>',
            ledger_page,
        )
    ]
    assert shown and all(len(s) == 19 and "." not in s for s in shown)
    assert "`" not in pattern
    assert re.search(r'<td class="(good|bad|warn)">(excellent|good|poor|failed|acceptable)</td>',
                     portfolio)  # fmt: skip


def test_batch_help_names_exactly_the_commands_a_batch_takes(demo: Cli) -> None:
    """The defect: `prediction` was listed as a batch command that `--help` did not list."""
    import re

    from ledger.core.bus import batch_commands

    text = " ".join(demo("record", "batch", "--help").stdout.split())
    listed = re.search(r"Commands: ([a-z, ]+);", text)
    assert listed is not None, text
    assert [c.strip() for c in listed.group(1).split(",")] == list(batch_commands())
    missing = demo("score", str(Path(demo.db).parent / "none.json"))
    assert "aggregator" not in missing.stderr and "opportunities to score" in missing.stderr


def test_the_ledger_page_pages_through_every_event_and_opens_its_payload(demo: Cli) -> None:
    import re

    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    head = demo.json("digest")["seq"]
    seen: list[int] = []
    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        url = "/ledger"
        for _ in range(head // 20 + 2):
            page = c.get(url).text
            seen += [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", page)]
            older = re.search(r'<a href="([^"]+)">older →</a>', page)
            if older is None:
                break
            url = older.group(1).replace("&amp;", "&")
        assert sorted(seen) == list(range(1, head + 1))  # every event once, newest first
        first = c.get("/ledger").text
        assert "<details><summary>" in first and "&quot;" in first  # the payload, escaped
        assert c.get("/ledger?before=0").status_code == 422


def test_the_portfolio_shows_cost_saved_over_time(demo: Cli) -> None:
    import re

    from fastapi.testclient import TestClient

    from ledger import Ledger
    from ledger.interfaces.http.app import create_app

    with Ledger.open(demo.db) as led:
        weekly = {w["period"]: float(w["cost_saved_usd"]) for w in led.portfolio_trend("week")}
    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        page = c.get(f"/?now={NOW}").text
    chart = page[page.index('aria-label="Cost saved per week"') :]
    chart = chart[: chart.index("</svg>")]
    marks = dict(re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', chart))
    assert {k: float(v) for k, v in marks.items()} == pytest.approx(weekly)
    assert "$" in chart  # the axis reads as money


def test_every_dashboard_table_downloads_as_the_apis_csv(demo: Cli) -> None:
    """Each table's CSV link: the API's own answer as CSV, by the CLI's rule."""
    import html
    import re

    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with TestClient(create_app(demo.db), base_url="http://localhost") as c:
        links = []
        for page in (f"/?now={NOW}", f"/patterns/test-retry-automation?now={NOW}", "/ledger"):
            links += re.findall(r'<a class="download" href="([^"]+)" download>', c.get(page).text)
        assert len(links) >= 4
        for link in links:
            url = html.unescape(link)
            got = c.get(url)
            assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
            value = c.get(url.replace("format=csv", "format=json")).json()
            blocks, want = _blocks(got.text), _expected(value)
            assert [b[0] for b in blocks] == [h for h, _ in want], url
            assert [len(b) - 1 for b in blocks] == [len(r) for _, r in want], url
