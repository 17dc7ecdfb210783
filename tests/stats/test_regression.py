"""Robust regression and mediation, checked against statsmodels (the reference)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm

from toolkit.stats.regression import demean, mediation, ols


def _frame(seed: int = 0, n: int = 400, groups: int = 40) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    x1 = rng.normal(size=n) + 0.3 * g / groups
    x2 = rng.normal(size=n)
    y = 1.0 + 2.0 * x1 - 0.5 * x2 + rng.normal(size=groups)[g] + rng.normal(size=n) * (1 + x1**2)
    return pl.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g.astype(str)})


def test_hc1_errors_match_statsmodels() -> None:
    frame = _frame()
    fit = ols(frame, "y", ["x1", "x2"])
    ref = sm.OLS(frame["y"].to_numpy(), sm.add_constant(frame.select("x1", "x2").to_numpy())
                 ).fit(cov_type="HC1")
    np.testing.assert_allclose(fit.coef, ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-10)
    assert fit.names == ("intercept", "x1", "x2")


def test_cluster_errors_match_statsmodels() -> None:
    frame = _frame(1)
    fit = ols(frame, "y", ["x1", "x2"], cluster="g")
    codes = frame["g"].rank("dense").to_numpy()
    ref = sm.OLS(frame["y"].to_numpy(), sm.add_constant(frame.select("x1", "x2").to_numpy())
                 ).fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    np.testing.assert_allclose(fit.se, ref.bse, rtol=1e-10)
    np.testing.assert_allclose(fit.p, ref.pvalues, rtol=1e-8)
    low, high = ref.conf_int().T
    np.testing.assert_allclose(fit.low, low, rtol=1e-8)
    np.testing.assert_allclose(fit.high, high, rtol=1e-8)
    assert fit.clusters == 40 and fit.df == 39


def test_demeaning_gives_the_fixed_effects_slope() -> None:
    frame = _frame(2)
    within = demean(frame, "g", ["y", "x1", "x2"])
    fit = ols(within, "y", ["x1", "x2"], intercept=False)
    dummies = frame.to_dummies("g", drop_first=False).drop("y", "x1", "x2").to_numpy()
    ref = sm.OLS(frame["y"].to_numpy(),
                 np.column_stack([frame.select("x1", "x2").to_numpy(), dummies])).fit()
    np.testing.assert_allclose(fit.coef, ref.params[:2], rtol=1e-9)


def test_ols_refuses_nulls_and_missing_columns() -> None:
    frame = _frame().with_columns(x2=pl.when(pl.col("x1") > 2).then(None).otherwise(pl.col("x2")))
    with pytest.raises(ValueError, match="nulls"):
        ols(frame, "y", ["x1", "x2"])
    with pytest.raises(ValueError, match="no column"):
        ols(frame, "y", ["nope"])


def test_mediation_recovers_a_known_indirect_effect() -> None:
    rng = np.random.default_rng(3)
    n, groups = 3000, 100
    g = rng.integers(0, groups, n)
    t = rng.normal(size=n)
    m = 0.5 * t + rng.normal(size=n)
    y = 0.8 * m + 0.2 * t + rng.normal(size=n)
    frame = pl.DataFrame({"t": t, "m": m, "y": y, "z": rng.normal(size=n), "g": g})
    result = mediation(frame, "t", "m", "y", ["z"], "g", np.random.default_rng(4),
                       n_resamples=499)
    assert result.a == pytest.approx(ols(frame, "m", ["t", "z"]).row("t")["estimate"])
    assert result.b == pytest.approx(ols(frame, "y", ["m", "t", "z"]).row("m")["estimate"])
    assert result.low < 0.4 < result.high
    assert result.p_value < 0.01
    assert result.direct == pytest.approx(0.2, abs=0.06)


def test_mediation_interval_covers_zero_without_a_path() -> None:
    rng = np.random.default_rng(5)
    n = 2000
    t = rng.normal(size=n)
    m = rng.normal(size=n)  # the treatment does not move the mediator
    y = 0.8 * m + rng.normal(size=n)
    frame = pl.DataFrame({"t": t, "m": m, "y": y, "g": rng.integers(0, 80, n)})
    result = mediation(frame, "t", "m", "y", [], "g", np.random.default_rng(6), n_resamples=499)
    assert result.low < 0 < result.high
    assert result.p_value > 0.05


def test_per_cluster_sums_are_those_of_numpy_add_at_to_the_last_bit() -> None:
    """The compiled per-cluster sums add the same products in the same order as
    ``np.add.at`` (the version they replaced), so every bootstrap and standard error is
    unchanged; clusters may come in any order."""
    from toolkit.stats.regression import _cluster_scores, _cross_products
    rng = np.random.default_rng(5)
    design = np.asfortranarray(rng.normal(size=(5000, 4)) * 10 ** rng.uniform(-3, 3, 4))
    target = rng.normal(size=5000)
    for codes in (np.sort(rng.integers(0, 60, 5000)), rng.integers(0, 60, 5000)):
        xtx = np.zeros((60, 4, 4))
        np.add.at(xtx, codes, design[:, :, None] * design[:, None, :])
        xty = np.zeros((60, 4))
        np.add.at(xty, codes, design * target[:, None])
        got_xtx, got_xty = _cross_products(design, target, codes, 60)
        assert np.array_equal(got_xtx, xtx) and np.array_equal(got_xty, xty)
        assert np.array_equal(_cluster_scores(np.ascontiguousarray(design), target, codes, 60),
                              xty)
