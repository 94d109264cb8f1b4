"""`/docs`: the API described in plain HTML from its own OpenAPI document (no JavaScript, no
CDN: it works offline)."""

from __future__ import annotations

from html import escape
from typing import Any


def page(spec: dict[str, Any]) -> str:
    """Every operation: method, path, summary, parameters, body fields and error codes."""
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(spec['info']['title'])} API</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;"
        "padding:0 1em}code{background:#f3f3f3;padding:0 .2em}h2{margin-top:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;"
        "text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>{escape(spec['info']['title'])} {escape(spec['info']['version'])}</h1>",
        f"<p>{escape(spec['info'].get('summary', ''))} The machine-readable description is "
        "<a href=/openapi.json>/openapi.json</a>; the figures themselves are on "
        '<a href=/>the dashboard</a>. Every refusal is <code>{"error": words, '
        '"details": {…}}</code>.</p>',
    ]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            parts.append(f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>")
            parts.append(f"<p>{escape(op.get('description') or op.get('summary', ''))}</p>")
            rows = [
                (p["name"], p["in"], p.get("description", ""), p.get("required", False))
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = body.get("schema", {})
            required = set(schema.get("required", []))
            for name, field in schema.get("properties", {}).items():
                rows.append((name, "body", field.get("description", ""), name in required))
            if rows:
                parts.append(
                    "<table><tr><th>name</th><th>in</th><th>required</th><th>meaning</th></tr>"
                )
                for name, where, text, needed in rows:
                    parts.append(
                        f"<tr><td><code>{escape(name)}</code></td><td>{escape(where)}</td>"
                        f"<td>{'yes' if needed else ''}</td><td>{escape(text)}</td></tr>"
                    )
                parts.append("</table>")
            answers = op.get("responses", {})
            codes = "; ".join(
                f"{escape(c)} {escape(answers[c].get('description', ''))}" for c in answers
            )
            parts.append(f"<p>Responses: {codes}</p>")
    parts.append("</body></html>")
    return "".join(parts)
