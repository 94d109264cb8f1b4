"""`python -m ledger` runs the CLI."""

from ledger.interfaces.cli import main

main()
