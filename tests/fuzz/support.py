"""Fuzzing every input surface with hypothesis (tests/fuzz/, one module per surface; this one
holds what they share): whatever bytes, JSON, files or option values a user hands to
`roi-ledger`, a command either succeeds or refuses cleanly.

The exit codes (README "A first session"): 0 on success; 2 for bad input or a refused
command, with a message naming the field and nothing written; 1 for anything else. Here,
on a small pre-filled ledger:

1. `record batch FILE` — lines of arbitrary bytes, arbitrary JSON and (mostly) near-valid
   command objects: exit 0 or 2, no traceback, `--json` output is JSON without NaN/Infinity,
   and the events appended are exactly the lines it says it accepted.
2. `import FILE` — a real export, mutated (lines dropped, duplicated, reordered, truncated;
   fields altered, with or without re-hashing the chain; random bytes; a BOM): exit 0, 1 or
   2, no traceback, and on any non-zero exit the target ledger holds what it held before.
3. `score FILE` — arbitrary JSON and bytes as the opportunity file: exit 0 or 2, no
   traceback; refused means no event appended and no output file written.
4. Every command's options and arguments, fed generated values (text with control
   characters, huge strings, numbers at the extremes, timestamps at the calendar's ends,
   garbage `--as-of`): exit 0 or 2, no traceback, JSON output finite, a refused command
   appends nothing and writes no output file. A `--now` in the future is refused (exit 2) by
   the schedule commands; a past one succeeds.

The default run keeps example counts modest (about half a minute on two cores); the same
properties run on many more examples with `pytest -m slow`. What the properties found is
pinned by minimal inputs in test_fuzz_regressions.py.
"""

from __future__ import annotations

import contextlib
import json
import operator
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from events import GENESIS_HASH, canonical_json, chain_hash
from tests.conftest import Cli

COMMON_SETTINGS: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}


def examples(n: int) -> settings:
    return settings(max_examples=n, **COMMON_SETTINGS)


NOW = datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float = 0, hours: float = 0) -> str:
    return stamp(NOW - timedelta(days=days, hours=hours))


def clean(result: Any, allowed: set[int] | frozenset[int]) -> None:
    """No exception escaped the command (CliRunner keeps it in result.exception, exit 1), no
    traceback was printed, and the exit code is one the README allows here."""
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        raise AssertionError(
            f"uncaught {type(exc).__name__}: {str(exc)[:300]} (exit {result.exit_code})"
        ) from exc
    output = result.stdout + result.stderr
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    assert result.exit_code in allowed, (
        result.exit_code,
        result.stdout[-800:],
        result.stderr[-800:],
    )


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in JSON output: JSON numbers must be finite")


def finite_json(text: str) -> Any:
    """Parse JSON output, refusing NaN / Infinity / -Infinity (json.loads accepts them)."""
    return json.loads(text, parse_constant=_no_constant)


def check_json_error(result: Any) -> None:
    """With --json, a refusal is a JSON object {"error", "details"} on stderr (a usage error
    found by click itself prints its usage text instead: the in-process runner bypasses
    `main`, which turns those into JSON too)."""
    if "Usage:" in result.stderr:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip().startswith("{")]
    assert lines, result.stderr[-800:]
    error = finite_json(lines[-1])
    assert isinstance(error, dict) and error.get("error"), error


@dataclass(frozen=True)
class Raw:
    """JSON text spliced in as written."""

    text: str


class Pairs(list):  # type: ignore[type-arg]
    """An object as (key, value) pairs: order kept, duplicate keys possible."""


def encode(value: Any, ascii_only: bool = True) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Pairs):
        items = value
    elif isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        return "[" + ",".join(encode(v, ascii_only) for v in value) + "]"
    else:
        return json.dumps(value, ensure_ascii=ascii_only)
    body = ",".join(
        f"{json.dumps(str(k), ensure_ascii=ascii_only)}:{encode(v, ascii_only)}" for k, v in items
    )
    return "{" + body + "}"


