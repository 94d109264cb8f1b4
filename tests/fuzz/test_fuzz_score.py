"""`score FILE` fuzzed (support.py says how): arbitrary JSON and bytes as the opportunity
file succeed or are refused whole: no event appended, no output file written."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.conftest import event_count
from tests.fuzz.support import (
    Template,
    check_json_error,
    clean,
    examples,
    finite_json,
    score_file,
    scratch,
)


def check_score(template: Template, data: bytes, record: bool, as_json: bool) -> None:
    with scratch(template.db) as (root, cli):
        source = root / "opportunities.json"
        source.write_bytes(data)
        output = root / "out" / "scored.json"
        before = event_count(cli.db)
        args = ["score", str(source), "--output", str(output)]
        args += ([] if record else ["--no-record"]) + (["--json"] if as_json else [])
        result = cli(*args)
        event(f"score: exit {result.exit_code}")
        clean(result, {0, 2})
        appended = event_count(cli.db) - before
        if result.exit_code != 0:
            assert appended == 0, f"refused (exit 2) yet {appended} events appended"
            assert not output.exists(), "refused (exit 2) yet the output file was written"
            if as_json:
                check_json_error(result)
            return
        scored = finite_json(output.read_text(encoding="utf-8"))
        assert isinstance(scored, list)
        assert 0 <= appended <= (len(scored) if record else 0)
        if as_json:
            assert finite_json(result.stdout) == scored


SCORE_ARGS = {"data": score_file(), "record": st.booleans(), "as_json": st.booleans()}


@examples(70)
@given(**SCORE_ARGS)
def test_score_files_succeed_or_are_refused_whole(
    template: Template, data: bytes, record: bool, as_json: bool
) -> None:
    check_score(template, data, record, as_json)


@pytest.mark.slow
@examples(1500)
@given(**SCORE_ARGS)
def test_score_files_succeed_or_are_refused_whole_long(
    template: Template, data: bytes, record: bool, as_json: bool
) -> None:
    check_score(template, data, record, as_json)
