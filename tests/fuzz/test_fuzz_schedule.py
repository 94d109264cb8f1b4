"""The schedule commands and `--now` fuzzed (support.py says how): a future `--now` is
refused, a past one runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import event_count
from tests.fuzz.support import (
    JOB_NAMES,
    NOW,
    Template,
    check_json_error,
    clean,
    examples,
    finite_json,
    scratch,
    stamp,
)

SCHEDULE_COMMAND = st.one_of(
    st.sampled_from(JOB_NAMES).map(lambda job: ["schedule", "run-job", job]),
    st.just(["schedule", "catch-up"]),
)
FUTURE_NOW = st.one_of(
    st.integers(10 * 60, 800 * 24 * 3600).map(lambda s: f"+{s}"),  # from the time of the run
    st.sampled_from(["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00"]),
)
PAST_NOW = st.integers(0, 2 * 24 * 3600).map(lambda s: stamp(NOW - timedelta(seconds=s)))


def check_schedule(
    template: Template, command: list[str], now: str, future: bool, zone: str
) -> None:
    if now.startswith("+"):  # seconds ahead of now, as the run starts (a long run takes minutes)
        now = stamp(datetime.now(UTC) + timedelta(seconds=int(now[1:])))
    with scratch(template.db) as (root, cli):
        before = event_count(cli.db)
        result = cli(*command, "--now", now, "--reports-dir", "reports", "--timezone", zone,
                     "--json")  # fmt: skip
        if future:
            clean(result, {2})
            assert event_count(cli.db) == before
            assert not any((root / "reports").rglob("*.*")), "refused, yet reports written"
            check_json_error(result)
        else:
            clean(result, {0})
            for item in finite_json(result.stdout):
                assert not item.get("error"), item


ZONES = st.sampled_from(["UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12"])


@examples(30)
@given(command=SCHEDULE_COMMAND, future=st.booleans(), data=st.data(), zone=ZONES)
def test_schedule_refuses_a_future_now_and_runs_a_past_one(
    template: Template, command: list[str], future: bool, data: st.DataObject, zone: str
) -> None:
    now = data.draw(FUTURE_NOW if future else PAST_NOW, label="now")
    check_schedule(template, command, now, future, zone)


@pytest.mark.slow
@examples(400)
@given(command=SCHEDULE_COMMAND, future=st.booleans(), data=st.data(), zone=ZONES)
def test_schedule_refuses_a_future_now_and_runs_a_past_one_long(
    template: Template, command: list[str], future: bool, data: st.DataObject, zone: str
) -> None:
    now = data.draw(FUTURE_NOW if future else PAST_NOW, label="now")
    check_schedule(template, command, now, future, zone)
