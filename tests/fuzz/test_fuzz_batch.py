"""`record batch FILE` fuzzed (support.py says how): lines of arbitrary bytes, arbitrary JSON
and near-valid command objects succeed or are refused one by one, and the events appended are
exactly the lines it says it accepted."""

from __future__ import annotations

import re

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.conftest import event_count
from tests.fuzz.support import (
    BATCH_LINES,
    Template,
    clean,
    examples,
    finite_json,
    scratch,
)

CHUNK = st.sampled_from([None, "1", "2", "5000"])
RECORDED = re.compile(r"(\d+) recorded, (\d+) duplicate\(s\) skipped, (\d+) refused")


def check_batch(template: Template, lines: list[bytes], chunk: str | None, as_json: bool) -> None:
    with scratch(template.db) as (root, cli):
        path = root / "batch.jsonl"
        content = b"".join(lines)
        if lines and lines[0].startswith(b"{") and content.count(b"\n") % 3 == 0:
            content = b"\xef\xbb\xbf" + content  # a byte order mark, now and then
        path.write_bytes(content)
        args = ["record", "batch", str(path), *(["--chunk-size", chunk] if chunk else [])]
        before = event_count(cli.db)
        result = cli(*args, *(["--json"] if as_json else []))
        clean(result, {0, 2})
        appended = event_count(cli.db) - before
        if as_json:
            out = finite_json(result.stdout)
            accepted, rejected = out["accepted"], out["rejected"]
            assert rejected == len(out["errors"]), out
            numbers = content.count(b"\n") + 1
            assert all(1 <= e["line"] <= numbers for e in out["errors"]), out["errors"]
        else:
            found = RECORDED.search(result.stdout)
            assert found, result.stdout
            accepted, rejected = int(found[1]), int(found[3])
        assert appended == accepted, (appended, accepted, result.stdout[-2000:])
        event(f"batch: {'some' if accepted else 'no'} lines accepted, exit {result.exit_code}")
        assert (result.exit_code == 2) == (rejected > 0), (result.exit_code, rejected)


@examples(70)
@given(lines=BATCH_LINES, chunk=CHUNK, as_json=st.booleans())
def test_batch_lines_succeed_or_are_refused_one_by_one(
    template: Template, lines: list[bytes], chunk: str | None, as_json: bool
) -> None:
    check_batch(template, lines, chunk, as_json)


@pytest.mark.slow
@examples(1500)
@given(lines=BATCH_LINES, chunk=CHUNK, as_json=st.booleans())
def test_batch_lines_succeed_or_are_refused_one_by_one_long(
    template: Template, lines: list[bytes], chunk: str | None, as_json: bool
) -> None:
    check_batch(template, lines, chunk, as_json)
