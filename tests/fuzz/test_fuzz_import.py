"""`import FILE` fuzzed (support.py says how): a real export, mutated, imports or changes
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.conftest import event_count
from tests.fuzz.support import (
    MUTATIONS,
    Template,
    check_json_error,
    clean,
    examples,
    finite_json,
    mutate,
    scratch,
)

IMPORT_TARGETS = st.sampled_from(["empty", "prefix", "full"])


def check_import(
    template: Template, target: str, mutations: list[tuple[Any, ...]], as_json: bool
) -> None:
    with scratch(template.targets[target]) as (root, cli):
        path = root / "import.jsonl"
        path.write_bytes(mutate(template.export, mutations))
        before = event_count(cli.db)
        result = cli("import", str(path), *(["--json"] if as_json else []))
        event(f"import into {target}: exit {result.exit_code}")
        clean(result, {0, 1, 2})
        after = event_count(cli.db)
        if result.exit_code != 0:
            assert after == before, f"exit {result.exit_code} yet {after - before} events added"
            if as_json:
                check_json_error(result)
            return
        if as_json:
            out = finite_json(result.stdout)
            assert after == before + out["imported"], (before, after, out)
        # what was imported is a log that verifies, and projections a rebuild agrees with
        verified = cli("verify", "--projections", "--json")
        clean(verified, {0})
        assert finite_json(verified.stdout)["ok"] is True


@examples(70)
@given(target=IMPORT_TARGETS, mutations=MUTATIONS, as_json=st.booleans())
def test_import_of_a_mutated_export_succeeds_or_changes_nothing(
    template: Template, target: str, mutations: list[tuple[Any, ...]], as_json: bool
) -> None:
    check_import(template, target, mutations, as_json)


@pytest.mark.slow
@examples(1500)
@given(target=IMPORT_TARGETS, mutations=MUTATIONS, as_json=st.booleans())
def test_import_of_a_mutated_export_succeeds_or_changes_nothing_long(
    template: Template, target: str, mutations: list[tuple[Any, ...]], as_json: bool
) -> None:
    check_import(template, target, mutations, as_json)


def test_an_unmutated_export_imports_into_an_empty_ledger(template: Template) -> None:
    """The baseline the mutations start from really does import (and reproduces the digest)."""
    with scratch(None) as (root, cli):
        path = root / "import.jsonl"
        path.write_bytes(b"".join(template.export))
        out = cli.json("import", str(path))
        assert out["imported"] == template.events
        assert f"{out['seq']}:{out['hash']}" == template.digest
