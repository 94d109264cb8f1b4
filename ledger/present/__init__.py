"""Presentation: JSON at the edge, CSV, charts and the Markdown reports."""
