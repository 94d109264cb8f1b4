"""Tamper evidence: the hash chain, what the ledger remembers of its log, the projection check."""