def to_bytes(text: str) -> bytes:
    """UTF-8, lone surrogates kept as the (invalid) bytes they would be."""
    return text.encode("utf-8", "surrogatepass")


CONTROLS = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\x9f\u200e\u202e\u2066\u2069\u2028\ufeff"
HUGE = st.builds(
    operator.mul,
    st.sampled_from(["x", "é", "\u202e", "1", " ", "😀"]),
    st.sampled_from([199, 200, 201, 10_000, 10_001, 100_000]),
)
ODD_TEXT = ["", " ", "  x  ", "a b", "-", "--json", "null", "None", "..", "a:b", "%s%n", "'; --"]


def texts(*, argv: bool = False, max_size: int = 24) -> st.SearchStrategy[str]:
    """Text with control and bidi characters, huge strings, and, for argv, the lone
    surrogates Python makes of bytes that are not UTF-8 (never NUL: argv cannot carry it)."""
    controls = CONTROLS.replace("\x00", "") if argv else CONTROLS
    if argv:
        surrogates = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF, categories=["Cs"])
        plain = st.characters(exclude_characters="\x00")
    else:
        surrogates = st.characters(categories=["Cs"])
        plain = st.characters()
    char = st.one_of(plain, st.sampled_from(controls), surrogates)
    return st.one_of(
        st.text(char, max_size=max_size), HUGE, st.sampled_from(ODD_TEXT), st.text(max_size=8)
    )


NUMBER_EDGES = [
    "0", "-0", "0.0", "-1", "-0.01", "1e309", "-1e309", "1e-400", "nan", "NaN", "-nan", "sNaN",
    "inf", "-inf", "Infinity", "1e999999", "1e9999999999", "9007199254740991",
    "9007199254740992", "99999999999999999999999", "31622400", "31622400.000001", "31622401",
    "1000000000000", "1000000000000.01", "0.0000000001", "0.00000000001", "100", "100.0001",
    "1", "1.0000000001", "5e-324", "1.7976931348623157e308", "0x10", "1_000", " 5 ", "٣", "²",
    "1,5", "", "abc", "1e", ".", "-", "+1", "1e+2", "0e0", "0E-30", "1" * 400,
]  # fmt: skip


NUMBER_TEXT = st.one_of(
    st.sampled_from(NUMBER_EDGES),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
    st.decimals().map(str),
)
RAW_NUMBERS = [
    "1e309", "-1e309", "1e-400", "NaN", "Infinity", "-Infinity", "1E400", "-0", "-0.0",
    "9007199254740992", "99999999999999999999999", "1e21", "1e-11", "5e-324",
    "123456789012345678901234567890.5", "31622400.0000001", "1000000000000.00000000001",
    "1" * 5000,
]  # fmt: skip


EPOCHS = [0, -1, 86_400, 10**11, 2**53, 2**63, 10**20, -(10**15)]
TS_EDGES = [
    "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00-01:00", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59.999999-23:59", "9999-12-31", "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z", "1970-01-01T00:00:00+00:01", "1970-01-01T00:59:00+01:00",
    "2024-02-30", "2024-13-01", "2024-12-08T12:00:00", "2024-12-08T25:00:00Z",
    "2024-12-08T12:00:00+24:00", "", " ", "now", "today", "2024-W01", "20241208T120000Z",
    "2024-12-08 12:00:00", "2024-12-08T12:00:00.1234567Z", "+002024-12-08", "-0001-01-01",
    "١٩٧٠-٠١-٠١", "2024-12-08T12:00:00z", "2024-12-08T12:00:00ZZ", "T", "Z",
]  # fmt: skip


OFFSETS = st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439))
RECENT = st.integers(0, 3 * 24 * 3600).map(lambda s: stamp(NOW - timedelta(seconds=s)))
FUTURE = st.integers(10 * 60, 800 * 24 * 3600).map(lambda s: stamp(NOW + timedelta(seconds=s)))
TS_TEXT = st.one_of(
    RECENT,
    st.sampled_from(TS_EDGES),
    st.datetimes(timezones=st.one_of(st.none(), OFFSETS)).map(datetime.isoformat),
    st.dates().map(str),
    FUTURE,
)


