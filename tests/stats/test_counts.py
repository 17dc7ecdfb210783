"""Poisson pseudo-likelihood with group fixed effects, checked against statsmodels (the
reference, where installed: not in the lowest-versions check) and against a known truth."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from toolkit.stats.counts import poisson_within


def _weeks(seed: int = 0, groups: int = 60, rows: int = 3, b: float = 0.7) -> pl.DataFrame:
    """Group-week totals whose expected value is ``A_g x k ** b``, with heavy-tailed noise."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), rows)
    k = rng.integers(1, 7, len(g))
    level = np.exp(rng.normal(0, 1.5, groups))[g]
    noise = rng.lognormal(-0.5, 1.0, len(g))  # mean 1
    y = rng.poisson(20 * level * k**b * noise)
    return pl.DataFrame({"g": g.astype(str), "log_k": np.log(k), "z": rng.normal(size=len(g)),
                         "y": y})


def test_coefficients_and_cluster_errors_match_statsmodels_with_group_dummies() -> None:
    sm = pytest.importorskip("statsmodels.api")  # a test-only reference (not at the floors)
    frame = _weeks()
    fit = poisson_within(frame, "y", ["log_k", "z"], "g")
    codes = frame["g"].cast(pl.Int64).to_numpy()
    design = np.column_stack([frame["log_k"].to_numpy(), frame["z"].to_numpy(),
                              np.eye(codes.max() + 1)[codes]])
    ref = sm.GLM(frame["y"].to_numpy(), design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": codes, "use_correction": False}, tol=1e-12)
    np.testing.assert_allclose(fit.coef, ref.params[:2], rtol=1e-7)
    groups = codes.max() + 1
    # CR1: the sandwich times G / (G - 1) (the group dummies are not counted)
    np.testing.assert_allclose(fit.se, ref.bse[:2] * np.sqrt(groups / (groups - 1)), rtol=1e-6)
    assert fit.clusters == groups and fit.df == groups - 1 and fit.n == frame.height
    assert fit.low[0] < fit.coef[0] < fit.high[0]


def test_recovers_the_elasticity_and_ignores_the_scale_of_y() -> None:
    frame = _weeks(seed=1, groups=2000, b=0.0)
    fit = poisson_within(frame, "y", ["log_k"], "g")
    assert abs(fit.coef[0]) < 3 * fit.se[0] and fit.se[0] < 0.15
    frame = _weeks(seed=2, groups=2000, b=1.0)
    fit = poisson_within(frame, "y", ["log_k"], "g")
    assert fit.coef[0] == pytest.approx(1.0, abs=3 * fit.se[0])
    scaled = poisson_within(frame.with_columns(pl.col("y") * 100), "y", ["log_k"], "g")
    np.testing.assert_allclose(scaled.coef, fit.coef, rtol=1e-8)


def test_groups_that_cannot_inform_the_slope_are_left_out() -> None:
    frame = _weeks(seed=3, groups=30)
    extra = pl.DataFrame({"g": ["zero", "zero", "single"], "log_k": [0.0, 1.0, 0.5],
                          "z": [0.0, 0.0, 0.0], "y": [0, 0, 50]})
    fit = poisson_within(pl.concat([frame, extra]), "y", ["log_k"], "g")
    alone = poisson_within(frame, "y", ["log_k"], "g")
    np.testing.assert_allclose(fit.coef, alone.coef)
    assert (fit.n, fit.clusters) == (alone.n, alone.clusters)
    assert alone.n == frame.filter(pl.col("y").sum().over("g") > 0).height


def test_jackknife_errors_are_the_spread_of_the_leave_one_group_out_fits() -> None:
    frame = _weeks(seed=5, groups=40)
    fit = poisson_within(frame, "y", ["log_k", "z"], "g", errors="CV3")
    left_out = np.array([poisson_within(frame.filter(pl.col("g") != g), "y", ["log_k", "z"],
                                        "g").coef for g in frame["g"].unique()])
    spread = left_out - left_out.mean(axis=0)
    exact = np.sqrt(np.diag(39 / 40 * spread.T @ spread))
    np.testing.assert_allclose(fit.se, exact, rtol=0.05)  # one Newton step from the full fit
    cr1 = poisson_within(frame, "y", ["log_k", "z"], "g")
    np.testing.assert_allclose(fit.coef, cr1.coef)
    assert (fit.se > cr1.se).all()  # the jackknife charges the groups that dominate
    with pytest.raises(ValueError, match="did not converge"):
        poisson_within(frame, "y", ["log_k", "z"], "g", max_iterations=1)
    with pytest.raises(ValueError, match="errors must be one of"):
        poisson_within(frame, "y", ["log_k"], "g", errors="HC3")


def test_refuses_what_it_cannot_fit() -> None:
    frame = _weeks(seed=4, groups=10)
    with pytest.raises(ValueError, match=">= 0"):
        poisson_within(frame.with_columns(y=pl.col("y") - 10_000), "y", ["log_k"], "g")
    with pytest.raises(ValueError, match="no variation"):
        poisson_within(frame.with_columns(log_k=pl.lit(1.0)), "y", ["log_k"], "g")
    with pytest.raises(ValueError, match="at least 2 groups"):
        poisson_within(frame.filter(pl.col("g") == "0"), "y", ["log_k"], "g")
    with pytest.raises(ValueError, match="no column"):
        poisson_within(frame, "y", ["weeks"], "g")
    with pytest.raises(ValueError, match="nulls"):
        poisson_within(frame.with_columns(y=pl.lit(None, pl.Int64)), "y", ["log_k"], "g")


def _gifter_minutes(seed: int = 0, lives: int = 40, b: float = 0.5) -> pl.DataFrame:
    """Viewer-minutes of ``lives`` LIVEs: ``E[y] = exp(a_viewer + c_minute + b x)``, with
    ``x`` more likely for viewers with a large ``a`` and in minutes with a large ``c`` (the
    confounding both fixed effects must absorb)."""
    rng = np.random.default_rng(seed)
    rows = []
    for live in range(lives):
        c = rng.normal(0, 0.7, 30)
        for viewer in range(12):
            a = rng.normal(-1.0, 1.0)
            first = int(rng.integers(0, 20))
            minutes = np.arange(first, min(30, first + int(rng.integers(3, 15))))
            x = (rng.random(len(minutes)) < 0.15 + 0.1 * (a > -1) + 0.1 * (c[minutes] > 0))
            y = rng.poisson(np.exp(a + c[minutes] + b * x))
            rows += [(live, f"{live}-{viewer}", f"{live}|{m}", int(v), float(t))
                     for m, v, t in zip(minutes, y, x, strict=True)]
    return pl.DataFrame(rows, schema=["live", "viewer", "cell", "y", "x"], orient="row")


def test_two_way_matches_statsmodels_with_both_sets_of_dummies() -> None:
    sm = pytest.importorskip("statsmodels.api")
    from toolkit.stats.counts import poisson_two_way

    frame = _gifter_minutes(lives=8)
    fit = poisson_two_way(frame, "y", ["x"], "viewer", "cell", "live")
    used = frame
    while True:  # the same rows: no groups of one row, none without a positive y
        kept = used.filter((pl.len().over("viewer") > 1) & (pl.len().over("cell") > 1)
                           & (pl.col("y").sum().over("viewer") > 0)
                           & (pl.col("y").sum().over("cell") > 0))
        if kept.height == used.height:
            break
        used = kept
    assert fit.n == used.height
    one = used["viewer"].rank("dense").cast(pl.Int64).to_numpy() - 1
    two = used["cell"].rank("dense").cast(pl.Int64).to_numpy() - 1
    cells = np.eye(two.max() + 1)[two]
    # each LIVE is its own connected set: one cell dummy per LIVE goes, as the constant
    firsts = used.group_by("live").agg(pl.col("cell").min())["cell"]
    drop = np.unique(two[used["cell"].is_in(firsts.implode()).to_numpy()])
    design = np.column_stack([used["x"].to_numpy(), np.eye(one.max() + 1)[one],
                              np.delete(cells, drop, axis=1)])
    # Newton's method (the default IRLS stalls on the one redundant column left where a
    # LIVE's viewers split into sets that share no minute)
    ref = sm.GLM(used["y"].to_numpy(), design, family=sm.families.Poisson()).fit(
        method="newton", maxiter=200)
    np.testing.assert_allclose(fit.coef[0], ref.params[0], rtol=1e-8)


def test_two_way_recovers_the_rate_ratio_that_confounded_comparisons_miss() -> None:
    from toolkit.stats.counts import poisson_two_way, poisson_within

    estimates, covered = [], 0
    for seed in range(20):
        frame = _gifter_minutes(seed)
        fit = poisson_two_way(frame, "y", ["x"], "viewer", "cell", "live")
        estimates.append(fit.coef[0])
        covered += fit.low[0] <= 0.5 <= fit.high[0]
    assert abs(np.mean(estimates) - 0.5) < 0.05
    assert covered >= 16  # 95 % intervals: at most a few of 20 miss
    # a viewer effect alone leaves the minutes' confounding in: biased upwards
    within = poisson_within(_gifter_minutes(0), "y", ["x"], "viewer")
    assert within.coef[0] > fit.coef[0] + 0.05 or within.coef[0] > 0.6


def test_two_way_refuses_what_it_cannot_fit() -> None:
    from toolkit.stats.counts import poisson_two_way

    frame = _gifter_minutes(lives=4)
    with pytest.raises(ValueError, match="no column"):
        poisson_two_way(frame, "y", ["nope"], "viewer", "cell", "live")
    with pytest.raises(ValueError, match=">= 0"):
        poisson_two_way(frame.with_columns(y=-pl.col("y")), "y", ["x"], "viewer", "cell", "live")
    with pytest.raises(ValueError, match="no variation"):
        poisson_two_way(frame.with_columns(x=pl.lit(1.0)), "y", ["x"], "viewer", "cell", "live")
    with pytest.raises(ValueError, match="inside one live cluster"):
        poisson_two_way(frame.with_columns(live=pl.col("live") * 100 + pl.int_range(pl.len()) % 2),
                        "y", ["x"], "viewer", "cell", "live")
    with pytest.raises(ValueError, match="at least 2 clusters"):
        poisson_two_way(frame.with_columns(live=pl.lit(0)), "y", ["x"], "viewer", "cell", "live")


@pytest.mark.parametrize("errors", ["CR1", "CV3"])
def test_groups_whose_x_never_varies_are_not_counted(errors: str) -> None:
    frame = _weeks(groups=30)
    flat = _weeks(seed=9, groups=10).with_columns(g=pl.lit("flat-") + pl.col("g"),
                                                  log_k=pl.lit(0.5), z=pl.lit(0.0))
    alone = poisson_within(frame, "y", ["log_k"], "g", errors=errors)
    both = poisson_within(pl.concat([frame, flat]), "y", ["log_k"], "g", errors=errors)
    np.testing.assert_allclose(both.coef, alone.coef, rtol=1e-8)
    varying = frame.group_by("g").agg(pl.col("log_k").n_unique() > 1)["log_k"].sum()
    assert both.clusters == alone.clusters == varying and both.df == varying - 1
    np.testing.assert_allclose(both.se, alone.se, rtol=1e-6)
