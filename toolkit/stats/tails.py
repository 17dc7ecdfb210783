"""Heavy tails: is the upper tail a power law, and does a log-normal fit it better?

- :func:`fit_power_law`: the continuous power law of Clauset, Shalizi & Newman (2009,
  "Power-law distributions in empirical data", SIAM Review 51: 661), ``xmin`` chosen by the
  Kolmogorov-Smirnov distance, ``alpha`` by maximum likelihood with its standard error;
- :func:`power_law_gof`: their semi-parametric bootstrap goodness-of-fit p-value;
- :func:`compare_lognormal`: Vuong's likelihood-ratio test of the power law against a
  log-normal fitted to the same tail;
- :func:`survival`: the empirical and fitted survival curves for a log-log chart;
- :func:`tail_table`: the fits and tests of one set of values, with the tail chosen by the
  KS distance and started at the median, as table rows.

Coins are whole numbers; the power law here is the continuous one, a good approximation for a
tail that starts well above 1 coin (CSN section 3.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import optimize, special, stats

from toolkit.stats.inequality import _values

__all__ = [
    "PowerLawFit", "TailComparison", "fit_power_law", "power_law_gof", "compare_lognormal",
    "survival", "tail_table",
]


@dataclass(frozen=True)
class PowerLawFit:
    """A continuous power law fitted to the tail ``x >= xmin``.

    Attributes
    ----------
    alpha : float
        Exponent of the density ``p(x) = (alpha - 1) / xmin (x / xmin) ** -alpha``.
    alpha_se : float
        Its standard error, ``(alpha - 1) / sqrt(n_tail)`` (CSN eq. 3.2).
    xmin : float
        Start of the tail (same unit as the values), chosen to minimise ``ks_distance``.
    ks_distance : float
        Kolmogorov-Smirnov distance between the tail and the fitted law.
    n_tail, n : int
        Values in the tail, values in all.
    """

    alpha: float
    alpha_se: float
    xmin: float
    ks_distance: float
    n_tail: int
    n: int


@dataclass(frozen=True)
class TailComparison:
    """Power law against log-normal on the same tail (CSN section 5, Vuong 1989).

    Attributes
    ----------
    log_likelihood_ratio : float
        ``sum(log p_powerlaw - log p_lognormal)`` over the tail: > 0 favours the power law.
    normalized : float
        Vuong's statistic, the ratio over ``sqrt(n) x`` the standard deviation of the
        pointwise differences (standard normal if both fit equally well).
    p_value : float
        Two-sided p-value of "both fit equally well".
    mu, sigma : float
        Parameters of the log-normal (of ``log x``), truncated at ``xmin``, by maximum
        likelihood.
    favoured : str
        ``"power law"``, ``"log-normal"`` or ``"neither"`` (p >= 0.05).
    """

    log_likelihood_ratio: float
    normalized: float
    p_value: float
    mu: float
    sigma: float
    favoured: str


def _tail_fits(x: np.ndarray, max_candidates: int, min_tail: int,
               xmin: float | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For candidate xmin (distinct values of sorted ``x``, or ``xmin`` alone): alpha, KS
    distance, tail size."""
    n = len(x)
    if xmin is None:
        distinct, first = np.unique(x, return_index=True)
    else:
        distinct = np.array([float(xmin)])
        first = np.searchsorted(x, distinct, side="left")
    keep = (n - first >= min_tail) & (distinct > 0)
    distinct, first = distinct[keep], first[keep]
    if len(distinct) == 0:
        raise ValueError(f"need at least {min_tail} positive values in the tail")
    if len(distinct) > max_candidates:
        pick = np.unique(np.linspace(0, len(distinct) - 1, max_candidates).round().astype(int))
        distinct, first = distinct[pick], first[pick]
    logs = np.log(x)
    tail_log_sum = np.concatenate([np.cumsum(logs[::-1])[::-1], [0.0]])
    m = n - first
    alpha = 1.0 + m / (tail_log_sum[first] - m * np.log(distinct))
    ks = np.empty(len(distinct))
    for j, (start, xm, a) in enumerate(zip(first, distinct, alpha, strict=True)):
        tail = x[start:]
        model = 1.0 - (tail / xm) ** (1.0 - a)
        # empirical CDF just after and just before each value (ties: the last/first of a run)
        after = np.searchsorted(tail, tail, side="right") / len(tail)
        before = np.searchsorted(tail, tail, side="left") / len(tail)
        ks[j] = max(np.abs(after - model).max(), np.abs(before - model).max())
    return distinct, alpha, ks, m