@st.composite
def deep(draw: st.DrawFn) -> Raw:
    """Nesting past every limit: 17 levels (one past the context's), 1000, 100000."""
    depth = draw(st.sampled_from([17, 40, 1000, 100_000]))
    if draw(st.booleans()):
        return Raw("[" * depth + "]" * depth)
    return Raw('{"k":' * depth + "1" + "}" * depth)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    texts(max_size=12),
    st.sampled_from(RAW_NUMBERS).map(Raw),
)


json_values = (
    st.recursive(
        json_scalars,
        lambda kids: st.one_of(
            st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)
        ),
        max_leaves=10,
    )
    | deep()
)
PATTERNS = ["p", "q", "r", "new-a", "new-b"]  # p, q approved; r revoked
DECISIONS = ["d1", "d2", "d3", "new-d"]
LABELS = ["email", "twitter", "golf_coaching", "partnership"]
EVENT_TYPES = [
    "DecisionLogged", "EventRetracted", "OpportunityScored", "OutcomeRecorded",
    "PatternApproved", "PatternConfidenceUpdated", "PatternEstimatesRevised",
    "PatternExecutionRecorded", "PatternRevoked", "ReportGenerated",
]  # fmt: skip


PROJECTIONS = [
    "pattern_daily_stats", "decision_metrics", "pattern_executions", "patterns",
    "opportunity_predictions", "pattern_roi_summary",
]  # fmt: skip


SEED_LINES: list[dict[str, Any]] = [
    {"command": "approve", "pattern_id": "p", "estimated_time_seconds": 60,
     "estimated_cost": "0.05", "approved_at": ago(3)},
    {"command": "approve", "pattern_id": "q", "estimated_time_seconds": 30,
     "estimated_cost": "0.01", "approved_at": ago(3)},
    {"command": "approve", "pattern_id": "r", "estimated_time_seconds": 10,
     "estimated_cost": "0.01", "approved_at": ago(3)},
    *({"command": "execution", "pattern_id": "p", "execution_time_seconds": 40 + i,
       "actual_cost": "0.02", "success": i % 4 != 3, "executed_at": ago(2, i),
       "workflow_id": i} for i in range(6)),
    *({"command": "execution", "pattern_id": "q", "execution_time_seconds": 35,
       "actual_cost": "0.02", "success": False, "executed_at": ago(2, i)} for i in range(3)),
    {"command": "revoke", "pattern_id": "r", "reason": "broken"},
    {"command": "decision", "decision_id": "d1", "type": "golf_coaching", "source": "email",
     "action": "replied", "score": 80, "decided_at": ago(2), "opportunity_id": "opp-1"},
    {"command": "decision", "decision_id": "d2", "type": "partnership", "source": "twitter",
     "action": "replied", "decided_at": ago(2), "context": {"campaign": "spring"}},
    {"command": "decision", "decision_id": "d3", "type": "partnership", "source": "email",
     "action": "ignored", "decided_at": ago(1)},
    {"command": "outcome", "decision_id": "d1", "outcome_type": "conversion", "status": "success",
     "revenue": 250, "customer_acquired": True, "deal_closed": True, "occurred_at": ago(1)},
    {"command": "outcome", "decision_id": "d2", "outcome_type": "response", "status": "failed",
     "occurred_at": ago(1)},
    {"command": "prediction", "opportunity_id": "opp-1", "opportunity_type": "golf_coaching",
     "opportunity_source": "email", "original_score": 80, "adjusted_score": 70,
     "conversion_probability": 50, "predicted_revenue": "100", "confidence": "0.5",
     "similar_count": 1, "model_version": "v1"},
    {"command": "retract", "target_seq": 5, "reason": "recorded twice"},
]  # fmt: skip


class Template:
    """The pre-filled ledger, its export and digest, and the ledgers imports go into."""

    def __init__(
        self, db: Path, events: int, export: list[bytes], digest: str, targets: dict[str, Path]
    ) -> None:
        self.db, self.events, self.export = db, events, export
        self.digest, self.targets = digest, targets

    def __repr__(self) -> str:  # keeps falsifying examples readable
        return f"Template({self.events} events)"


