"""The runtime statistics (standard library only) against scipy and numpy, test-only deps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from projections.calibration import calibration
from projections.prediction_math import shrunk_rate
from projections.stats import wilson_interval


@pytest.mark.parametrize(
    ("k", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (148, 150), (5, 7), (50, 100), (999, 1000)]
)
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)  # type: ignore[misc]
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


@pytest.mark.parametrize(
    ("k", "n", "parent", "strength"),
    [(2, 2, 0.4, 5.0), (0, 3, 0.6, 10.0), (30, 50, 0.2, 1.0), (0, 0, 0.35, 5.0)],
)
def test_shrinkage_is_the_beta_posterior_mean(
    k: int, n: int, parent: float, strength: float
) -> None:
    posterior = stats.beta(k + strength * parent, n - k + strength * (1 - parent))
    assert shrunk_rate(k, n, parent, strength) == pytest.approx(posterior.mean(), abs=1e-12)


def test_brier_score_matches_numpy() -> None:
    rng = np.random.default_rng(7)
    p = rng.random(200)
    y = rng.random(200) < p
    result = calibration(list(zip(p.tolist(), y.tolist(), strict=True)))
    assert result["brier_score"] == pytest.approx(float(np.mean((p - y) ** 2)), abs=1e-12)
    assert sum(b["count"] for b in result["buckets"]) == 200


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_wilson_interval_is_a_proportion_holding_the_observed_rate(kn: tuple[int, int]) -> None:
    """The defect: 0 of 3 gave a lower bound of 5.551115123125783e-15, printed as such.
    Bounds lie in [0, 1] around the observed rate, exactly 0 and 1 at the ends."""
    k, n = kn
    low, high = wilson_interval(k, n)  # type: ignore[misc]
    assert 0.0 <= low <= k / n <= high <= 1.0
    assert (low == 0.0) == (k == 0)
    assert (high == 1.0) == (k == n)
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.floats(0, 1, allow_nan=False), st.booleans()), min_size=1, max_size=60
    )
)
def test_the_brier_decomposition_adds_up_and_matches_numpy(pairs: list[tuple[float, bool]]) -> None:
    """Property: reliability − resolution + uncertainty + within-bucket spread is the Brier
    score; each part as numpy computes it from the buckets."""
    result = calibration(pairs)
    p = np.array([x for x, _ in pairs])
    y = np.array([float(v) for _, v in pairs])
    assert result["brier_score"] == pytest.approx(float(np.mean((p - y) ** 2)), abs=1e-12)
    parts = result["reliability"] - result["resolution"] + result["uncertainty"]
    assert parts + result["within_bucket_spread"] == pytest.approx(result["brier_score"])
    bucket = np.minimum((p * 10).astype(int), 9)
    rel = res = ece = 0.0
    for k in np.unique(bucket):
        members = bucket == k
        f, o = p[members].mean(), y[members].mean()
        rel += members.sum() * (f - o) ** 2
        res += members.sum() * (o - y.mean()) ** 2
        ece += members.sum() * abs(f - o)
    assert result["reliability"] == pytest.approx(rel / len(p), abs=1e-12)
    assert result["resolution"] == pytest.approx(res / len(p), abs=1e-12)
    assert result["expected_calibration_error"] == pytest.approx(ece / len(p), abs=1e-12)
    assert result["uncertainty"] == pytest.approx(y.mean() * (1 - y.mean()), abs=1e-12)
