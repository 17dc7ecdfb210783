"""What goes with bigger LIVE earnings? Claims C8 and C22.

C8 says earnings grow with audience size and engagement, content quality, frequency and
promotion; C22 that well-liked LIVEs attract more gifts (and subscriptions and brand deals).
In every world of the model gifts come from viewers, so more viewers, more hearts (which
viewers send too) and more coins go together whatever the world: across sessions that
association cannot fail, so C8 is ``described`` (rank correlations with bootstrap intervals,
one row per session). C22 is tested where it can fail: at the same watch time (the same
audience for the same minutes), do LIVEs with more hearts earn more? In the model that holds
when strong moments lift hearts and gifts together, and fails in the world without them
(``no_strong_moments``), whatever groups of gifters, gift battles or unequal tapping add;
bought hearts, which bring hearts and no coins, turn it the other way (see
``notebooks/07-whales-and-herding.ipynb``).
"""

from __future__ import annotations

from typing import TypedDict, cast

import numpy as np
import polars as pl

from toolkit.claims import audience
from toolkit.claims.evidence import Evidence, claim_test, skipped, verdict_from_test
from toolkit.events.dataset import Dataset
from toolkit.stats.estimates import rank_correlation, spearman
from toolkit.stats.regression import ols

__all__ = ["earnings_table", "earnings_associations", "test_c8", "test_c22"]


def earnings_table(data: Dataset) -> pl.DataFrame:
    """The columns of the session table (:func:`toolkit.claims.audience.session_table`) that
    earnings are compared with, plus hearts and coins per unique viewer.

    Returns
    -------
    polars.DataFrame
        ``session_id``, ``coins``, ``unique_viewers``, ``hearts``, ``comments``,
        ``duration_minutes``, ``hearts_per_viewer`` and ``coins_per_viewer`` (per unique
        viewer), and, when the dataset has a sessions table, ``followers`` (and ``quality``
        when simulated).
    """
    table = audience.session_table(data)
    wanted = ["followers"] + (["quality"] if data.source == "simulated" else [])
    summary = table.select("session_id", "coins", "unique_viewers", "hearts", "comments",
                           "duration_minutes", *(c for c in wanted if c in table.columns))
    viewers = pl.col("unique_viewers").cast(pl.Float64)
    return summary.with_columns(
        hearts_per_viewer=pl.col("hearts") / viewers,
        coins_per_viewer=pl.col("coins") / viewers,
    ).filter(pl.col("unique_viewers") > 0).sort("session_id")


#: Factors of C8 and C22 against coins: (name in the table, label, target column).
_FACTORS = (
    ("unique_viewers", "unique viewers", "coins"),
    ("hearts", "hearts", "coins"),
    ("hearts_per_viewer", "hearts per viewer", "coins"),
    ("comments", "comments", "coins"),
    ("duration_minutes", "duration (min)", "coins"),
    ("followers", "followers", "coins"),
    ("quality", "content quality (platform)", "coins"),
    ("hearts_per_viewer", "hearts per viewer vs coins per viewer", "coins_per_viewer"),
)