@contextlib.contextmanager
def scratch(source: Path | None) -> Iterator[tuple[Path, Cli]]:
    """A fresh folder (the working directory meanwhile, so default output paths land in it)
    holding a copy of `source` (or no ledger at all) as ledger.db."""
    with tempfile.TemporaryDirectory(prefix="roi-fuzz-") as tmp:
        root = Path(tmp)
        db = root / "ledger.db"
        if source is not None and source.exists():
            shutil.copyfile(source, db)
            for suffix in ("-wal", "-shm"):
                extra = Path(f"{source}{suffix}")
                if extra.exists():
                    shutil.copyfile(extra, Path(f"{db}{suffix}"))
        with contextlib.chdir(root):
            yield root, Cli(db)


FIELDS: dict[str, dict[str, str]] = {
    "approve": {"pattern_id": "pattern", "estimated_time_seconds": "seconds",
                "estimated_cost": "usd", "approved_by": "text", "description": "text",
                "confidence": "fraction", "approved_at": "ts"},
    "revise": {"pattern_id": "pattern", "estimated_time_seconds": "seconds",
               "estimated_cost": "usd", "reason": "text", "revised_at": "ts"},
    "revoke": {"pattern_id": "pattern", "reason": "rtext", "revoked_at": "ts"},
    "execution": {"pattern_id": "pattern", "execution_time_seconds": "seconds",
                  "actual_cost": "usd", "success": "bool", "workflow_id": "count",
                  "estimated_time_seconds": "seconds", "estimated_cost": "usd",
                  "error_message": "text", "executed_at": "ts"},
    "decision": {"decision_id": "decision", "type": "label", "opportunity_type": "label",
                 "source": "label", "opportunity_source": "label", "action": "rtext",
                 "action_taken": "rtext", "content": "text", "score": "score",
                 "opportunity_score": "score", "sender": "text", "decision_maker": "text",
                 "context": "context", "opportunity_id": "id", "decided_at": "ts",
                 "timestamp": "ts"},
    "outcome": {"decision_id": "decision", "outcome_type": "label", "status": "status",
                "outcome_status": "status", "revenue": "usd", "revenue_generated": "usd",
                "customer_acquired": "bool", "deal_closed": "bool",
                "response_received": "bool", "notes": "text", "occurred_at": "ts"},
    "prediction": {"opportunity_id": "id", "opportunity_type": "label",
                   "opportunity_source": "label", "original_score": "score",
                   "adjusted_score": "score", "conversion_probability": "score",
                   "predicted_revenue": "usd", "confidence": "fraction",
                   "similar_count": "count", "model_version": "label"},
    "retract": {"target_seq": "seq", "reason": "rtext"},
    "cost": {"pattern_id": "pattern", "amount": "usd", "label": "rtext",
             "recurrence": "recurrence", "until": "ts", "incurred_at": "ts"},
}  # fmt: skip


COMMON_FIELDS = {"idempotency_key": "key", "expected_version": "count"}
REQUIRED = {
    "approve": {"pattern_id", "estimated_time_seconds", "estimated_cost"},
    "revise": {"pattern_id", "estimated_cost"},
    "revoke": {"pattern_id", "reason"},
    "execution": {"pattern_id", "execution_time_seconds", "actual_cost", "success"},
    "decision": {"decision_id", "type", "source", "action"},
    "outcome": {"decision_id", "outcome_type", "status"},
    "prediction": set(FIELDS["prediction"]) - {"opportunity_type", "opportunity_source"},
    "retract": {"target_seq", "reason"},
    "cost": {"pattern_id", "amount", "label"},
}


def _numbers(low: int, high: int, places: int) -> st.SearchStrategy[Any]:
    exact = st.decimals(min_value=low, max_value=high, places=places)
    return st.one_of(exact.map(str), exact.map(float), st.integers(low, high))


