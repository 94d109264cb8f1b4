"""The per-event path's shortcuts decide exactly as the rules they skip (issue 23: ids and
labels were checked by asking Unicode about every character, ~0.5 s of a 40k-event batch).
Each property runs the same input through the shortcut and through the full rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands import fields

CHECKS = {"id": fields.check_id, "label": fields.check_label, "text": fields.check_text}

texts = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=220),  # the shortcut's ground
    st.text(max_size=220),  # anything Unicode holds
    st.sampled_from(["", " ", "a b", "x" * 200, "x" * 201, "café", "cafe\u0301", "a\u202eb",
                     "a\u200bb", "tab\there", "line\nbreak", "\x7f", "\x1b[31m", "ok-id_1"]),
)  # fmt: skip


def outcome(check: Callable[[str], str], value: str) -> Any:
    try:
        return ("ok", check(value))
    except ValueError as error:
        return ("refused", str(error))


@pytest.mark.parametrize("name", sorted(CHECKS))
@settings(max_examples=400, deadline=None)
@given(value=texts)
def test_the_ascii_shortcut_decides_as_the_full_rules(name: str, value: str) -> None:
    check = CHECKS[name]
    fast = outcome(check, value)
    plain = fields._plain
    fields._plain = lambda _value: False  # every input through the per-character rules
    try:
        full = outcome(check, value)
    finally:
        fields._plain = plain
    assert fast == full