def fit_power_law(values: object, max_candidates: int = 100, min_tail: int = 50,
                  xmin: float | None = None) -> PowerLawFit:
    """Fit a continuous power law above ``xmin`` (Clauset, Shalizi & Newman 2009).

    For each candidate ``xmin`` (up to ``max_candidates`` of the distinct values, evenly
    spread), ``alpha = 1 + n_tail / sum(log(x / xmin))`` (the maximum-likelihood estimate);
    the candidate with the smallest Kolmogorov-Smirnov distance wins.

    Parameters
    ----------
    values : array-like
        Positive amounts (zeros are ignored: a tail starts above 0).
    max_candidates : int
        Candidate values of ``xmin`` tried.
    min_tail : int
        Fewest values a tail may have.
    xmin : float, optional
        Fix the start of the tail instead of choosing it (alpha is still fitted).
    """
    x = _values(values)
    x = np.sort(x[x > 0])
    n = len(x)
    if xmin is not None:
        if not xmin > 0:
            raise ValueError(f"xmin must be positive, got {xmin!r}")
        min_tail = 2
    xmins, alphas, ks, m = _tail_fits(x, max_candidates, min_tail, xmin)
    best = int(np.argmin(ks))
    a = float(alphas[best])
    return PowerLawFit(alpha=a, alpha_se=(a - 1.0) / math.sqrt(m[best]), xmin=float(xmins[best]),
                       ks_distance=float(ks[best]), n_tail=int(m[best]), n=n)


def power_law_gof(values: object, rng: np.random.Generator, n_boot: int = 50,
                  max_candidates: int = 50, min_tail: int = 50) -> dict[str, float]:
    """Goodness of fit of the power law by parametric bootstrap (CSN section 4.1).

    Each synthetic dataset has as many values as the data: with probability ``n_tail / n`` a
    draw from the fitted power law above ``xmin``, else a value resampled from the data below
    ``xmin``; it is fitted the same way (``xmin`` chosen again). The p-value is the share of
    synthetic datasets whose KS distance is at least the data's: small (< 0.1, CSN) means the
    power law is ruled out.

    Returns
    -------
    dict
        ``p_value``, ``ks_distance`` (of the data), ``n_boot``.
    """
    x = _values(values)
    x = np.sort(x[x > 0])
    fit = fit_power_law(x, max_candidates, min_tail)
    below = x[x < fit.xmin]
    worse = 0
    for _ in range(n_boot):
        in_tail = rng.random(len(x)) < fit.n_tail / len(x)
        k = int(in_tail.sum())
        tail = fit.xmin * (1.0 - rng.random(k)) ** (-1.0 / (fit.alpha - 1.0))
        body = rng.choice(below, len(x) - k) if len(below) else fit.xmin * np.ones(len(x) - k)
        synthetic = np.concatenate([body, tail])
        try:
            worse += fit_power_law(synthetic, max_candidates, min_tail).ks_distance >= fit.ks_distance
        except ValueError:
            continue
    return {"p_value": worse / n_boot, "ks_distance": fit.ks_distance, "n_boot": float(n_boot)}


