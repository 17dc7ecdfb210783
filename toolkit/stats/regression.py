"""Linear regression with robust standard errors, fixed effects and mediation.

Small and exact: least squares by ``numpy.linalg.lstsq``; heteroskedasticity-robust (HC1) or
cluster-robust (CR1, clustered by session, say) standard errors; t intervals. The tests check
every number against ``statsmodels`` (a test-only dependency). :func:`demean` removes
per-group means (the *within* or fixed-effects transform) so that anything constant inside a
group, such as a creator's popularity or content quality, cannot confound a slope.
:func:`mediation` splits an effect into the path through a mediator and the rest, with a
cluster bootstrap interval that reuses per-cluster cross-products (no refit per resample).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numba import njit
from scipy import stats

__all__ = ["Fit", "ols", "demean", "mediation", "Mediation"]


@dataclass(frozen=True)
class Fit:
    """A least-squares fit.

    Attributes
    ----------
    names : tuple of str
        Regressors, in order (``"intercept"`` first when one was added).
    coef, se, low, high, t, p : numpy.ndarray
        Estimates, robust standard errors, interval bounds, t statistics and two-sided
        p-values, one per name.
    n : int
        Rows used.
    clusters : int or None
        Number of clusters when cluster-robust errors were asked for.
    df : int
        Degrees of freedom of the t distribution (n - k, or clusters - 1).
    """

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    t: np.ndarray
    p: np.ndarray
    n: int
    clusters: int | None
    df: int

    def row(self, name: str) -> dict[str, float]:
        """Estimate, interval and p-value of one regressor."""
        i = self.names.index(name)
        return {"estimate": float(self.coef[i]), "se": float(self.se[i]),
                "low": float(self.low[i]), "high": float(self.high[i]),
                "p_value": float(self.p[i]), "n": self.n}

    def table(self) -> pl.DataFrame:
        """One row per regressor: ``term``, ``estimate``, ``se``, ``low``, ``high``, ``p_value``."""
        return pl.DataFrame({"term": list(self.names), "estimate": self.coef, "se": self.se,
                             "low": self.low, "high": self.high, "p_value": self.p})


def _design(frame: pl.DataFrame, y: str, x: Sequence[str], intercept: bool
            ) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    missing = [c for c in (y, *x) if c not in frame.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the frame (columns: {frame.columns})")
    data = frame.select(pl.col(y).cast(pl.Float64), *(pl.col(c).cast(pl.Float64) for c in x))
    if data.null_count().sum_horizontal().item():
        raise ValueError("the regression columns contain nulls: drop or fill them first")
    values = data.to_numpy()
    if not np.isfinite(values).all():
        raise ValueError("the regression columns contain inf or nan")
    design = values[:, 1:]
    names = tuple(x)
    if intercept:
        design = np.column_stack([np.ones(len(values)), design])
        names = ("intercept", *names)
    return values[:, 0], design, names


def ols(
    frame: pl.DataFrame, y: str, x: Sequence[str], cluster: str | None = None,
    intercept: bool = True, confidence: float = 0.95, absorbed: int = 0,
) -> Fit:
    """Least squares of ``y`` on ``x`` with robust standard errors.

    Parameters
    ----------
    frame : polars.DataFrame
        The data, one row per observation.
    y : str
        Outcome column.
    x : sequence of str
        Regressor columns.
    cluster : str, optional
        Column naming each row's cluster: cluster-robust (CR1) errors with
        ``clusters - 1`` degrees of freedom. Without it, HC1 errors with ``n - k``.
    intercept : bool
        Add a constant (leave it out on :func:`demean`-ed data).
    confidence : float
        Level of the intervals.
    absorbed : int
        Parameters already removed by demeaning (the number of groups), counted in the
        small-sample factor of HC1 errors; cluster-robust errors do not need it.

    Returns
    -------
    Fit
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    target, design, names = _design(frame, y, x, intercept)
    n, k = design.shape
    if n <= k + absorbed:
        raise ValueError(f"{n} rows are too few for {k} regressors")
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ coef
    bread = np.linalg.pinv(design.T @ design)
    if cluster is None:
        meat = (design * resid[:, None]).T @ (design * resid[:, None])
        scale = n / (n - k - absorbed)
        groups, df = None, n - k - absorbed
    else:
        codes = frame[cluster].rank("dense").cast(pl.Int64).to_numpy() - 1
        groups = int(codes.max()) + 1
        if groups < 2:
            raise ValueError("cluster-robust errors need at least 2 clusters")
        scores = _cluster_scores(np.ascontiguousarray(design, dtype=np.float64),
                                 np.ascontiguousarray(resid, dtype=np.float64),
                                 np.ascontiguousarray(codes, dtype=np.int64), groups)
        meat = scores.T @ scores
        scale = groups / (groups - 1) * (n - 1) / (n - k)
        df = groups - 1
    cov = scale * bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    p = 2 * stats.t.sf(np.abs(t), df)
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    return Fit(names, coef, se, coef - half, coef + half, t, p, n, groups, df)


