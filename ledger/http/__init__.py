"""The HTTP API (`roi-ledger serve`): ledger/http/app.py."""
