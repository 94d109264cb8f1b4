"""The application: the `Ledger` facade and the features built on the core (batch, import,
analytics, alerts, receipts)."""
