"""The README's commands run (issue 22): every `roi-ledger …` line in its bash and console
blocks is run against a fresh demo ledger, and must be a command and options that exist —
no usage error, no traceback; where a console block shows a table, the same columns and the
same figures come out (the demo's figures do not depend on its date; its dates are left
out). So the README cannot drift from the CLI again."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = "2026-03-01T12:00:00Z"
SKIP = ("serve", "schedule run ", "demo", "--install-completion")
"""Lines that start servers, wait forever, or change the user's shell."""


def blocks() -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced block."""
    out, lang, lines = [], None, []
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, lines = line[3:].strip(), []
            else:
                out.append((lang, lines))
                lang = None
        elif lang is not None:
            lines.append(line)
    return out


def commands() -> list[list[tuple[str, list[str]]]]:
    """Per block, each README command line with the table headers shown under it (console
    blocks); a line that is a synopsis (`[--option …]`) is not a command to run."""
    found: list[list[tuple[str, list[str]]]] = []
    for lang, lines in blocks():
        block: list[tuple[str, list[str]]] = []
        found.append(block)
        if lang not in ("bash", "console", "sh"):
            continue
        joined: list[str] = []
        for line in lines:
            if joined and joined[-1].endswith("\\"):
                joined[-1] = joined[-1][:-1] + " " + line.strip()
            else:
                joined.append(line)
        for i, line in enumerate(joined):
            text = line.strip().removeprefix("$ ")
            if not text.startswith("roi-ledger ") or text[11:].startswith(SKIP):
                continue
            text = re.split(r"\s+#\s", text)[0].strip()
            if any(mark in text for mark in ("|", ">", "<", "…", "...", "$(", " [", "&")):
                continue  # a pipe, a redirect, a synopsis or a placeholder: not to run
            shown = []
            if lang == "console":
                for after in joined[i + 1 :]:
                    if after.startswith("$ "):
                        break
                    if "┃" in after:
                        shown += [c.strip() for c in after.split("┃") if c.strip()]
                    elif "│" in after:  # a row: its figures, not its dates (they follow today)
                        shown += [
                            c.strip() for c in after.split("│")
                            if c.strip() and not re.search(r"\d{4}-?\d{2}-?\d{2}", c)
                        ]  # fmt: skip
            block.append((text, shown))
    return [b for b in found if b]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    db = folder / "roi-ledger.db"
    subprocess.run([sys.executable, "-m", "ledger", "--db", str(db), "demo", "--now", NOW],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    return db


def test_the_readme_has_commands_to_run() -> None:
    assert sum(len(b) for b in commands()) >= 25


@pytest.mark.parametrize("block", commands(), ids=lambda b: b[0][0][11:50])
def test_every_readme_command_exists_and_runs(
    template: Path, tmp_path: Path, block: list[tuple[str, list[str]]]
) -> None:
    """A block's lines in order, on one fresh copy of the demo ledger (a later line may
    use what an earlier one recorded)."""
    db = tmp_path / "roi-ledger.db"
    shutil.copy(template, db)
    env = {**os.environ, "ROI_LEDGER_DB": str(db), "COLUMNS": "200"}
    for line, columns in block:
        args = shlex.split(line)[1:]
        done = subprocess.run([sys.executable, "-m", "ledger", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        said = f"{line}\n{done.stdout}{done.stderr}"
        assert "Traceback" not in said, said
        assert "No such command" not in said and "No such option" not in said, said
        assert done.returncode in (0, 1, 2), said
        if done.returncode == 2 and "Usage:" in done.stderr:
            # a usage error is README drift, unless it is about a file the reader would have
            assert "does not exist" in done.stderr, said
        for column in columns:
            assert column in done.stdout, (line, column, done.stdout)