VALID: dict[str, st.SearchStrategy[Any]] = {
    "pattern": st.sampled_from(PATTERNS),
    "decision": st.sampled_from(DECISIONS),
    "id": st.sampled_from(["opp-1", "opp-2", "new-o"]),
    "label": st.sampled_from(LABELS),
    "text": st.sampled_from(["", "fine", "line\nbreak\ttab", "ünïcødé ✓"]),
    "rtext": st.sampled_from(["reason", "recorded twice"]),
    "seconds": _numbers(0, 500, 3),
    "usd": _numbers(0, 10, 4),
    "fraction": _numbers(0, 1, 2),
    "score": _numbers(0, 100, 1),
    "count": st.integers(0, 1000),
    "seq": st.integers(1, len(SEED_LINES) + 2),
    "ts": RECENT,
    "bool": st.booleans(),
    "status": st.sampled_from(["success", "failed", "pending"]),
    "context": st.dictionaries(st.sampled_from(["campaign", "opportunity_id", "n"]),
                               st.one_of(st.integers(0, 9), st.text(max_size=5)), max_size=3),
    "key": st.sampled_from(["k1", "k2", "k3"]),
    "recurrence": st.sampled_from(["one-off", "monthly"]),
}  # fmt: skip


NUMBER_JUNK = st.one_of(
    st.sampled_from(RAW_NUMBERS).map(Raw),
    st.sampled_from(NUMBER_EDGES),
    st.integers(-(2**80), 2**80),
    st.floats(),
)
EDGE: dict[str, st.SearchStrategy[Any]] = {
    "pattern": texts(),
    "decision": texts(),
    "id": texts(),
    "label": texts(),
    "text": texts(),
    "rtext": texts(),
    "seconds": NUMBER_JUNK,
    "usd": NUMBER_JUNK,
    "fraction": NUMBER_JUNK,
    "score": NUMBER_JUNK,
    "count": NUMBER_JUNK,
    "seq": NUMBER_JUNK,
    "ts": st.one_of(TS_TEXT, st.sampled_from(EPOCHS), st.floats()),
    "bool": st.sampled_from(["true", 1, 0, "yes", None, "", [], Raw("tru")]),
    "status": st.one_of(st.sampled_from(["SUCCESS", " success", "", "ok", 1]), texts()),
    "context": st.one_of(
        deep(),
        st.just({"blob": "x" * 20_000}),
        st.just(Raw('{"n": 123456789012345678901}')),
        st.just(Raw('{"n": NaN}')),
        st.just(Raw('{"n": 1e400}')),
        st.just(Raw('{"a": 1, "a": 2}')),
        json_values,
    ),
    "key": texts(),
    "recurrence": st.one_of(st.sampled_from(["weekly", "Monthly", "", 1]), texts()),
}


def spoiled(kind: str | None) -> st.SearchStrategy[Any]:
    """A value that is wrong for a field of this kind, or at least on its edge."""
    if kind is None:  # the `command` tag
        return st.sampled_from(["APPROVE", "execution ", "", None, 1, ["approve"], "bogus"])
    return st.one_of(EDGE[kind], json_values)


@st.composite
def spoil(draw: st.DrawFn, obj: Pairs, kinds: dict[str, str]) -> Pairs:
    """Up to two things wrong with an otherwise valid object: a bad value, a missing or an
    unknown key, a duplicate key. (Whole objects stay valid often enough that the success
    path is exercised as much as the refusals.)"""
    for _ in range(draw(st.integers(0, 2))):
        how = draw(st.integers(0, 5))
        if how <= 2 and obj:
            i = draw(st.integers(0, len(obj) - 1))
            key = obj[i][0]
            obj[i] = (key, draw(spoiled(kinds.get(key))))
        elif how == 3 and obj:
            del obj[draw(st.integers(0, len(obj) - 1))]
        elif how == 4:
            obj.append((draw(st.text(max_size=10)), draw(json_values)))
        elif obj:
            obj.append(obj[draw(st.integers(0, len(obj) - 1))])
    return obj


