"""Statistics helpers: thin, tested wrappers over SciPy that report effect sizes with intervals.

Each function returns the estimate together with a confidence interval, never a p-value
alone. The statistics layer of the project grows here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from scipy import stats

__all__ = [
    "BOOTSTRAP_VALUES", "bootstrap_batch", "spearman", "rank_correlation", "mean_interval",
    "difference_in_means", "adjust_p_values",
    "proportion_interval", "RankCorrelation", "MeanInterval", "DifferenceInMeans",
    "ProportionInterval",
]


#: Most values a vectorised bootstrap holds at once (resamples x values): 4 million, about
#: 32 MB per float array; past it the resamples go in batches (the numbers do not change).
BOOTSTRAP_VALUES = 4_000_000


def bootstrap_batch(n: int, n_resamples: int) -> int:
    """Resamples per batch of a vectorised ``scipy.stats.bootstrap`` on ``n`` values, so that
    memory stays bounded (:data:`BOOTSTRAP_VALUES`) whatever ``n``: all of them at once when
    they fit, fewer on large samples. SciPy draws the same resamples either way for one
    sample or paired samples, so their numbers do not depend on the batch (two samples
    resampled apart are drawn in another order: :func:`difference_in_means` batches only
    far above the bound); ``toolkit claims`` on 100,000 tiny sessions peaked at
    6.6 GB before (C5's four rank correlations), 0.55 GB with batches."""
    return max(1, min(n_resamples, BOOTSTRAP_VALUES // max(1, n)))


def spearman(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along ``axis``, vectorised (equal to ``scipy.stats.spearmanr``).

    Ranks with ties averaged (``scipy.stats.rankdata``), then Pearson's correlation of the
    ranks; working along an axis lets a bootstrap compute all its resamples at once.
    """
    rx = stats.rankdata(x, axis=axis)
    ry = stats.rankdata(y, axis=axis)
    rx = rx - rx.mean(axis=axis, keepdims=True)
    ry = ry - ry.mean(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rx * ry).sum(axis=axis) / np.sqrt((rx**2).sum(axis=axis) * (ry**2).sum(axis=axis))


class RankCorrelation(TypedDict):
    """The result of :func:`rank_correlation` (``n`` is a float, as it always was)."""

    rho: float
    low: float
    high: float
    n: float


def rank_correlation(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
    n_resamples: int = 2_000,
) -> RankCorrelation:
    """Spearman's rank correlation of paired samples, with a bootstrap interval.

    Parameters
    ----------
    x, y : array-like
        Paired observations (same length, at least 3).
    rng : numpy.random.Generator
        Source of the bootstrap resamples.
    confidence : float
        Level of the interval (percentile bootstrap over pairs).
    n_resamples : int
        Bootstrap resamples (computed together, see :func:`spearman`).

    Returns
    -------
    dict
        ``rho`` (the estimate), ``low`` and ``high`` (interval) and ``n`` (pairs).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(f"x and y must be 1-D of the same length >= 3, got {x.shape}, {y.shape}")
    result = stats.bootstrap((x, y), spearman, paired=True, vectorized=True,
                             confidence_level=confidence, n_resamples=n_resamples,
                             method="percentile", rng=rng,
                             batch=bootstrap_batch(len(x), n_resamples))
    return {
        "rho": float(spearman(x, y)),
        "low": float(result.confidence_interval.low),
        "high": float(result.confidence_interval.high),
        "n": float(len(x)),
    }


class MeanInterval(TypedDict):
    """The result of :func:`mean_interval`."""

    estimate: float
    low: float
    high: float
    p_value: float
    n: float


def mean_interval(
    values: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
    n_resamples: int = 2_000,
) -> MeanInterval:
    """Mean of a sample with a BCa bootstrap interval and a one-sample t-test of "mean = 0".

    Returns
    -------
    dict
        ``estimate``, ``low``, ``high``, ``p_value`` (two-sided t-test) and ``n``.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or len(x) < 3 or not np.isfinite(x).all():
        raise ValueError(f"values must be 1-D, finite, at least 3 of them; got shape {x.shape}")
    if np.ptp(x) == 0:
        low = high = float(x[0])
        p = 1.0 if x[0] == 0 else 0.0
    else:
        result = stats.bootstrap((x,), np.mean, confidence_level=confidence,
                                 n_resamples=n_resamples, rng=rng,
                                 batch=bootstrap_batch(len(x), n_resamples))
        low, high = result.confidence_interval.low, result.confidence_interval.high
        p = float(stats.ttest_1samp(x, 0.0).pvalue)
    return {"estimate": float(x.mean()), "low": float(low), "high": float(high),
            "p_value": p, "n": float(len(x))}


class DifferenceInMeans(TypedDict):
    """The result of :func:`difference_in_means`."""

    estimate: float
    low: float
    high: float
    p_value: float
    n_x: float
    n_y: float


def difference_in_means(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
    n_resamples: int = 2_000,
) -> DifferenceInMeans:
    """Mean of ``x`` minus mean of ``y``: bootstrap interval and permutation p-value.

    The p-value comes from ``scipy.stats.permutation_test`` (labels shuffled); the interval
    from ``scipy.stats.bootstrap`` (each group resampled on its own).

    Returns
    -------
    dict
        ``estimate``, ``low``, ``high``, ``p_value``, ``n_x``, ``n_y``.
    """
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if min(len(a), len(b)) < 2:
        raise ValueError("each group needs at least 2 values")

    def diff(u: np.ndarray, v: np.ndarray, axis: int = -1) -> np.ndarray:
        return np.mean(u, axis=axis) - np.mean(v, axis=axis)

    test = stats.permutation_test((a, b), diff, n_resamples=n_resamples, vectorized=True,
                                  rng=rng, batch=bootstrap_batch(len(a) + len(b), n_resamples))
    # two samples resampled apart draw in another order in batches, which would change the
    # interval: batches only where one go would hold 25 times the usual bound (800 MB)
    together = (len(a) + len(b)) * n_resamples <= 25 * BOOTSTRAP_VALUES
    interval = stats.bootstrap((a, b), diff, confidence_level=confidence,
                               n_resamples=n_resamples, method="percentile", rng=rng,
                               batch=None if together else bootstrap_batch(len(a) + len(b),
                                                                           n_resamples))
    return {"estimate": float(diff(a, b)), "low": float(interval.confidence_interval.low),
            "high": float(interval.confidence_interval.high), "p_value": float(test.pvalue),
            "n_x": float(len(a)), "n_y": float(len(b))}


def adjust_p_values(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), via SciPy.

    ``None`` and ``nan`` entries (tests without a p-value) are kept as they are and not
    counted among the tests.
    """
    values = list(p_values)
    real = [i for i, p in enumerate(values) if p is not None and not np.isnan(p)]
    out: list[float | None] = list(values)
    if real:
        adjusted = stats.false_discovery_control([values[i] for i in real], method="bh")
        for i, q in zip(real, adjusted, strict=True):
            out[i] = float(q)
    return out


class ProportionInterval(TypedDict):
    """The result of :func:`proportion_interval`."""

    estimate: float
    low: float
    high: float
    n: float


def proportion_interval(successes: int, trials: int, confidence: float = 0.95
                        ) -> ProportionInterval:
    """A share with its Wilson interval (``scipy.stats.binomtest``)."""
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")
    ci = stats.binomtest(successes, trials).proportion_ci(confidence, method="wilson")
    return {"estimate": successes / trials, "low": float(ci.low), "high": float(ci.high),
            "n": float(trials)}
