"""The adapters people and programs use: the CLI, the HTTP API and pages, the scheduler, the compat
facades, the demo."""
