"""Statistics helpers against SciPy's own routines."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from toolkit import stats


def test_rank_correlation_matches_scipy_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    y = x + rng.normal(size=200)
    result = stats.rank_correlation(x, y, np.random.default_rng(1))
    assert result["rho"] == pytest.approx(scipy_stats.spearmanr(x, y).statistic)
    assert result["low"] < result["rho"] < result["high"]
    assert result["n"] == 200
    again = stats.rank_correlation(x, y, np.random.default_rng(1))
    assert again == result  # the same generator state gives the same interval


def test_rank_correlation_interval_covers_zero_for_independent_data() -> None:
    rng = np.random.default_rng(2)
    result = stats.rank_correlation(rng.normal(size=300), rng.normal(size=300), rng)
    assert result["low"] < 0 < result["high"]


def test_rank_correlation_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="same length"):
        stats.rank_correlation(np.ones(5), np.ones(4), np.random.default_rng(0))
    with pytest.raises(ValueError, match=">= 3"):
        stats.rank_correlation(np.ones(2), np.ones(2), np.random.default_rng(0))


def test_mean_interval_brackets_the_mean_and_tests_zero() -> None:
    rng = np.random.default_rng(10)
    values = rng.normal(0.5, 1.0, 200)
    result = stats.mean_interval(values, np.random.default_rng(11))
    assert result["low"] < values.mean() < result["high"]
    assert result["p_value"] == pytest.approx(scipy_stats.ttest_1samp(values, 0).pvalue)
    assert result["p_value"] < 0.001


def test_difference_in_means_uses_a_permutation_p_value() -> None:
    rng = np.random.default_rng(12)
    same = stats.difference_in_means(rng.normal(size=100), rng.normal(size=100), rng)
    assert same["low"] < 0 < same["high"] and same["p_value"] > 0.05
    shifted = stats.difference_in_means(rng.normal(1, 1, 100), rng.normal(size=100), rng)
    assert shifted["p_value"] < 0.01 and shifted["low"] > 0


def test_adjusted_p_values_match_scipy_and_keep_missing_ones() -> None:
    raw = [0.01, None, 0.04, 0.03, float("nan"), 0.5]
    adjusted = stats.adjust_p_values(raw)
    expected = scipy_stats.false_discovery_control([0.01, 0.04, 0.03, 0.5])
    assert adjusted[1] is None and np.isnan(adjusted[4])
    np.testing.assert_allclose([adjusted[i] for i in (0, 2, 3, 5)], expected)
    assert all(a >= r for a, r in zip([adjusted[i] for i in (0, 2, 3, 5)],
                                      [0.01, 0.04, 0.03, 0.5], strict=True))


def test_proportion_interval_is_wilson() -> None:
    result = stats.proportion_interval(10, 200)
    assert result["estimate"] == 0.05
    assert result["low"] < 0.05 < result["high"]
    with pytest.raises(ValueError):
        stats.proportion_interval(3, 2)


def test_bootstraps_in_batches_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.stats import estimates

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=5_001), rng.normal(size=5_001)
    whole = (estimates.rank_correlation(x, y, np.random.default_rng(1)),
             estimates.mean_interval(x, np.random.default_rng(1)),
             estimates.difference_in_means(x, y, np.random.default_rng(1), n_resamples=500))
    assert estimates.bootstrap_batch(1_000, 2_000) == 2_000  # small: all resamples at once
    assert estimates.bootstrap_batch(5_001, 2_000) == 4_000_000 // 5_001
    monkeypatch.setattr(estimates, "BOOTSTRAP_VALUES", 250_000)  # batches of 49 resamples
    assert estimates.bootstrap_batch(5_001, 2_000) == 49
    batched = (estimates.rank_correlation(x, y, np.random.default_rng(1)),
               estimates.mean_interval(x, np.random.default_rng(1)),
               estimates.difference_in_means(x, y, np.random.default_rng(1), n_resamples=500))
    assert batched == whole
    assert estimates.bootstrap_batch(10**9, 2_000) == 1  # never zero
