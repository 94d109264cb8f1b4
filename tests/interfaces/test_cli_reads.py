"""A CLI read is declared by the Ledger read it calls (ledger/interfaces/cli/reads.py): a name
that is not one fails as the command is declared, not when a user runs it."""

from __future__ import annotations

import pytest
import typer

from ledger.interfaces.cli.reads import read


def test_a_read_naming_no_ledger_read_fails_when_declared() -> None:
    app = typer.Typer()
    with pytest.raises(AttributeError, match=r"no Ledger\.roi_sumary"):
        read(app, "roi_sumary")
    with pytest.raises(AttributeError, match=r"no Ledger\.roi_summary_compard"):
        read(app, "roi_summary", compared="roi_summary_compard")
    read(app, "roi_summary", compared="roi_summary_compared")  # both real: declared
