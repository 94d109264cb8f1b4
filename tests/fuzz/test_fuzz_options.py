"""Every command's options and arguments fuzzed (support.py says how): generated values
succeed or are refused cleanly, appending nothing and writing no output file."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from tests.conftest import event_count
from tests.fuzz.support import (
    BATCH_LINES,
    EVENT_TYPES,
    JOB_NAMES,
    LABELS,
    MUTATIONS,
    NUMBER_TEXT,
    PROJECTIONS,
    RECENT,
    SEED_LINES,
    TS_TEXT,
    Kind,
    Template,
    check_json_error,
    clean,
    encode,
    examples,
    finite_json,
    json_values,
    kind,
    mutate,
    score_file,
    scratch,
)


@dataclass(frozen=True)
class FileArg:
    """An argument naming a file the example writes first (content None: the export)."""

    name: str
    content: bytes | None
    mutations: tuple[tuple[Any, ...], ...] | None = None


@dataclass(frozen=True)
class OutArg:
    """An argument naming a path a command may write: refused, it must not appear."""

    name: str


INT_TEXT = st.one_of(
    st.integers(-5, 60).map(str),
    st.sampled_from(["0", "-1", "1", "50", "51", "100000", "100001", "9007199254740991",
                     "9007199254740992", "99999999999999999999", "1" * 400, "1.5", "", " 5",
                     "0x10", "٣", "²", "1e3", "-0", "abc"]),
    st.integers(-(2**80), 2**80).map(str),
)  # fmt: skip


def decimal_text(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    return st.decimals(min_value=low, max_value=high, places=places).map(str)


def ints(low: int, high: int) -> Kind:
    return kind(st.integers(low, high).map(str), INT_TEXT)


def choice(values: list[str], *edges: Any) -> Kind:
    return kind(st.sampled_from(values), *edges)


PATTERN = choice(["p", "q"], "r", "new-a", "P", " p", "p q", "x" * 201)
NEW_ID = kind(
    st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), "p", "d1", "a b", "x" * 201, ""
)
LABEL = choice(LABELS, "", "x" * 201, "a\x1bb", "a\u202eb")
TEXT = choice(["fine", "line\nbreak", "ünïcødé"], "", "x" * 10_001, "\x1b[31m")
SECONDS = kind(decimal_text(0, 500, 3), NUMBER_TEXT)
USD = kind(decimal_text(0, 10, 4), NUMBER_TEXT)
FRACTION = kind(decimal_text(0, 1, 2), NUMBER_TEXT)
SCORE = kind(decimal_text(0, 100, 1), NUMBER_TEXT)
TS = kind(RECENT, TS_TEXT)
KEY = choice(["k1", "k2"], "", "x" * 201, "k\n1")
AS_OF = kind(
    st.one_of(st.integers(0, len(SEED_LINES)).map(str), RECENT),
    st.sampled_from(["99999999999999999999999", "1" * 400, "1" * 5000, "²", "٣", "-1", " 3 ",
                     "+3", "3.0", "seq 3", "", "HEAD", str(len(SEED_LINES) + 1)]),
    TS_TEXT,
)  # fmt: skip


NOW_ARG = kind(RECENT, TS_TEXT)
PERIOD = choice(
    ["2026-11", "2026-Q4", "2026", "2026-W45", "2026-11-02", "last-30d", "this-month",
     "last-week"],
    "2026-13", "last-0d", "2026-W54", "9999", "1969", "", "last-99999999d", "this-decade",
    "2026-02-30", "LAST-MONTH", " 2026-11 ",
)  # fmt: skip


DAY = kind(RECENT.map(lambda s: s[:10]), TS_TEXT)
WINDOW = {"--since": DAY, "--until": DAY, "--period": PERIOD, "--now": NOW_ARG}
"""The window options every ROI and decision read takes (issue 19)."""
OUT_NAMES = Kind(
    st.sampled_from(["out.md", "report.json", "a/b/c.md", "sub dir/ü.md", "x" * 150 + ".md"])
    .map(OutArg),
    st.sampled_from(["ledger.db", "ledger.db-wal", ".", "existing", "existing/", "notes.txt",
                     "notes.txt/x.md", " ", "-", ""]).map(OutArg),
)  # fmt: skip


OUT_DIRS = Kind(
    st.sampled_from(["reports", "a/b/c", "existing", ".", "sub dir", "x" * 150]).map(OutArg),
    st.sampled_from(["ledger.db", "notes.txt", "notes.txt/sub", " ", ""]).map(OutArg),
)
TZ = choice(
    ["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Kiritimati", "Etc/GMT+12",
     "Asia/Kathmandu"],
    "", "Mars/Olympus", "../../etc/passwd", "UTC/../UTC", "/usr/share/zoneinfo/UTC", ".",
    "America", "utc", " UTC",
)  # fmt: skip


JOB = choice(JOB_NAMES, "", "daily", "DAILY-SUMMARY", "daily-summary ")
CLOCKS = st.sampled_from(['"23:59"', '"24:00"', '"9:5"', '""', "2359", '"sun 21:00"', '"xx"'])


@st.composite
def toml_config(draw: st.DrawFn) -> FileArg:
    if draw(st.integers(0, 4)) == 0:
        return FileArg("config.toml", draw(st.binary(max_size=40)))
    keys = ["timezone", "daily_summary_at", "weekly_summary_at", "roi_report_at",
            "update_confidence_at", "alerts_every_minutes", "rescore_every_minutes",
            "tick_seconds", "max_catch_up", "reports_dir", "opportunities", "scored_output",
            "bogus"]  # fmt: skip
    values = st.one_of(
        CLOCKS,
        st.sampled_from(['"UTC"', '"Mars/X"', "0", "7", "60", "-1", "3661", "1e400", "nan",
                         "true", "[]", '"reports"', '""', "{}", '"weekly"',
                         "99999999999999999999"]),
    )  # fmt: skip
    chosen = draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))
    body = "".join(f"{k} = {draw(values)}\n" for k in chosen)
    header = draw(st.sampled_from(["[schedule]\n", "[schedule]\n", "", "schedule = 1\n", "[x]\n"]))
    return FileArg("config.toml", (header + body).encode())


CONFIG = Kind(
    st.sampled_from(
        [
            "",
            'timezone = "UTC"',
            'daily_summary_at = "23:00"\nweekly_summary_at = "sat 20:00"',
            "alerts_every_minutes = 30\nrescore_every_minutes = 15",
        ]
    ).map(lambda body: FileArg("config.toml", f"[schedule]\n{body}\n".encode())),
    toml_config(),
)
MISSING_FILE = st.sampled_from([FileArg("missing.json", None), OutArg("existing")])
BATCH_FILE = Kind(
    BATCH_LINES.map(lambda lines: FileArg("batch.jsonl", b"".join(lines))), MISSING_FILE
)
SCORE_FILE = Kind(score_file().map(lambda data: FileArg("opportunities.json", data)), MISSING_FILE)
IMPORT_FILE = Kind(
    st.just(FileArg("import.jsonl", None)),
    st.one_of(MUTATIONS.map(lambda m: FileArg("import.jsonl", None, tuple(m))), MISSING_FILE),
)
DIGEST = kind(
    st.just("TEMPLATE"),
    st.sampled_from(["0:" + "0" * 64, "1:" + "A" * 64, "x:y", "", ":", "99999999999999999999:"
                     + "0" * 64, "²:" + "0" * 64, "3:" + "g" * 64, "3:" + "0" * 63]),
)  # fmt: skip


DEMO_DAYS = Kind(  # valid ones kept small: a demo of 3650 days takes minutes
    st.integers(1, 2).map(str),
    st.sampled_from(["0", "-1", "3651", "99999999999999999999", "1.5", "", "abc", "²"]),
)
STREAM = choice(
    ["pattern:p", "pattern:r", "decision:d1", "opportunity:opp-1"], "p", "report:x:y", "", ":"
)
CONTEXT = kind(
    st.sampled_from(['{"campaign": "spring"}', "{}", '{"opportunity_id": "opp-1", "n": 1.5}']),
    st.sampled_from(["[]", "1", "null", '{"n": NaN}', '{"n": 1e400}',
                     '{"n": 123456789012345678901}', "{", "",
                     '{"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": '
                     '{"m": {"n": {"o": {"p": {"q": 1}}}}}}}}}}}}}}}}}',
                     "[" * 100_000 + "]" * 100_000, '{"blob": "' + "x" * 20_000 + '"}']),
    json_values.map(encode),
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    words: tuple[str, ...]
    positional: tuple[Kind, ...] = ()
    options: dict[str, Kind] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    flags: tuple[str, ...] = ()
    writes: bool = False
    repeatable: frozenset[str] = frozenset()
    allowed: frozenset[int] = frozenset({0, 2})
    """Exit codes SPEC allows: 1 only for `import` (a file that does not continue the chain
    is an integrity error, "anything else") and `verify` given a digest the log was not
    taken from (what a rewritten log looks like)."""


SPECS: dict[str, Spec] = {
    "pattern approve": Spec(
        ("pattern", "approve"), (NEW_ID,),
        {"--estimated-time-seconds": SECONDS, "--estimated-cost": USD, "--approved-by": TEXT,
         "--description": TEXT, "--confidence": FRACTION, "--approved-at": TS,
         "--idempotency-key": KEY},
        frozenset({"--estimated-time-seconds", "--estimated-cost"}), writes=True),
    "pattern revise": Spec(
        ("pattern", "revise"), (PATTERN,),
        {"--estimated-time-seconds": SECONDS, "--estimated-cost": USD, "--reason": TEXT,
         "--idempotency-key": KEY, "--expected-version": ints(0, 12)},
        frozenset({"--estimated-cost"}), writes=True),
    "pattern revoke": Spec(
        ("pattern", "revoke"), (PATTERN,),
        {"--reason": TEXT, "--idempotency-key": KEY, "--expected-version": ints(0, 12)},
        frozenset({"--reason"}), writes=True),
    "pattern list": Spec(("pattern", "list"), (), {"--as-of": AS_OF}),
    "pattern cost": Spec(
        ("pattern", "cost"), (PATTERN,),
        {"--amount": USD, "--label": TEXT,
         "--recurrence": choice(["one-off", "monthly"], "weekly", "Monthly", ""),
         "--until": TS, "--incurred-at": TS, "--idempotency-key": KEY},
        frozenset({"--amount", "--label"}), writes=True),
    "pattern costs": Spec(("pattern", "costs"), (PATTERN,), {"--as-of": AS_OF}),
    "record execution": Spec(
        ("record", "execution"), (),
        {"--pattern-id": PATTERN, "--execution-time-seconds": SECONDS, "--actual-cost": USD,
         "--workflow-id": ints(0, 1000), "--estimated-time-seconds": SECONDS,
         "--estimated-cost": USD, "--error-message": TEXT, "--executed-at": TS,
         "--idempotency-key": KEY, "--expected-version": ints(0, 12)},
        frozenset({"--pattern-id", "--execution-time-seconds", "--actual-cost"}),
        flags=("--success", "--failure"), writes=True),
    "record decision": Spec(
        ("record", "decision"), (),
        {"--decision-id": NEW_ID, "--type": LABEL, "--source": LABEL, "--action": TEXT,
         "--content": TEXT, "--score": SCORE, "--sender": TEXT, "--decision-maker": TEXT,
         "--context": CONTEXT, "--opportunity-id": NEW_ID, "--decided-at": TS,
         "--idempotency-key": KEY},
        frozenset({"--decision-id", "--type", "--source", "--action"}), writes=True),
    "record outcome": Spec(
        ("record", "outcome"), (),
        {"--decision-id": choice(["d1", "d2", "d3"], "new-d", "D1"), "--outcome-type": LABEL,
         "--status": choice(["success", "failed", "pending"], "SUCCESS", "ok"),
         "--revenue": USD, "--notes": TEXT, "--occurred-at": TS, "--idempotency-key": KEY},
        frozenset({"--decision-id", "--outcome-type", "--status"}),
        flags=("--customer-acquired", "--deal-closed", "--response-received"), writes=True),
    "record batch": Spec(
        ("record", "batch"), (BATCH_FILE,),
        {"--chunk-size": ints(1, 5000),
         "--format": choice(["auto", "jsonl", "json", "csv", "tsv"], "", "xlsx", "JSONL")},
        writes=True),
    "roi pattern": Spec(("roi", "pattern"), (PATTERN,), {"--as-of": AS_OF, **WINDOW}),
    "roi summary": Spec(
        ("roi", "summary"), (),
        {"--as-of": AS_OF, **WINDOW, "--compare": choice(["previous", "2026-10"], "prev", "")}),
    "roi restatement": Spec(("roi", "restatement"), (), {"--as-of": AS_OF, **WINDOW}),
    "roi effectiveness": Spec(("roi", "effectiveness"), (PATTERN,), {"--as-of": AS_OF}),
    "roi report": Spec(
        ("roi", "report"), (PATTERN,),
        {"--executions": ints(0, 30), "--now": NOW_ARG, "--as-of": AS_OF}),
    "roi top-performers": Spec(
        ("roi", "top-performers"), (), {"--limit": ints(1, 50), "--as-of": AS_OF, **WINDOW}),
    "roi underperformers": Spec(
        ("roi", "underperformers"), (), {"--limit": ints(1, 50), "--as-of": AS_OF, **WINDOW}),
    "roi dashboard": Spec(("roi", "dashboard"), (), {"--as-of": AS_OF, **WINDOW}),
    "roi alerts": Spec(("roi", "alerts"), (), {"--now": NOW_ARG, "--as-of": AS_OF}),
    "roi update-confidence": Spec(
        ("roi", "update-confidence"), (), {"--pattern-id": PATTERN}, writes=True),
    "roi trend": Spec(
        ("roi", "trend"), (PATTERN,),
        {"--period": choice(["day", "week", "month"], "year", "DAY", ""), "--as-of": AS_OF}),
    "roi markdown": Spec(
        ("roi", "markdown"), (), {"--output": OUT_NAMES, "--now": NOW_ARG, "--as-of": AS_OF},
        frozenset({"--output"})),
    "decisions conversions": Spec(
        ("decisions", "conversions"), (),
        {"--by": choice(["combination", "source", "type"], "both", ""), "--as-of": AS_OF,
         **WINDOW}),
    "decisions roi": Spec(("decisions", "roi"), (), {"--as-of": AS_OF, **WINDOW}),
    "decisions insights": Spec(("decisions", "insights"), (), {"--as-of": AS_OF, **WINDOW}),
    "decisions predict": Spec(
        ("decisions", "predict"), (),
        {"--type": LABEL, "--source": LABEL, "--content": TEXT, "--as-of": AS_OF},
        frozenset({"--type", "--source"})),
    "decisions calibration": Spec(("decisions", "calibration"), (), {"--as-of": AS_OF}),
    "decisions summary": Spec(
        ("decisions", "summary"), (),
        {"--date": kind(RECENT.map(lambda s: s[:10]), TS_TEXT), "--output-dir": OUT_DIRS,
         "--as-of": AS_OF},
        frozenset({"--output-dir"}), flags=("--weekly",)),
    "score": Spec(
        ("score",), (SCORE_FILE,),
        {"--output": OUT_NAMES,
         "--format": choice(["auto", "json", "jsonl", "csv", "tsv"], "", "xml")},
        frozenset({"--output"}),
        flags=("--no-record",), writes=True),
    "log": Spec(
        ("log",), (),
        {"--after": ints(0, 30), "--limit": ints(1, 50),
         "--type": choice(EVENT_TYPES, "", "patternapproved"), "--stream": STREAM,
         "--as-of": AS_OF}),
    "history": Spec(("history",), (STREAM,), {"--as-of": AS_OF}),
    "verify": Spec(
        ("verify",), (), {"--digest": DIGEST}, flags=("--projections",),
        repeatable=frozenset({"--digest"}), allowed=frozenset({0, 1, 2})),
    "digest": Spec(("digest",), (), {"--as-of": AS_OF}),
    "rebuild": Spec(
        ("rebuild",), (), {"--projection": choice(PROJECTIONS, "", "events")},
        flags=("--force",), repeatable=frozenset({"--projection"})),
    "retract": Spec(
        ("retract",), (ints(1, len(SEED_LINES)),),
        {"--reason": TEXT, "--idempotency-key": KEY}, frozenset({"--reason"}), writes=True),
    "export": Spec(
        ("export",), (), {"--output": OUT_NAMES, "--after": ints(0, 30), "--as-of": AS_OF}),
    "import": Spec(("import",), (IMPORT_FILE,), writes=True, allowed=frozenset({0, 1, 2})),
    "backup": Spec(("backup",), (OUT_NAMES,)),
    "init": Spec(("init",)),
    "demo": Spec(
        ("demo",), (), {"--days": DEMO_DAYS, "--seed": ints(0, 1000), "--now": NOW_ARG},
        flags=("--force",), writes=True),
    "schedule list": Spec(
        ("schedule", "list"), (), {"--config": CONFIG, "--timezone": TZ, "--now": NOW_ARG}),
    "schedule run-job": Spec(
        ("schedule", "run-job"), (JOB,),
        {"--now": NOW_ARG, "--config": CONFIG, "--reports-dir": OUT_DIRS, "--timezone": TZ},
        frozenset({"--reports-dir"}), writes=True),
    "schedule catch-up": Spec(
        ("schedule", "catch-up"), (),
        {"--now": NOW_ARG, "--config": CONFIG, "--reports-dir": OUT_DIRS, "--timezone": TZ},
        frozenset({"--reports-dir"}), writes=True),
}  # fmt: skip


BAD_DB = st.sampled_from(["missing.db", "existing", "notes.txt", "empty.db"])


@dataclass
class Invocation:
    command: str
    args: list[Any]
    json: bool
    allowed: frozenset[int]


@st.composite
def invocation(draw: st.DrawFn, commands: tuple[str, ...] = tuple(SPECS)) -> Invocation:
    """A command line: valid values everywhere but in (at most) two spoiled arguments, which
    take bad ones or go missing."""
    name = draw(st.sampled_from(commands))
    spec = SPECS[name]
    slots: list[tuple[str | None, Kind]] = [(None, k) for k in spec.positional]
    for option, k in spec.options.items():
        slots += [(option, k)] * (3 if option in spec.repeatable else 1)
    bad: set[int] = set()
    if slots:
        index = st.integers(0, len(slots) - 1)
        bad = set(draw(st.lists(index, max_size=draw(st.integers(0, 2)))))
    args: list[Any] = list(spec.words)
    for i, (option, k) in enumerate(slots):
        spoilt = i in bad
        if spoilt and not draw(st.integers(0, 5)):
            continue  # a missing argument
        if option is None:
            args.append(draw(k.bad if spoilt else k.valid))
        elif option in spec.required or spoilt or draw(st.booleans()):
            args += [option, draw(k.bad if spoilt else k.valid)]
    args += [flag for flag in spec.flags if draw(st.booleans())]
    allowed = spec.allowed
    if not draw(st.integers(0, 24)):
        # the command's own --db, a bad one: a database that cannot be opened is a storage
        # error (exit 1, ledger/errors.py), not bad input
        args += ["--db", draw(BAD_DB)]
        allowed = allowed | {1}
    as_json = draw(st.integers(0, 3)) > 0
    if as_json:
        args.append("--json")
    return Invocation(name, args, as_json, allowed)


def materialise(inv: Invocation, root: Path, template: Template) -> tuple[list[str], list[Path]]:
    """Argument values as strings, the files they name written; returns the argv and the
    output paths that did not exist (a refused command must not create them)."""
    (root / "existing").mkdir()
    (root / "notes.txt").write_text("not a database\n")
    (root / "empty.db").write_bytes(b"")
    argv: list[str] = []
    fresh: list[Path] = []
    for value in inv.args:
        if isinstance(value, FileArg):
            path = root / value.name
            content = value.content
            if value.mutations is not None:
                content = mutate(template.export, list(value.mutations))
            elif content is None and value.name == "import.jsonl":
                content = b"".join(template.export)
            if content is not None:
                path.write_bytes(content)
            argv.append(str(path))
        elif isinstance(value, OutArg):
            if value.name == "-" or value.name.strip() != value.name or not value.name:
                argv.append(value.name)
                continue
            path = root / value.name
            if not path.exists() and not value.name.startswith("ledger.db"):
                fresh.append(path)  # (the ledger's own -wal appears whenever it is opened)
            argv.append(value.name)  # relative: the working directory is `root`
        elif value == "TEMPLATE":
            argv.append(template.digest)
        else:
            argv.append(value)
    return argv, fresh


def check_invocation(template: Template, inv: Invocation) -> None:
    with scratch(template.db) as (root, cli):
        argv, fresh = materialise(inv, root, template)
        note(f"argv: {[a[:200] for a in argv]}")
        before = event_count(cli.db)
        result = cli(*argv)
        event(f"{inv.command}: exit {result.exit_code}")
        clean(result, inv.allowed)
        after = event_count(cli.db)
        if inv.command == "verify" and result.exit_code == 1 and "--db" not in argv:
            # the chain is intact: only a digest it was not taken from may fail it
            digests = [v for k, v in itertools.pairwise(argv) if k == "--digest"]
            assert set(digests) - {template.digest}, result.stdout
        if inv.command == "record batch" and result.exit_code == 2 and result.stdout:
            if inv.json and "--db" not in argv:  # refused lines append nothing, others do
                assert after - before == finite_json(result.stdout)["accepted"]
        elif result.exit_code != 0 or not SPECS[inv.command].writes:
            assert after == before, f"exit {result.exit_code}, yet {after - before} events added"
        if result.exit_code != 0:
            written = [p for p in fresh if p.is_file()]
            assert not written, f"refused, yet wrote {written}"
            if inv.json and inv.command == "record batch" and result.stdout:
                finite_json(result.stdout)  # refused lines are reported in the outcome
            elif inv.json and inv.command == "verify" and result.stdout.strip():
                assert finite_json(result.stdout)["ok"] is False  # a finding, not an error
            elif inv.json:
                check_json_error(result)
        elif inv.json:
            if inv.command == "export" and "--output" not in argv:
                for line in result.stdout.splitlines():
                    finite_json(line)
            else:
                finite_json(result.stdout)


@examples(350)
@given(inv=invocation())
def test_every_option_succeeds_or_is_refused_cleanly(template: Template, inv: Invocation) -> None:
    check_invocation(template, inv)


@pytest.mark.slow
@examples(6000)
@given(inv=invocation())
def test_every_option_succeeds_or_is_refused_cleanly_long(
    template: Template, inv: Invocation
) -> None:
    check_invocation(template, inv)


@pytest.mark.parametrize("command", sorted(SPECS))
@examples(8)
@given(data=st.data())
def test_each_command_on_its_own(template: Template, command: str, data: st.DataObject) -> None:
    """A few examples of every command, so none is left to the luck of the draw above."""
    check_invocation(template, data.draw(invocation((command,))))