def compare_lognormal(values: object, fit: PowerLawFit, alpha: float = 0.05) -> TailComparison:
    """Compare the power law ``fit`` with a log-normal fitted to the same tail.

    The log-normal is truncated at ``xmin`` (density ``f(x) / (1 - F(xmin))``, the density of
    ``scipy.stats.lognorm(s=sigma, scale=exp(mu))`` over its survival at ``xmin``) and fitted
    by maximum likelihood (``scipy.optimize.minimize``, bounded, over ``mu`` and
    ``log sigma``). Vuong's test compares the pointwise log-likelihoods.
    """
    x = _values(values)
    tail = np.sort(x[x >= fit.xmin])  # sorted: the sums, and so the fit, ignore the data's order
    logs = np.log(tail)
    log_xmin = math.log(fit.xmin)

    def log_density(mu: float, sigma: float) -> np.ndarray:
        # log of the truncated log-normal density, written on log x so that a very negative
        # mu (where the log-normal tends to a power law) does not overflow
        return stats.norm.logpdf(logs, mu, sigma) - logs - stats.norm.logsf(log_xmin, mu, sigma)

    def minus_loglik(theta: np.ndarray) -> float:
        return float(-log_density(theta[0], math.exp(theta[1])).sum())

    start = np.array([logs.mean(), math.log(max(logs.std(), 0.1))])
    # bounded: as mu -> -inf and sigma -> inf the truncated log-normal becomes a power law
    bounds = [(log_xmin - 100.0, float(logs.max()) + 10.0), (math.log(0.01), math.log(100.0))]
    # tight tolerances: the likelihood is flat along the ridge towards the power law, where
    # the default ones stop early, at a point that depends on rounding
    theta = optimize.minimize(minus_loglik, start, method="L-BFGS-B", bounds=bounds,
                              options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 10_000}).x
    mu, sigma = float(theta[0]), float(math.exp(theta[1]))
    log_ln = log_density(mu, sigma)
    log_pl = math.log(fit.alpha - 1.0) - log_xmin - fit.alpha * (logs - log_xmin)
    diff = log_pl - log_ln
    ratio = float(diff.sum())
    sd = float(diff.std())
    z = ratio / (math.sqrt(len(tail)) * sd) if sd > 0 else 0.0
    p = float(special.erfc(abs(z) / math.sqrt(2)))
    favoured = "neither" if p >= alpha else ("power law" if ratio > 0 else "log-normal")
    return TailComparison(ratio, z, p, mu, sigma, favoured)


def survival(values: object, fit: PowerLawFit | None = None, points: int = 80) -> pl.DataFrame:
    """Share of positive values at least ``x``, on log scales, and the fitted power law's line.

    On these axes a power law is a straight line of slope ``1 - alpha``; a log-normal bends
    down.

    Returns
    -------
    polars.DataFrame
        ``log10_value``, ``log10_share`` and ``curve`` (``"data"``, and ``"power law fit"``
        above ``xmin`` when ``fit`` is given).
    """
    x = np.sort(_values(values))
    x = x[x > 0]
    grid = np.unique(np.geomspace(x[0], x[-1], points))
    share = 1.0 - np.searchsorted(x, grid, side="left") / len(x)
    parts = [pl.DataFrame({"log10_value": np.log10(grid), "log10_share": np.log10(share),
                           "curve": "data"})]
    if fit is not None:
        above = grid[grid >= fit.xmin]
        line = fit.n_tail / len(x) * (above / fit.xmin) ** (1.0 - fit.alpha)
        parts.append(pl.DataFrame({"log10_value": np.log10(above),
                                   "log10_share": np.log10(line), "curve": "power law fit"}))
    return pl.concat(parts)




def tail_table(values: object, rng: np.random.Generator, n_boot: int = 50) -> pl.DataFrame:
    """The power law fitted to the positive values twice, with the tail chosen by the KS
    distance and with the tail started at the median, each tested against a log-normal
    (:func:`compare_lognormal`); the first also by bootstrap (:func:`power_law_gof`).

    Returns
    -------
    polars.DataFrame
        Two rows: ``tail starts`` (``"chosen by KS"``, ``"at the median"``), ``xmin``,
        ``n_tail``, ``alpha``, ``alpha_se``, ``gof_p`` (null for the second), ``vuong_z``,
        ``vuong_p``, ``favoured``.
    """
    x = _values(values)
    x = x[x > 0]
    rows = []
    for start, fit in (("chosen by KS", fit_power_law(x)),
                       ("at the median", fit_power_law(x, xmin=float(np.median(x))))):
        versus = compare_lognormal(x, fit)
        gof = power_law_gof(x, rng, n_boot=n_boot) if start == "chosen by KS" else None
        rows.append({"tail starts": start, "xmin": fit.xmin, "n_tail": fit.n_tail,
                     "alpha": fit.alpha, "alpha_se": fit.alpha_se,
                     "gof_p": None if gof is None else gof["p_value"],
                     "vuong_z": versus.normalized, "vuong_p": versus.p_value,
                     "favoured": versus.favoured})
    return pl.DataFrame(rows)
