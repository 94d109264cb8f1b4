"""The one canonical JSON form roi-ledger stores and hashes: RFC 8785 (JCS)."""

from typing import Any


def canonical_json(value: Any) -> str:
    """RFC 8785 (JSON Canonicalization Scheme): keys sorted, no spaces, UTF-8, numbers in
    their one shortest form (0.00001, 1e-7, 87 for 87.0). Stored payloads are in this form,
    so parsing one and canonicalising it again gives back the same text, byte for byte.

    Raises ValueError for what JSON cannot carry exactly (integers beyond ±2**53 - 1,
    NaN, infinities, non-string keys).
    """
    import rfc8785  # only payloads with fractions or free-form JSON need it: not every append

    try:
        return rfc8785.dumps(value).decode()
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"not canonical JSON material: {exc}") from None
