"""The one canonical JSON form roi-ledger stores and hashes: RFC 8785 (JCS)."""

from typing import Any

SAFE_INTEGER = 2**53 - 1
"""RFC 8785 numbers are IEEE doubles: integers beyond this cannot be carried exactly."""


def canonical_json(value: Any) -> str:
    """RFC 8785 (JSON Canonicalization Scheme): keys sorted, no spaces, UTF-8, numbers in
    their one shortest form (0.00001, 1e-7, 87 for 87.0). Stored payloads are in this form,
    so parsing one and canonicalising it again gives back the same text, byte for byte.

    Raises ValueError for what JSON cannot carry exactly (integers beyond ±2**53 - 1,
    NaN, infinities, non-string keys).
    """
    if _plain(value):
        # Without floats or non-ASCII text, RFC 8785 and the json module's compact sorted
        # form are the same text (tests/events/test_canonical_json.py holds them to it): ~20x
        # cheaper than the pure-Python canonicaliser, which a decision's context needed.
        import json

        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import rfc8785  # only payloads with fractions or free-form JSON need it: not every append

    try:
        return rfc8785.dumps(value).decode()
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"not canonical JSON material: {exc}") from None


def _plain(value: Any) -> bool:
    """Only objects with ASCII keys, arrays, ASCII strings, safe integers, booleans and null:
    the JSON on which sorting by code point, the json module's escapes and its integers
    agree with RFC 8785's UTF-16 order, escapes and numbers."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii():
                return False
        elif kind is dict:
            for key, inner in item.items():
                if type(key) is not str or not key.isascii():
                    return False
                stack.append(inner)
        elif kind is list:
            stack.extend(item)
        elif kind is int:
            if not -SAFE_INTEGER <= item <= SAFE_INTEGER:
                return False
        elif item is not None and kind is not bool:
            return False  # floats, Decimals, tuples…: the canonicaliser decides
    return True
