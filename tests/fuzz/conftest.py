"""The pre-filled ledger every fuzz example starts from, built once for the package."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Cli, event_count
from tests.fuzz.support import SEED_LINES, Template


@pytest.fixture(scope="package")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("fuzz-template")
    db = root / "template.db"
    cli = Cli(db)
    seed = root / "seed.jsonl"
    seed.write_text("".join(json.dumps(line) + "\n" for line in SEED_LINES))
    out = cli.json("record", "batch", str(seed))
    assert out["rejected"] == 0, out
    exported = root / "export.jsonl"
    cli.json("export", "--output", str(exported))
    lines = exported.read_bytes().splitlines(keepends=True)
    digest = cli.json("digest")
    events = event_count(db)
    assert events == len(SEED_LINES) == len(lines)
    # import targets: an empty ledger, one holding a prefix of the export, the full copy
    prefix_file = root / "prefix.jsonl"
    prefix_file.write_bytes(b"".join(lines[:7]))
    prefix_db = root / "prefix.db"
    Cli(prefix_db).json("import", str(prefix_file))
    targets = {"empty": root / "absent.db", "prefix": prefix_db, "full": db}
    return Template(db, events, lines, f"{digest['seq']}:{digest['hash']}", targets)
