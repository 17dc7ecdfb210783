"""Typed loaders for the reference tables in ``data/reference``.

Every table is a CSV file with a ``source`` column or a README entry naming where each
value comes from (see ``data/reference/README.md``). Each loader declares the polars schema
of its table, reads it, and checks the values a later formula relies on (positive prices,
unique ids, ...). A bad table raises a ``ValueError`` that names the file, the line and the
field, so a reader who edits a CSV learns at once what went wrong.

Money columns are read as ``pl.Decimal`` so that a price such as 0.99 dollars is exact, never
a binary float.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from toolkit._paths import reference_dir

__all__ = ["coin_packages", "gift_catalogue", "platform_rates", "creator_rewards", "CHANNELS"]

#: Price lists in ``coin_packages.csv``: today's in-app list, the older 2021-2023 in-app list,
#: and the web recharge page.
CHANNELS: tuple[str, ...] = ("in_app", "in_app_2023", "web")

USD = pl.Decimal(precision=18, scale=6)

#: A column's type as polars takes it: a class (``pl.Int64``) or an instance (``USD``).
Dtype = pl.DataType | type[pl.DataType]

COIN_PACKAGES_SCHEMA: dict[str, Dtype] = {
    "channel": pl.String,
    "coins": pl.Int64,
    "price_usd": USD,
    "source": pl.String,
}
GIFT_CATALOGUE_SCHEMA: dict[str, Dtype] = {
    "gift_id": pl.Int64,
    "name": pl.String,
    "coins": pl.Int64,
    "gift_type": pl.Int64,
    "streakable": pl.Boolean,
}
PLATFORM_RATES_SCHEMA: dict[str, Dtype] = {
    "parameter": pl.String,
    "central": USD,
    "low": USD,
    "high": USD,
    "unit": pl.String,
    "source": pl.String,
    "note": pl.String,
}
CREATOR_REWARDS_SCHEMA: dict[str, Dtype] = {
    "program": pl.String,
    "rpm_central_usd": USD,
    "rpm_low_usd": USD,
    "rpm_high_usd": USD,
    "min_followers": pl.Int64,
    "min_qualified_views_30d": pl.Int64,
    "min_video_seconds": pl.Int64,
    "qualified_view_seconds": pl.Int64,
    "source": pl.String,
    "note": pl.String,
}


def _read_table(name: str, schema: dict[str, Dtype]) -> pl.DataFrame:
    """Read ``data/reference/<name>`` with ``schema``; name the file and line on failure."""
    path = reference_dir() / name
    raw = pl.read_csv(path, infer_schema=False)
    missing = [c for c in schema if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(schema)}")
    raw = raw.select(list(schema))
    out = {}
    for column, dtype in schema.items():
        values = raw[column]
        if dtype == pl.Boolean:
            lowered = values.str.to_lowercase()
            bad = ~lowered.is_in(["true", "false"]) & values.is_not_null()
            parsed = lowered == "true"
        else:
            parsed = values.cast(dtype, strict=False)
            bad = parsed.is_null() & values.is_not_null()
        if bad.any():
            row = bad.arg_max()  # first bad row
            assert row is not None  # not empty, since a row is bad
            raise ValueError(
                f"{path}, line {row + 2}, field {column!r}: cannot read {values[row]!r} as {dtype}"
            )
        out[column] = parsed
    return pl.DataFrame(out)


def _fail(path: str, frame: pl.DataFrame, mask: pl.Series, field: str, why: str) -> None:
    if mask.any():
        row = mask.arg_max()
        assert row is not None  # not empty, since a row is flagged
        raise ValueError(
            f"data/reference/{path}, line {row + 2}, field {field!r}: "
            f"{frame[field][row]!r} {why}"
        )


@cache
def coin_packages() -> pl.DataFrame:
    """Coin packages a viewer can buy, one row per package.

    Returns
    -------
    polars.DataFrame
        ``channel`` (``in_app``, ``in_app_2023`` or ``web``), ``coins`` (coins in the package),
        ``price_usd`` (exact decimal, US dollars), ``source``.
    """
    table = _read_table("coin_packages.csv", COIN_PACKAGES_SCHEMA)
    _fail("coin_packages.csv", table, table["coins"] <= 0, "coins", "must be positive")
    _fail("coin_packages.csv", table, table["price_usd"] <= 0, "price_usd", "must be positive")
    _fail(
        "coin_packages.csv", table, ~table["channel"].is_in(CHANNELS), "channel",
        f"is not one of {CHANNELS}",
    )
    _fail(
        "coin_packages.csv", table, table.select(pl.struct("channel", "coins").is_duplicated())
        .to_series(), "coins", "is listed twice for its channel",
    )
    return table


@cache
def gift_catalogue() -> pl.DataFrame:
    """The gift catalogue snapshot of 2024-01-05 (116 gifts).

    Returns
    -------
    polars.DataFrame
        ``gift_id``, ``name``, ``coins`` (price of one gift in coins), ``gift_type`` (1 can be
        sent as a streak, 2 normal, 4 other) and ``streakable`` (``gift_type == 1``).
        Names are not unique (two gifts are called "Heart"); ids are.
    """
    table = _read_table("gift_catalogue.csv", GIFT_CATALOGUE_SCHEMA)
    _fail("gift_catalogue.csv", table, table["gift_id"].is_duplicated(), "gift_id", "is not unique")
    _fail("gift_catalogue.csv", table, table["coins"] <= 0, "coins", "must be positive")
    _fail(
        "gift_catalogue.csv", table, table["streakable"] != (table["gift_type"] == 1),
        "streakable", "must equal gift_type == 1",
    )
    return table


@cache
def platform_rates() -> pl.DataFrame:
    """Platform conversion rates and cash-out rules, with the range the sources give.

    Returns
    -------
    polars.DataFrame
        ``parameter``, ``central`` (the value the toolkit uses by default), ``low``, ``high``
        (the range across sources), ``unit``, ``source``, ``note``.
    """
    table = _read_table("platform_rates.csv", PLATFORM_RATES_SCHEMA)
    _fail(
        "platform_rates.csv", table,
        (table["central"] < table["low"]) | (table["central"] > table["high"]),
        "central", "lies outside [low, high]",
    )
    return table


@cache
def creator_rewards() -> pl.DataFrame:
    """Pay per 1,000 qualified views (RPM) and eligibility of the programmes for regular videos.

    Returns
    -------
    polars.DataFrame
        One row per programme: ``rpm_central_usd``, ``rpm_low_usd``, ``rpm_high_usd`` (US
        dollars per 1,000 qualified views), eligibility thresholds, ``source`` and ``note``.
    """
    table = _read_table("creator_rewards.csv", CREATOR_REWARDS_SCHEMA)
    _fail(
        "creator_rewards.csv", table,
        (table["rpm_central_usd"] < table["rpm_low_usd"])
        | (table["rpm_central_usd"] > table["rpm_high_usd"]),
        "rpm_central_usd", "lies outside [rpm_low_usd, rpm_high_usd]",
    )
    return table