def earnings_associations(data: Dataset, rng: np.random.Generator,
                          n_resamples: int = 500,
                          factors: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Spearman rank correlation of each factor with coins, across sessions.

    Parameters
    ----------
    data : Dataset
    rng : numpy.random.Generator
        Source of the bootstrap resamples (pairs of sessions).
    n_resamples : int
    factors : tuple of str, optional
        Labels of the factors to compute (default: all of them).

    Returns
    -------
    polars.DataFrame
        ``factor`` (label), ``target`` (``coins`` or ``coins_per_viewer``), ``rho``,
        ``low``, ``high`` (95 % percentile bootstrap) and ``n`` (sessions); factors the data
        lack are left out.
    """
    table = earnings_table(data)
    rows = []
    for column, label, target in _FACTORS:
        if column not in table.columns or (factors is not None and label not in factors):
            continue
        pairs = table.select(column, target).drop_nulls()
        if pairs.height < 10:
            continue
        r = rank_correlation(pairs[column].to_numpy(), pairs[target].to_numpy(), rng,
                             n_resamples=n_resamples)
        rows.append({"factor": label, "target": target, "rho": r["rho"], "low": r["low"],
                     "high": r["high"], "n": int(r["n"])})
    return pl.DataFrame(rows, schema={"factor": pl.String, "target": pl.String,
                                      "rho": pl.Float64, "low": pl.Float64,
                                      "high": pl.Float64, "n": pl.Int64})


_C8 = tuple(label for _, label, target in _FACTORS if target == "coins" and label != "hearts")


class _Association(TypedDict):
    """One row of :func:`earnings_associations`."""

    factor: str
    target: str
    rho: float
    low: float
    high: float
    n: int


def _row(table: pl.DataFrame, factor: str, target: str = "coins") -> _Association:
    # polars types a named row as dict[str, Any]; the table's schema is fixed above
    return cast(_Association, table.filter(
        (pl.col("factor") == factor) & (pl.col("target") == target)).row(0, named=True))


@claim_test
def test_c8(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C8, "earnings grow with audience size and engagement, quality, frequency, promotion".

    Described: Spearman's rho of coins with unique viewers across sessions (the headline),
    the other factors in the note. Frequency and promotion are not in the data.
    """
    measure = "Spearman rank correlation of coins with unique viewers, across sessions"
    table = earnings_associations(data, rng, factors=_C8)
    if table.filter(pl.col("factor") == "unique viewers").is_empty():
        return skipped("C8", measure, "fewer than 10 sessions with viewers")
    head = _row(table, "unique viewers")
    others = "; ".join(f"{r['factor']} {r['rho']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"
                       for r in table.iter_rows(named=True)
                       if r["target"] == "coins" and r["factor"] != "unique viewers")
    note = (f"Associations, not causes (gifts come from viewers in every world of the model); "
            f"rho with coins: {others}. How often a creator goes LIVE and promotion are not "
            "in these data, so that part of the claim is untested.")
    return Evidence("C8", measure, head["rho"], head["low"], head["high"], None, head["n"],
                    "described", note)


@claim_test
def test_c22(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C22, "well-liked LIVEs attract more gifts, subscriptions and brand deals".

    Least squares across sessions of log(1 + coins) on log(1 + hearts), holding log watch
    minutes fixed (the audience and how long it stayed: the part of the hearts-coins link
    that is only audience size); HC1 errors, clustered by creator when creators have several
    sessions (:func:`toolkit.claims.audience.creator_clusters`). The estimate is the
    elasticity of coins to hearts at the same watch time.
    Subscriptions and brand deals are not in the data (untested).
    """
    measure = "elasticity of a LIVE's coins to its hearts, same watch minutes"
    table = audience.session_table(data).filter(
        pl.col("watch_minutes") > 0).with_columns(
        log_coins=(1 + pl.col("coins").cast(pl.Float64)).log(),
        log_hearts=(1 + pl.col("hearts").cast(pl.Float64)).log(),
        log_watch=pl.col("watch_minutes").cast(pl.Float64).log())
    if len(table) < 20 or table["hearts"].n_unique() < 3:
        return skipped("C22", measure, f"needs at least 20 sessions with viewers, found "
                                       f"{len(table)}")
    row = ols(table, "log_coins", ["log_hearts", "log_watch"],
              cluster=audience.creator_clusters(table)).row("log_hearts")
    rho = float(spearman(table["hearts"].to_numpy(), table["coins"].to_numpy()))
    note = (f"Across sessions coins and hearts go together (rank correlation {rho:.2f}), "
            "mostly because both grow with the audience; at the same watch minutes the link "
            "is the estimate. An association, not a cause: in the model strong moments lift "
            "hearts and gifts together. Subscriptions and brand deals are not in the data "
            "(untested; n = sessions).")
    return Evidence("C22", measure, row["estimate"], row["low"], row["high"], row["p_value"],
                    len(table), verdict_from_test(row["estimate"], row["p_value"]), note)
