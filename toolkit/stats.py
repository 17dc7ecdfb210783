"""Statistics helpers: thin, tested wrappers over SciPy that report effect sizes with intervals.

Each function returns the estimate together with a confidence interval, never a p-value
alone. The statistics layer of the project grows here.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["rank_correlation"]


def rank_correlation(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
    n_resamples: int = 2_000,
) -> dict[str, float]:
    """Spearman's rank correlation of paired samples, with a bootstrap interval.

    Parameters
    ----------
    x, y : array-like
        Paired observations (same length, at least 3).
    rng : numpy.random.Generator
        Source of the bootstrap resamples.
    confidence : float
        Level of the interval (percentile bootstrap over pairs).

    Returns
    -------
    dict
        ``rho`` (the estimate), ``low`` and ``high`` (interval) and ``n`` (pairs).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(f"x and y must be 1-D of the same length >= 3, got {x.shape}, {y.shape}")

    def rho(a: np.ndarray, b: np.ndarray) -> float:
        return stats.spearmanr(a, b).statistic

    result = stats.bootstrap((x, y), rho, paired=True, vectorized=False,
                             confidence_level=confidence, n_resamples=n_resamples,
                             method="percentile", rng=rng)
    return {
        "rho": float(rho(x, y)),
        "low": float(result.confidence_interval.low),
        "high": float(result.confidence_interval.high),
        "n": float(len(x)),
    }
