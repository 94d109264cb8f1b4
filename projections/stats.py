"""Small statistics, standard library only: Wilson intervals, confidence from sample size."""

from __future__ import annotations

import functools
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


def fisher_exact(s1: int, n1: int, s2: int, n2: int) -> float:
    """The two-sided p-value of Fisher's exact test on the 2×2 table (s1, n1 − s1; s2,
    n2 − s2): the probability, given the margins, of every table at most as likely as the
    one observed (scipy's rule, with the same relative tolerance)."""
    total, successes = n1 + n2, s1 + s2
    low, high = max(0, successes - n2), min(n1, successes)

    def log_p(x: int) -> float:
        return _log_comb(n1, x) + _log_comb(n2, successes - x) - _log_comb(total, successes)

    observed = log_p(s1)
    cut = observed + math.log1p(1e-7)
    p = sum(math.exp(log_p(x)) for x in range(low, high + 1) if log_p(x) <= cut)
    return min(1.0, p)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def rates_test(s1: int, n1: int, s2: int, n2: int) -> tuple[str, float | None]:
    """The test of two rates a comparison states: the two-proportion z-test when every cell
    of the table is expected to hold at least 5, else Fisher's exact test; (its name, p)."""
    if n1 <= 0 or n2 <= 0:
        return "none (no trials)", None
    pooled = (s1 + s2) / (n1 + n2)
    expected = min(pooled * n1, (1 - pooled) * n1, pooled * n2, (1 - pooled) * n2)
    if expected >= 5:
        return "two-proportion z-test", two_proportion_test(s1, n1, s2, n2)
    return "Fisher's exact test", fisher_exact(s1, n1, s2, n2)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values (in the order given): each p
    multiplied by the number of hypotheses not yet rejected, kept monotone, at most 1."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def difference_interval(
    s1: int, n1: int, s2: int, n2: int, z: float = Z95
) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval (his method 10) for p1 − p2, from the two Wilson
    intervals; None when either side has no trials."""
    one, two = wilson_interval(s1, n1, z), wilson_interval(s2, n2, z)
    if one is None or two is None:
        return None
    p1, p2 = s1 / n1, s2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - one[0]) ** 2 + (two[1] - p2) ** 2)
    high = d + math.sqrt((one[1] - p1) ** 2 + (p2 - two[0]) ** 2)
    return max(-1.0, low), min(1.0, high)


Z80 = 0.8416212335729143
"""The 80th percentile of the standard normal: power 0.8."""


def decisions_needed(p1: float, p2: float, z: float = Z95, power_z: float = Z80) -> int | None:
    """Decisions needed on each side for a two-sided test at 5 % to find a difference
    between rates p1 and p2 with 80 % power (the normal approximation); None when the rates
    are equal (no difference to find)."""
    if p1 == p2:
        return None
    mean = (p1 + p2) / 2
    top = z * math.sqrt(2 * mean * (1 - mean)) + power_z * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil((top / (p1 - p2)) ** 2)


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return result


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), 0 ≤ x ≤ 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with `df` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t >= 0 else tail


def _t_density(t: float, df: float) -> float:
    log = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log - (df + 1) / 2 * math.log1p(t * t / df))


@functools.lru_cache(maxsize=1024)
def student_t_ppf(q: float, df: float) -> float:
    """The `q` quantile of Student's t (0 < q < 1): Newton's method on the CDF from the
    normal quantile, kept inside a bracket that bisection narrows whenever a step would
    leave it (a handful of CDF evaluations; cached, as the same few are asked again)."""
    if not 0 < q < 1:
        raise ValueError("q must lie strictly between 0 and 1")
    if q < 0.5:
        return -student_t_ppf(1 - q, df)
    if q == 0.5:
        return 0.0
    import statistics  # the normal quantile to start from; not loaded by an append

    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < q:
        low, high = high, high * 2
    t = min(max(statistics.NormalDist().inv_cdf(q), low), high)
    for _ in range(100):
        gap = student_t_cdf(t, df) - q
        if gap > 0:
            high = t
        else:
            low = t
        if gap == 0:
            break
        step = t - gap / _t_density(t, df)
        if not low <= step <= high:
            step = (low + high) / 2
        done = abs(step - t) <= 1e-14 * max(1.0, abs(t))
        t = step
        if done or high - low < 1e-13 * max(1.0, high):
            break
    return t


def welch_test(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int
) -> float | None:
    """The two-sided p-value of Welch's t-test that two means are equal (None under 2 on
    either side; 1 when neither varies and the means are equal, 0 when they differ)."""
    if n1 < 2 or n2 < 2:
        return None
    spread = var1 / n1 + var2 / n2
    if spread <= 0:
        return 1.0 if mean1 == mean2 else 0.0
    t = (mean1 - mean2) / math.sqrt(spread)
    df = spread**2 / ((var1 / n1) ** 2 / (n1 - 1) + (var2 / n2) ** 2 / (n2 - 1))
    return min(1.0, 2 * (1 - student_t_cdf(abs(t), df)))
