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