def demean(frame: pl.DataFrame, group: str, columns: Sequence[str]) -> pl.DataFrame:
    """Subtract each group's mean from ``columns`` (fixed effects by ``group``).

    Returns the frame with those columns replaced; other columns are kept. Groups of one row
    become all zeros (they carry no within-group information).
    """
    return frame.with_columns(
        (pl.col(c).cast(pl.Float64) - pl.col(c).cast(pl.Float64).mean().over(group)).alias(c)
        for c in columns
    )


@dataclass(frozen=True)
class Mediation:
    """Treatment -> mediator -> outcome, estimated by two regressions.

    Attributes
    ----------
    a : float
        Effect of the treatment on the mediator.
    b : float
        Effect of the mediator on the outcome, holding the treatment fixed.
    indirect : float
        ``a x b``: the part of the effect that passes through the mediator.
    direct : float
        Effect of the treatment on the outcome holding the mediator fixed.
    low, high : float
        Cluster-bootstrap percentile interval of ``indirect``.
    p_value : float
        Two-sided bootstrap p-value of ``indirect`` (twice the smaller tail share beyond 0).
    n, clusters : int
    """

    a: float
    b: float
    indirect: float
    direct: float
    low: float
    high: float
    p_value: float
    n: int
    clusters: int


def _cross_products(design: np.ndarray, target: np.ndarray, codes: np.ndarray, groups: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per-cluster X'X (groups, k, k) and X'y (groups, k)."""
    return _cluster_cross_products(np.ascontiguousarray(design, dtype=np.float64),
                                   np.ascontiguousarray(target, dtype=np.float64),
                                   np.ascontiguousarray(codes, dtype=np.int64), groups)


@njit(cache=True)
def _cluster_cross_products(design: np.ndarray, target: np.ndarray, codes: np.ndarray,
                            groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The sums of :func:`_cross_products`, row by row in row order: each cell gets the same
    products added in the same order as ``np.add.at`` would add them (the same sums to the
    last bit), without the rows x k x k array of products."""
    n, k = design.shape
    xtx = np.zeros((groups, k, k))
    xty = np.zeros((groups, k))
    for i in range(n):
        g = codes[i]
        for a in range(k):
            da = design[i, a]
            xty[g, a] += da * target[i]
            for b in range(k):
                xtx[g, a, b] += da * design[i, b]
    return xtx, xty


@njit(cache=True)
def _cluster_scores(design: np.ndarray, resid: np.ndarray, codes: np.ndarray,
                    groups: int) -> np.ndarray:
    """Per-cluster sums of ``design * resid`` (groups, k), in row order (as ``np.add.at``)."""
    n, k = design.shape
    scores = np.zeros((groups, k))
    for i in range(n):
        g = codes[i]
        for a in range(k):
            scores[g, a] += design[i, a] * resid[i]
    return scores


def mediation(
    frame: pl.DataFrame, treatment: str, mediator: str, outcome: str, controls: Sequence[str],
    cluster: str, rng: np.random.Generator, n_resamples: int = 999, confidence: float = 0.95,
    intercept: bool = True,
) -> Mediation:
    """Indirect effect of ``treatment`` on ``outcome`` through ``mediator`` (product method).

    Two linear models: mediator ~ treatment + controls (slope ``a``) and outcome ~ mediator +
    treatment + controls (slopes ``b`` and ``direct``). The interval resamples whole clusters
    with replacement; each resample's fit sums the clusters' cross-products, so it costs a
    small matrix solve instead of a pass over the rows.
    """
    _, first, _ = _design(frame, mediator, [treatment, *controls], intercept)
    m = frame[mediator].cast(pl.Float64).to_numpy()
    out = frame[outcome].cast(pl.Float64).to_numpy()
    second = np.column_stack([m, first])
    codes = frame[cluster].rank("dense").cast(pl.Int64).to_numpy() - 1
    groups = int(codes.max()) + 1
    if groups < 2:
        raise ValueError("mediation needs at least 2 clusters")
    t_col = 1 if intercept else 0
    a_xtx, a_xty = _cross_products(first, m, codes, groups)
    b_xtx, b_xty = _cross_products(second, out, codes, groups)

    def slopes(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ca = np.linalg.solve(np.einsum("rg,gij->rij", weights, a_xtx),
                             np.einsum("rg,gi->ri", weights, a_xty)[..., None])[..., 0]
        cb = np.linalg.solve(np.einsum("rg,gij->rij", weights, b_xtx),
                             np.einsum("rg,gi->ri", weights, b_xty)[..., None])[..., 0]
        return ca[:, t_col], cb[:, 0], cb[:, 1 + t_col]

    a, b, direct = (float(v[0]) for v in slopes(np.ones((1, groups))))
    draws = rng.multinomial(groups, np.full(groups, 1 / groups), size=n_resamples).astype(float)
    boot_a, boot_b, _ = slopes(draws)
    indirect = boot_a * boot_b
    tail = (1 - confidence) / 2
    low, high = np.quantile(indirect, [tail, 1 - tail])
    beyond = min(int((indirect <= 0).sum()), int((indirect >= 0).sum()))
    p = min(1.0, 2 * (beyond + 1) / (n_resamples + 1))
    return Mediation(a, b, a * b, direct, float(low), float(high), float(p), len(frame), groups)
