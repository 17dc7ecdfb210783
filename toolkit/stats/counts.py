"""Regression for counts and money totals: Poisson pseudo-likelihood with group fixed effects.

A creator's weekly coins are a sum of heavy-tailed gifts, often zero-free but never
log-normal; their *expected* value is what a claim such as "earnings grow with how often the
creator goes LIVE" is about. Least squares on ``log(1 + coins)`` targets the mean of a log,
which moves with the number of gifts summed even when the expected total does not (Jensen's
inequality), so it finds growth that is not there. The Poisson pseudo-maximum-likelihood
estimator (Santos Silva & Tenreyro 2006) only assumes ``E[y | x, group] = exp(a_group + x b)``:
it is consistent whatever the distribution of ``y`` (integers, zeros, whales), and with group
fixed effects it has no incidental-parameter bias (Wooldridge 1999). Errors are
cluster-robust by group.

The group effects are concentrated out: within a group, ``y``'s shares of the group total
follow ``exp(x b) / sum(exp(x b))``, so only ``b`` is solved for (Newton's method on a concave
function).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from toolkit.stats.regression import Fit

__all__ = ["ERRORS", "poisson_within"]


#: Kinds of standard errors :func:`poisson_within` gives.
ERRORS = ("CR1", "CV3")


def poisson_within(frame: pl.DataFrame, y: str, x: Sequence[str], group: str,
                   confidence: float = 0.95, max_iterations: int = 100,
                   errors: str = "CR1") -> Fit:
    """Poisson pseudo-likelihood of ``y`` on ``x`` with a fixed effect per ``group``.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per observation (a creator-week, say).
    y : str
        Outcome: a count or total (>= 0), in any unit; its scale does not change ``b``.
    x : sequence of str
        Regressors; each ``b`` is the elasticity of the expected ``y`` to ``exp(x)`` (use
        ``log(lives)`` for "per cent more coins per per cent more LIVEs").
    group : str
        Column of each row's group (the fixed effect, and the cluster of the errors).
    confidence : float
        Level of the intervals (t with ``groups - 1`` degrees of freedom).
    max_iterations : int
        Newton steps before giving up.
    errors : {"CR1", "CV3"}
        ``"CR1"``: the cluster-robust sandwich times ``G / (G - 1)``. ``"CV3"``: the
        leave-one-group-out jackknife, ``(G - 1) / G`` times the sum of squared deviations of
        the leave-out estimates from their mean (the variant MacKinnon, Nielsen & Webb 2023
        call CV3J; centring on the full estimate instead gives slightly larger errors), each
        leave-out estimate one Newton step from the full fit (exact for least squares). They
        recommend the jackknife when a few groups dominate, as a few creators' whales
        dominate weekly coins: CR1 is then too small. Groups whose ``x`` never varies count
        in ``G`` although they inform nothing.

    Returns
    -------
    Fit
        ``n`` counts the rows of groups that inform ``b`` (a positive total and at least two
        rows), ``clusters`` those groups; errors as ``errors`` says.

    Raises
    ------
    ValueError
        Negative or missing values, fewer than two informative groups, or no variation of
        ``x`` inside them.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {ERRORS}, got {errors!r}")
    names = tuple(x)
    missing = [c for c in (y, *names, group) if c not in frame.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the frame (columns: {frame.columns})")
    data = frame.select(pl.col(group), pl.col(y).cast(pl.Float64),
                        *(pl.col(c).cast(pl.Float64) for c in names))
    if data.null_count().sum_horizontal().item():
        raise ValueError("the regression columns contain nulls: drop or fill them first")
    if data.select((pl.col(y) < 0).any()).item():
        raise ValueError(f"{y} must be >= 0 (a count or total)")
    data = data.with_columns(
        _total=pl.col(y).sum().over(group), _rows=pl.len().over(group)).filter(
        (pl.col("_total") > 0) & (pl.col("_rows") >= 2))
    codes = data[group].rank("dense").cast(pl.Int64).to_numpy() - 1
    target = data[y].to_numpy()
    design = data.select(names).to_numpy().astype(np.float64)
    if not (np.isfinite(target).all() and np.isfinite(design).all()):
        raise ValueError("the regression columns contain inf or nan")
    groups = int(codes.max()) + 1 if len(codes) else 0
    if groups < 2:
        raise ValueError(f"needs at least 2 groups with a positive {y} and two rows or more, "
                         f"found {groups}")
    total = np.bincount(codes, weights=target, minlength=groups)
    k = design.shape[1]

    def shares(b: np.ndarray) -> np.ndarray:
        eta = design @ b
        eta = eta - np.bincount(codes, weights=eta, minlength=groups)[codes] / \
            np.bincount(codes, minlength=groups)[codes]  # (stable: a per-group shift)
        w = np.exp(eta)
        return w / np.bincount(codes, weights=w, minlength=groups)[codes]

    def centred(p: np.ndarray) -> np.ndarray:
        """x minus its share-weighted mean in the group."""
        mean = np.column_stack([np.bincount(codes, weights=p * design[:, j], minlength=groups)
                                for j in range(k)])
        return design - mean[codes]

    def log_likelihood(p: np.ndarray) -> float:
        return float(np.sum(target[target > 0] * np.log(p[target > 0])))

    b = np.zeros(k)
    p = shares(b)
    for _ in range(max_iterations):
        dx = centred(p)
        fitted = total[codes] * p
        score = dx.T @ (target - fitted)
        information = (dx * fitted[:, None]).T @ dx
        if np.linalg.matrix_rank(information) < k:
            raise ValueError(f"no variation of {list(names)} within the groups")
        step = np.linalg.solve(information, score)
        current = log_likelihood(p)
        for _ in range(50):  # halve the step until the likelihood does not fall
            p_new = shares(b + step)
            if log_likelihood(p_new) >= current - 1e-12 * abs(current):
                break
            step = step / 2
        else:  # no step along Newton's direction helps: not a converged fit
            raise ValueError("the Poisson fit stalled: no step raised the likelihood")
        b, p = b + step, p_new
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise ValueError(f"the Poisson fit did not converge in {max_iterations} steps")
    dx = centred(p)
    fitted = total[codes] * p
    information = (dx * fitted[:, None]).T @ dx
    scores = np.column_stack([np.bincount(codes, weights=dx[:, j] * (target - fitted),
                                          minlength=groups) for j in range(k)])
    if errors == "CR1":
        bread = np.linalg.inv(information)
        cov = groups / (groups - 1) * bread @ (scores.T @ scores) @ bread
    else:
        # each group's information; leaving group g out, the score at b is -scores[g]
        weighted = dx * fitted[:, None]
        own = np.zeros((groups, k, k))
        for i in range(k):
            for j in range(k):
                own[:, i, j] = np.bincount(codes, weights=weighted[:, i] * dx[:, j],
                                           minlength=groups)
        rest = information[None, :, :] - own
        usable = np.linalg.matrix_rank(rest) == k  # (a group alone holding the variation)
        steps = np.linalg.solve(rest[usable], -scores[usable][:, :, None])[:, :, 0]
        left_out = b[None, :] + steps
        spread = left_out - left_out.mean(axis=0)
        cov = (groups - 1) / groups * spread.T @ spread
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = b / se
    df = groups - 1
    p_values = 2 * stats.t.sf(np.abs(t), df)
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    return Fit(names, b, se, b - half, b + half, t, p_values, len(target), groups, df)
