"""Reports: pure functions from query results to Markdown (and the files the scheduler writes)."""
