"""How concentrated is gifting? Gini, Lorenz curve and top shares.

Who pays for a LIVE? Published figures say: a few viewers (Inke: 20 % of viewers gave 97 % of
the gifts) and a few creators (Twitch: Gini 0.57 of earnings across streamers, 0.808 among
the top earners). This module measures the same things on any set of non-negative values:

- :func:`gini`, :func:`gini_interval`, :func:`lorenz_curve`, :func:`top_share`: how unequal
  a set of non-negative values is (coins per viewer, per session), and :func:`concentration`,
  all of them at once;
- heavy tails (power law against log-normal) are in :mod:`toolkit.stats.tails`, and the coin
  totals per viewer and per session of an events table in :mod:`toolkit.analytics`.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy import stats

from toolkit.stats.estimates import bootstrap_batch

__all__ = ["gini", "gini_interval", "lorenz_curve", "lorenz_curves", "top_share", "concentration"]


def _values(values: object) -> np.ndarray:
    x = np.asarray(values.to_numpy() if isinstance(values, pl.Series) else values, dtype=float)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {x.shape}")
    if not np.isfinite(x).all() or (x < 0).any():
        raise ValueError("values must be finite and non-negative")
    return x


def _gini_sorted(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gini of samples sorted along ``axis`` (nan where they sum to 0)."""
    n = x.shape[axis]
    rank = np.arange(1, n + 1, dtype=float)
    shape = [1] * x.ndim
    shape[axis] = n
    weights = (2 * rank - n - 1).reshape(shape)
    total = x.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        # the weights sum to 0, so equal values can give -1e-17: a Gini is never below 0
        # (np.maximum keeps the nan of an all-zero sample)
        return np.maximum((weights * x).sum(axis=axis) / (n * total), 0.0)


def gini(values: object) -> float:
    """Gini coefficient of non-negative values, exactly (the mean absolute difference form).

    ``G = sum_i (2i - n - 1) x_(i) / (n sum x)`` with ``x_(i)`` sorted ascending, equal to
    ``sum_ij |x_i - x_j| / (2 n^2 mean)``: 0 when everyone has the same, ``1 - 1/n`` when one
    has everything. ``nan`` when all values are 0.

    Parameters
    ----------
    values : array-like or polars.Series
        Non-negative amounts (coins).
    """
    return float(_gini_sorted(np.sort(_values(values))))


def gini_interval(values: object, rng: np.random.Generator, confidence: float = 0.95,
                  n_resamples: int = 1_000) -> dict[str, float]:
    """Gini coefficient with a percentile bootstrap interval (``scipy.stats.bootstrap``).

    Returns
    -------
    dict
        ``estimate``, ``low``, ``high``, ``n``.
    """
    x = _values(values)

    def statistic(sample: np.ndarray, axis: int = -1) -> np.ndarray:
        return _gini_sorted(np.sort(sample, axis=axis), axis=axis)

    batch = bootstrap_batch(len(x), n_resamples)  # bounded memory
    result = stats.bootstrap((x,), statistic, vectorized=True, n_resamples=n_resamples,
                             confidence_level=confidence, method="percentile", rng=rng,
                             batch=batch)
    return {"estimate": gini(x), "low": float(result.confidence_interval.low),
            "high": float(result.confidence_interval.high), "n": float(len(x))}


def lorenz_curve(values: object, points: int | None = 201) -> pl.DataFrame:
    """The Lorenz curve: share of the total held by the poorest share of the population.

    Parameters
    ----------
    values : array-like
        Non-negative amounts.
    points : int or None
        Number of evenly spaced population shares to report (from 0 to 1), interpolated
        linearly; ``None`` for every unit.

    Returns
    -------
    polars.DataFrame
        ``population_share`` and ``value_share``, both from 0 to 1.
    """
    x = np.sort(_values(values))
    total = x.sum()
    population = np.arange(len(x) + 1) / len(x)
    held = np.concatenate([[0.0], np.cumsum(x)]) / (total if total > 0 else 1.0)
    if points is not None:
        grid = np.linspace(0.0, 1.0, points)
        held = np.interp(grid, population, held)
        population = grid
    return pl.DataFrame({"population_share": population, "value_share": held})


def lorenz_curves(named: dict[str, object], points: int | None = 201,
                  percent: bool = True) -> pl.DataFrame:
    """Several Lorenz curves (:func:`lorenz_curve`) in one long table, with the line of equal
    shares, for one chart.

    Parameters
    ----------
    named : dict
        Curve name -> values (coins per viewer, per session, ...).
    points : int or None
        Points per curve, as :func:`lorenz_curve`.
    percent : bool
        Shares in per cent (0..100) rather than 0..1.

    Returns
    -------
    polars.DataFrame
        ``population_share``, ``value_share``, ``curve`` (the names, and ``"equal shares"``).
    """
    curves = [lorenz_curve(values, points).with_columns(curve=pl.lit(name))
              for name, values in named.items()]
    curves.append(pl.DataFrame({"population_share": [0.0, 1.0], "value_share": [0.0, 1.0],
                                "curve": ["equal shares", "equal shares"]}))
    table = pl.concat(curves)
    return table.with_columns(pl.col("population_share", "value_share") * 100) if percent else table


def top_share(values: object, share: float = 0.2) -> float:
    """Share of the total held by the top ``share`` of units (e.g. 0.2: the top 20 %).

    The top ``share x n`` units are counted, a fraction of the marginal unit included, so
    the result is the Lorenz curve's ``1 - L(1 - share)``.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    x = np.sort(_values(values))[::-1]
    total = x.sum()
    if total == 0:
        return float("nan")
    k = share * len(x)
    whole = int(math.floor(k))
    part = x[whole] * (k - whole) if whole < len(x) else 0.0
    return float((x[:whole].sum() + part) / total)




def concentration(values: object, rng: np.random.Generator,
                  n_resamples: int = 1_000) -> dict[str, int | float]:
    """Every measure of concentration of non-negative values, as one table row.

    Returns
    -------
    dict
        ``n`` (values), ``share_positive`` (share above 0, e.g. viewers who paid),
        ``gini`` with its bootstrap interval ``gini_low``, ``gini_high``
        (:func:`gini_interval`), ``top_20pct_share`` and ``top_1pct_share``
        (:func:`top_share`) and ``gini_among_positive`` (the Gini of the values above 0).
    """
    x = _values(values)
    g = gini_interval(x, rng, n_resamples=n_resamples)
    return {
        "n": len(x), "share_positive": float((x > 0).mean()),
        "gini": g["estimate"], "gini_low": g["low"], "gini_high": g["high"],
        "top_20pct_share": top_share(x, 0.2), "top_1pct_share": top_share(x, 0.01),
        "gini_among_positive": gini(x[x > 0]),
    }