@st.composite
def command_object(draw: st.DrawFn) -> Pairs:
    """A batch command: valid values for its required fields and some optional ones, then
    (usually) a thing or two spoiled."""
    name = draw(st.sampled_from(sorted(FIELDS)))
    kinds = {**FIELDS[name], **COMMON_FIELDS}
    obj = Pairs([("command", name)])
    for key, kind in kinds.items():
        if key in REQUIRED[name] or not draw(st.integers(0, 3)):
            obj.append((key, draw(VALID[kind])))
    return draw(spoil(obj, kinds))


@st.composite
def batch_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    ending = draw(st.sampled_from([b"\n", b"\n", b"\r\n"]))
    if kind <= 5:
        text = encode(draw(command_object()), draw(st.booleans()))
        return to_bytes(text) + ending
    if kind <= 7:
        return to_bytes(encode(draw(json_values), draw(st.booleans()))) + ending
    if kind == 8:
        return draw(st.binary(max_size=40)) + ending
    return draw(
        st.sampled_from(
            [b"", b"# a comment", b"   ", b"\xef\xbb\xbf{}", b"{" * 5000, b"[" * 100_000,
             b'{"command": "execution",', b"\x00", b"\xff\xfe", b"nul\x00l"]
        )
    ) + ending  # fmt: skip


BATCH_LINES = st.lists(batch_line(), min_size=1, max_size=10)
ENVELOPE_KEYS = [
    "seq", "stream_id", "stream_version", "event_type", "schema_version", "occurred_at",
    "recorded_at", "payload", "idempotency_key", "prev_hash", "hash", "payload_text",
]  # fmt: skip


PAYLOAD_KEYS = [
    "pattern_id", "estimated_cost", "actual_cost", "success", "decision_id", "target_seq",
    "revenue_generated", "outcome_status", "context", "execution_time_seconds", "confidence",
]  # fmt: skip


ENVELOPE_VALUES = st.one_of(
    json_values,
    st.sampled_from([0, 1, 2, 10**30, -1, 2**63, "1", "", "pattern:p", "PatternApproved",
                     GENESIS_HASH, "0" * 64, "9999-12-31T23:59:59.999999Z",
                     "0001-01-01T00:00:00.000000Z", Raw("Infinity"), Raw("1e400")]),
    TS_TEXT,
)  # fmt: skip


MUTATION = st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 99)),
    st.tuples(st.just("duplicate"), st.integers(0, 99)),
    st.tuples(st.just("swap"), st.integers(0, 99), st.integers(0, 99)),
    st.tuples(st.just("truncate"), st.integers(0, 99), st.integers(0, 600)),
    st.tuples(st.just("field"), st.integers(0, 99), st.sampled_from(ENVELOPE_KEYS),
              ENVELOPE_VALUES),
    st.tuples(st.just("payload"), st.integers(0, 99), st.sampled_from(PAYLOAD_KEYS),
              ENVELOPE_VALUES),
    st.tuples(st.just("bytes"), st.integers(0, 99), st.integers(0, 600),
              st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("insert"), st.integers(0, 99), batch_line()),
    st.tuples(st.just("keep"), st.integers(0, 99), st.integers(0, 99)),
    st.just(("rehash",)),
    st.just(("renumber",)),
    st.just(("bom",)),
    st.just(("crlf",)),
    st.just(("reverse",)),
)  # fmt: skip


