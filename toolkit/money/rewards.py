"""Pay for regular videos: the Creator Rewards Program and its predecessors (claim C12).

Regular (non-LIVE) videos earn from the platform, not from viewers: a rate per 1,000
*qualified views* (RPM). A qualified view comes from the For You feed, lasts at least a few
seconds and is not paid or botted. Likes, and LIVE hearts above all, are not an input: the
functions here take views only.

Rates and thresholds come from ``data/reference/creator_rewards.csv``; the sources give a
range, so the RPM is a parameter with the central value as default.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict, cast, overload

import polars as pl

from toolkit._checks import Column, check_count
from toolkit.money import reference
from toolkit.money._exact import dollars, micros

__all__ = ["PROGRAMS", "ProgramTerms", "program_terms", "creator_rewards_usd", "rewards_eligible"]

#: Programme names in ``creator_rewards.csv``.
PROGRAMS: tuple[str, ...] = ("creator_rewards_program", "creativity_program", "creator_fund")


class ProgramTerms(TypedDict):
    """One row of ``creator_rewards.csv`` (the schema of :func:`reference.creator_rewards`)."""

    program: str
    rpm_central_usd: Decimal
    rpm_low_usd: Decimal
    rpm_high_usd: Decimal
    min_followers: int
    min_qualified_views_30d: int
    min_video_seconds: int
    qualified_view_seconds: int
    source: str
    note: str


def program_terms(program: str = "creator_rewards_program") -> ProgramTerms:
    """One programme's row of ``creator_rewards.csv`` as a dict (RPMs are Decimal dollars)."""
    table = reference.creator_rewards().filter(pl.col("program") == program)
    if table.is_empty():
        raise ValueError(f"program must be one of {PROGRAMS}, got {program!r}")
    # polars types a named row as dict[str, Any]; the table's schema is fixed by the loader
    return cast(ProgramTerms, table.row(0, named=True))


@overload
def creator_rewards_usd(
    qualified_views: int, rpm_usd: Decimal | str | None = ..., program: str = ...
) -> Decimal: ...
@overload
def creator_rewards_usd(
    qualified_views: pl.Expr, rpm_usd: Decimal | str | None = ..., program: str = ...
) -> pl.Expr: ...
@overload
def creator_rewards_usd(
    qualified_views: pl.Series, rpm_usd: Decimal | str | None = ..., program: str = ...
) -> pl.Series: ...
def creator_rewards_usd(
    qualified_views: int | Column,
    rpm_usd: Decimal | str | None = None,
    program: str = "creator_rewards_program",
) -> Decimal | Column:
    """Pay for ``qualified_views`` qualified views: ``views x RPM / 1000``, exact.

    Parameters
    ----------
    qualified_views : int, polars.Expr or polars.Series
        Qualified views (>= 0).
    rpm_usd : Decimal or str, optional
        US dollars per 1,000 qualified views; default: the programme's central RPM.
    program : str
        One of :data:`PROGRAMS`.

    Returns
    -------
    Decimal or a ``pl.Decimal`` column
        US dollars, rounded half up to the micro-dollar.
    """
    if rpm_usd is None:
        rpm = program_terms(program)["rpm_central_usd"]
    else:
        rpm = Decimal(str(rpm_usd))
    if rpm < 0:
        raise ValueError(f"rpm_usd must not be negative, got {rpm_usd!r}")
    per_thousand = micros(rpm, "rpm_usd")
    # views x RPM / 1000, rounded half up to the micro-dollar, in integers only
    return dollars(qualified_views, "qualified_views",
                   lambda v: (v * (2 * per_thousand) + 1000) // 2000)


def rewards_eligible(
    followers: int, qualified_views_30d: int, video_seconds: int,
    program: str = "creator_rewards_program",
) -> bool:
    """Whether an account and a video meet a programme's published thresholds.

    Parameters
    ----------
    followers : int
        Followers of the account.
    qualified_views_30d : int
        Qualified views in the last 30 days.
    video_seconds : int
        Length of the video in seconds; the CRP pays for videos longer than a minute.
    """
    terms = program_terms(program)
    followers = check_count(followers, "followers")
    views = check_count(qualified_views_30d, "qualified_views_30d")
    seconds = check_count(video_seconds, "video_seconds")
    min_seconds = terms["min_video_seconds"]
    long_enough = seconds > min_seconds if min_seconds else True
    return (
        followers >= terms["min_followers"]
        and views >= terms["min_qualified_views_30d"]
        and long_enough
    )
