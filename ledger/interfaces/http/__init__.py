"""The HTTP API (`roi-ledger serve`): ledger/interfaces/http/app.py."""