def _rechain(lines: list[bytes], renumber: bool) -> list[bytes]:
    """Recompute prev_hash and hash down the file (and, with `renumber`, seqs 1, 2, …), so a
    mutated file passes the chain check and reaches decoding, appending and projecting."""
    prev, seq, out = GENESIS_HASH, 0, []
    for raw in lines:
        try:
            env = json.loads(raw)
            assert isinstance(env, dict)
            if renumber:
                seq += 1
                env["seq"] = seq
            text = env.get("payload_text")
            if not isinstance(text, str):
                text = canonical_json(env["payload"])
            env["prev_hash"] = prev
            env["hash"] = chain_hash(
                prev, env["seq"], env["stream_id"], env["stream_version"], env["event_type"],
                env["schema_version"], env["occurred_at"], env["recorded_at"], text,
                env.get("idempotency_key"),
            )  # fmt: skip
        except Exception:  # the line is beyond re-hashing: keep it as it is
            out.append(raw)
            continue
        prev = env["hash"]
        out.append(json.dumps(env, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    return out


def _alter(raw: bytes, key: str, value: Any, in_payload: bool) -> bytes:
    try:
        env = json.loads(raw)
        target = env.get("payload") if in_payload else env
        target[key] = value
        return to_bytes(encode(env, ascii_only=False)) + b"\n"
    except (ValueError, RecursionError, AttributeError, TypeError):  # not an object: as is
        return raw


def mutate(lines: list[bytes], mutations: list[tuple[Any, ...]]) -> bytes:
    lines = list(lines)
    bom = crlf = False
    for op, *args in mutations:
        n = len(lines)
        if op == "drop" and n:
            del lines[args[0] % n]
        elif op == "duplicate" and n:
            i = args[0] % n
            lines.insert(i, lines[i])
        elif op == "swap" and n:
            i, j = args[0] % n, args[1] % n
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "truncate" and n:
            i = args[0] % n
            lines[i] = lines[i][: args[1]] + b"\n"
        elif op in ("field", "payload") and n:
            i = args[0] % n
            lines[i] = _alter(lines[i], args[1], args[2], op == "payload")
        elif op == "bytes" and n:
            i = args[0] % n
            pos = args[1] % (len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + args[2] + lines[i][pos:]
        elif op == "insert":
            lines.insert(args[0] % (n + 1), args[1])
        elif op == "keep" and n:
            start = args[0] % n
            lines = lines[start : start + 1 + args[1] % n]
        elif op in ("rehash", "renumber"):
            lines = _rechain(lines, op == "renumber")
        elif op == "bom":
            bom = True
        elif op == "crlf":
            crlf = True
        elif op == "reverse":
            lines.reverse()
    data = b"".join(lines)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + data


MUTATIONS = st.lists(MUTATION, min_size=1, max_size=4)
OPPORTUNITY_KEYS = {
    "type": "label", "opportunity_type": "label", "source": "label",
    "opportunity_source": "label", "score": "score", "id": "id", "opportunity_id": "id",
    "content": "text", "sender": "text",
}  # fmt: skip


@st.composite
def opportunity(draw: st.DrawFn) -> Any:
    obj = Pairs()
    for key, kind in OPPORTUNITY_KEYS.items():
        if key in ("type", "source", "score") or not draw(st.integers(0, 4)):
            obj.append((key, draw(VALID[kind])))
    return draw(spoil(obj, OPPORTUNITY_KEYS))


@st.composite
def score_file(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    ascii_only = draw(st.booleans())
    if kind <= 5:
        data = to_bytes(encode(draw(st.lists(opportunity(), max_size=6)), ascii_only))
    elif kind <= 7:
        data = to_bytes(encode(draw(json_values), ascii_only))
    elif kind == 8:
        data = draw(st.binary(max_size=60))
    else:
        data = draw(
            st.sampled_from([b"", b"[]", b"[" * 100_000, b'[{"type": "a", "source": "b"}',
                             b"\xef\xbb\xbf[]", b"[NaN]", b'[{"score": Infinity}]', b"\xff"])
        )  # fmt: skip
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0 and data:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + data[pos:]
    return data


ARG_TEXT = texts(argv=True)


@dataclass(frozen=True)
class Kind:
    """What an argument takes: values that should pass, and values that should be refused
    (or at least probe an edge). An example spoils at most two of its arguments, so whole
    commands succeed often enough for their output to be checked as well."""

    valid: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]


def kind(valid: st.SearchStrategy[Any], *edges: Any) -> Kind:
    """Bad values: the edges given (strategies, or values to sample), and any text."""
    strategies = [e if isinstance(e, st.SearchStrategy) else st.just(e) for e in edges]
    return Kind(valid, st.one_of(*strategies, ARG_TEXT))


JOB_NAMES = ["daily-summary", "weekly-summary", "rescore", "roi-alerts", "update-confidence",
             "roi-report"]  # fmt: skip
