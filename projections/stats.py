"""Small statistics, standard library only: Wilson intervals, confidence from sample size."""

from __future__ import annotations

import math

Z95 = 1.959963984540054
"""The 97.5th percentile of the standard normal: a two-sided 95 % interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion; None when there are no trials.

    Its bound is exactly 0 with no successes and exactly 1 with nothing else (the formula
    gives them only up to rounding: 0 of 3 came out as 5.6e-15), and it always holds the
    observed rate.
    """
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if successes <= 0 else min(p, max(0.0, centre - half))
    high = 1.0 if successes >= n else max(p, min(1.0, centre + half))
    return low, high


def sample_confidence(n: int) -> float:
    """Confidence from the number of data points, rising with n and always below 1.

    0 for none; below 0.7 under 5; 0.7–0.9 for 5 to 9; at least 0.9 from 10 on.
    """
    if n <= 0:
        return 0.0
    if n < 5:
        return round(0.14 * n, 4)  # 0.14 … 0.56
    if n < 10:
        return round(0.7 + 0.04 * (n - 5), 4)  # 0.70 … 0.86
    return 1 - 0.1 * math.sqrt(10 / n)  # 0.90 at 10, → 1 as n grows


def two_proportion_test(s1: int, n1: int, s2: int, n2: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test that s1/n1 and s2/n2 come
    from the same rate; None when either has no trials. Equal rates of all or nothing give 1.

    A normal approximation: with few trials it is rough, which the caller says beside it.
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (s1 + s2) / (n1 + n2)
    spread = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if spread <= 0:
        return 1.0  # both all successes, or both none: no difference to test
    z = (s1 / n1 - s2 / n2) / math.sqrt(spread)
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))
