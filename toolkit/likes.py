"""The two like counts: LIVE hearts and likes on regular videos.

A viewer can tap the screen of a LIVE as often as they like; each tap is a *heart* (the
platform calls them LIVE likes). Likes on regular videos are one per viewer per video. The
platform keeps the two apart:

* the *profile like total* is the sum of likes on the creator's regular videos; LIVE hearts
  are not added to it (claim C1);
* the LIVE heart total of a session is still kept: it shows in the creator's LIVE analytics
  and with the replay (claim C19);
* neither count is an input of any money formula (claims C6, C10, C12; see
  :mod:`toolkit.money` and :mod:`toolkit.money.rewards`).

:class:`LikeRules` states these rules as parameters, so a reader can ask "what if hearts were
merged into the profile total?" and see how a ranking of creators changes (claim C3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, overload

import numpy as np
import polars as pl
from scipy import stats

from toolkit._checks import (
    Column,
    Flag,
    FrameT,
    Rule,
    Text,
    check_count,
    check_fields,
    count_input,
)
from toolkit.stats.estimates import RankCorrelation, rank_correlation

__all__ = [
    "LikeRules",
    "PLATFORM_RULES",
    "MERGED_RULES",
    "live_heart_totals",
    "profile_like_total",
    "rank_creators",
    "ranking_shift",
    "toy_creators",
    "rank_change_vs_hours",
    "tau_over_populations",
]


@dataclass(frozen=True)
class LikeRules:
    """How the platform counts likes.

    Parameters
    ----------
    name : str
        A label for tables and charts.
    hearts_on_profile : bool
        Whether LIVE hearts are added to the profile like total. ``False`` on the platform
        (C1); ``True`` in the what-if world of C3.
    hearts_kept_after_live : bool
        Whether a session's heart total is kept for its replay and statistics (C19).
    """

    name: str = "platform"
    hearts_on_profile: bool = False
    hearts_kept_after_live: bool = True

    RULES: ClassVar[dict[str, Rule]] = {
        "name": Text(), "hearts_on_profile": Flag(), "hearts_kept_after_live": Flag(),
    }

    def __post_init__(self) -> None:
        check_fields(self)


PLATFORM_RULES = LikeRules()
MERGED_RULES = LikeRules(name="merged (what-if)", hearts_on_profile=True)


def live_heart_totals(events: FrameT, rules: LikeRules = PLATFORM_RULES) -> FrameT:
    """Hearts per session, as kept after the LIVE for the replay and LIVE analytics (C19).

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table.
    rules : LikeRules
        With ``hearts_kept_after_live=False`` the totals are null: nothing is kept.

    Returns
    -------
    Same kind of frame: ``session_id``, ``hearts`` (taps), ``heart_batches`` (heart events),
    ``hearting_viewers`` (distinct users who tapped).
    """
    hearts = events.filter(pl.col("kind") == "heart")
    totals = hearts.group_by("session_id").agg(
        hearts=pl.col("count").sum().cast(pl.Int64),
        heart_batches=pl.len().cast(pl.Int64),
        hearting_viewers=pl.col("user_id").n_unique().cast(pl.Int64),
    )
    sessions = events.select("session_id").unique()
    out = sessions.join(totals, on="session_id", how="left").with_columns(
        pl.col("hearts", "heart_batches", "hearting_viewers").fill_null(0)
    )
    if not rules.hearts_kept_after_live:
        out = out.with_columns(pl.col("hearts", "heart_batches", "hearting_viewers") * None)
    return out.sort("session_id")


@overload
def profile_like_total(
    video_likes: int, live_hearts: int = ..., rules: LikeRules = ...
) -> int: ...
@overload
def profile_like_total(
    video_likes: pl.Series, live_hearts: int | pl.Series = ..., rules: LikeRules = ...
) -> pl.Series: ...
@overload
def profile_like_total(
    video_likes: int | Column, live_hearts: int | Column = ..., rules: LikeRules = ...
) -> int | Column: ...
def profile_like_total(
    video_likes: int | Column, live_hearts: int | Column = 0, rules: LikeRules = PLATFORM_RULES
) -> int | Column:
    """The like total shown on a creator's profile.

    Parameters
    ----------
    video_likes : int or column
        Likes on the creator's regular videos.
    live_hearts : int or column
        Hearts the creator received on all LIVEs.
    rules : LikeRules
        On the platform (the default) hearts are not added (C1).
    """
    video_likes = count_input(video_likes, "video_likes")
    live_hearts = count_input(live_hearts, "live_hearts")
    return video_likes + live_hearts if rules.hearts_on_profile else video_likes


def rank_creators(creators: pl.DataFrame, rules: LikeRules = PLATFORM_RULES) -> pl.DataFrame:
    """Rank creators by their profile like total under ``rules`` (1 = most likes).

    Parameters
    ----------
    creators : polars.DataFrame
        ``creator``, ``video_likes``, ``live_hearts`` (integers).

    Returns
    -------
    polars.DataFrame
        The input with ``profile_likes`` and ``rank`` (ties share the best rank).
    """
    total = profile_like_total(pl.col("video_likes"), pl.col("live_hearts"), rules)
    return creators.with_columns(profile_likes=total).with_columns(
        rank=pl.col("profile_likes").rank(method="min", descending=True).cast(pl.Int64)
    ).sort("rank", "creator")


def ranking_shift(
    creators: pl.DataFrame,
    before: LikeRules = PLATFORM_RULES,
    after: LikeRules = MERGED_RULES,
) -> tuple[pl.DataFrame, float]:
    """How the ranking of creators changes from rules ``before`` to rules ``after`` (C3).

    Returns
    -------
    table : polars.DataFrame
        ``creator``, ``rank_before``, ``rank_after``, ``rank_change`` (positive = moved up)
        plus the input columns, sorted by ``rank_after``.
    tau : float
        Kendall's tau between the two rankings (1 = same order, 0 = unrelated).
    """
    first = rank_creators(creators, before).select("creator", rank_before="rank")
    second = rank_creators(creators, after).select("creator", rank_after="rank")
    table = (
        creators.join(first, on="creator")
        .join(second, on="creator")
        .with_columns(rank_change=pl.col("rank_before") - pl.col("rank_after"))
        .sort("rank_after", "creator")
    )
    tau = stats.kendalltau(table["rank_before"], table["rank_after"]).statistic
    return table, float(tau)


def toy_creators(
    n: int, rng: np.random.Generator, hearts_follow_likes: float = 0.0
) -> pl.DataFrame:
    """A small, made-up population of creators for the C3 what-if.

    An illustration, not data: each creator posts videos that collect likes (log-normal
    around 20,000 in total) and spends some hours LIVE (most a few, some many), earning
    hearts per hour LIVE (log-normal around 3,000). By default hearts per hour are drawn
    independently of video likes, so streaming a lot is what makes the heart total large.

    Parameters
    ----------
    n : int
        Number of creators.
    rng : numpy.random.Generator
        Source of every random draw.
    hearts_follow_likes : float
        Elasticity of hearts per hour with respect to video likes: 0 (default) for none,
        1 for hearts per hour proportional to video likes (popular creators get more taps).

    Returns
    -------
    polars.DataFrame
        ``creator``, ``video_likes``, ``live_hours``, ``live_hearts``.
    """
    n = check_count(n, "n")
    video_likes = np.rint(rng.lognormal(np.log(20_000), 1.0, n)).astype(np.int64)
    live_hours = rng.choice([1, 2, 5, 10, 40, 120], size=n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    hearts_per_hour = rng.lognormal(np.log(3_000), 0.8, n) * (
        video_likes / 20_000
    ) ** hearts_follow_likes
    live_hearts = np.rint(live_hours * hearts_per_hour).astype(np.int64)
    return pl.DataFrame(
        {
            "creator": [f"creator_{i:02d}" for i in range(n)],
            "video_likes": video_likes,
            "live_hours": live_hours.astype(np.int64),
            "live_hearts": live_hearts,
        }
    )


def rank_change_vs_hours(
    table: pl.DataFrame, rng: np.random.Generator, confidence: float = 0.95
) -> RankCorrelation:
    """How strongly hours LIVE go with moving up when hearts are merged (C3).

    Spearman's rank correlation between ``live_hours`` and ``rank_change`` in a table from
    :func:`ranking_shift`, with a bootstrap confidence interval (creators resampled).

    Returns
    -------
    dict
        ``rho``, ``low``, ``high`` (interval bounds) and ``n`` (creators).
    """
    return rank_correlation(table["live_hours"].to_numpy(), table["rank_change"].to_numpy(),
                            rng, confidence)


def tau_over_populations(
    n_creators: int, n_populations: int, rng: np.random.Generator,
    hearts_follow_likes: float = 0.0,
) -> pl.DataFrame:
    """Kendall's tau between the two rankings in many toy populations (see :func:`toy_creators`).

    Returns
    -------
    polars.DataFrame
        ``population`` and ``tau``, one row per population.
    """
    taus = [
        ranking_shift(toy_creators(n_creators, rng, hearts_follow_likes))[1]
        for _ in range(check_count(n_populations, "n_populations"))
    ]
    return pl.DataFrame({"population": range(len(taus)), "tau": taus})
