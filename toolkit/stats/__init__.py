"""General statistics with intervals; knows nothing of LIVEs.

Modules:

- :mod:`toolkit.stats.estimates`: rank correlations, means and differences with intervals,
  Benjamini-Hochberg, Wilson
- :mod:`toolkit.stats.regression`: least squares with HC1 or cluster-robust errors, fixed
  effects, mediation
- :mod:`toolkit.stats.counts`: Poisson pseudo-likelihood with group fixed effects (counts and
  money totals), cluster-robust or jackknife errors
- :mod:`toolkit.stats.inequality`: Gini (with interval), Lorenz curve, top shares
- :mod:`toolkit.stats.tails`: power-law fits (Clauset, Shalizi & Newman), goodness of fit,
  log-normal comparison

The names below are the public API; import them from here.
"""

from __future__ import annotations

from toolkit.stats.counts import poisson_within
from toolkit.stats.estimates import (
    DifferenceInMeans,
    MeanInterval,
    ProportionInterval,
    RankCorrelation,
    adjust_p_values,
    difference_in_means,
    mean_interval,
    proportion_interval,
    rank_correlation,
    spearman,
)
from toolkit.stats.inequality import gini, gini_interval, lorenz_curve, lorenz_curves, top_share
from toolkit.stats.regression import Fit, Mediation, demean, mediation, ols
from toolkit.stats.tails import (
    PowerLawFit,
    TailComparison,
    compare_lognormal,
    fit_power_law,
    power_law_gof,
    survival,
)

__all__ = [
    "spearman",
    "rank_correlation",
    "mean_interval",
    "difference_in_means",
    "adjust_p_values",
    "proportion_interval",
    "RankCorrelation",
    "MeanInterval",
    "DifferenceInMeans",
    "ProportionInterval",
    "Fit",
    "ols",
    "demean",
    "mediation",
    "Mediation",
    "poisson_within",
    "gini",
    "gini_interval",
    "lorenz_curve",
    "lorenz_curves",
    "top_share",
    "PowerLawFit",
    "TailComparison",
    "fit_power_law",
    "power_law_gof",
    "compare_lognormal",
    "survival",
]
