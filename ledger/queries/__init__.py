"""The reads: plain functions over one read of the ledger (`context.Read`), the as-of point and
the window of business time resolved once, outside them, by `context.run`."""
