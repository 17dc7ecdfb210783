"""The viewer's side of the money flow: buying coins and what gifts cost.

A viewer buys coins in fixed packages (70 coins for $0.99 in the app today, see
``data/reference/coin_packages.csv``) and spends them on gifts, each with a price in coins
(``data/reference/gift_catalogue.csv``). Two questions come up again and again:

* *What is the cheapest way to get at least N coins?* A mix of packages, found exactly by
  integer programming (``scipy.optimize.milp``) on integer cents.
* *What are N coins worth?* Their value at the channel's best price per coin, rounded once
  to the micro-dollar. This is the number to use for many gift events at once.

Every function takes one value or a polars column, so the same code prices one Rose or ten
million gift events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from typing import overload

import numpy as np
import polars as pl

from toolkit._checks import Column, FrameT, check_count, check_count_series
from toolkit.money import reference
from toolkit.money._exact import dollars

__all__ = [
    "Purchase", "Gift", "packages", "best_unit_price", "cheapest_purchase",
    "usd_cost_of_coins", "coin_value_usd", "find_gift", "gift_coins", "gift_cost",
    "price_gift_events",
]


@dataclass(frozen=True)
class Purchase:
    """The cheapest mix of coin packages that gives at least ``coins_wanted`` coins.

    Attributes
    ----------
    channel : str
        Price list used (``in_app``, ``in_app_2023`` or ``web``).
    coins_wanted : int
        Coins the viewer needs.
    packs : tuple of (int, int)
        ``(coins in the package, how many bought)``, largest package first.
    coins_bought : int
        Coins received; at least ``coins_wanted``.
    price_usd : Decimal
        What the viewer pays, exact, in US dollars.
    """

    channel: str
    coins_wanted: int
    packs: tuple[tuple[int, int], ...]
    coins_bought: int
    price_usd: Decimal

    @property
    def leftover_coins(self) -> int:
        """Coins bought but not needed: they stay in the viewer's wallet."""
        return self.coins_bought - self.coins_wanted


@dataclass(frozen=True)
class Gift:
    """One gift of the catalogue: its id, name, price in coins and whether it can streak."""

    gift_id: int
    name: str
    coins: int
    streakable: bool


def packages(channel: str | None = "in_app") -> pl.DataFrame:
    """The coin packages of one price list (or of all), with the exact price per coin.

    Parameters
    ----------
    channel : str or None
        ``in_app`` (today's app price list), ``in_app_2023`` (the older list), ``web``, or
        ``None`` for all three.

    Returns
    -------
    polars.DataFrame
        ``channel``, ``coins``, ``price_usd`` (Decimal) and ``usd_per_coin`` (Decimal,
        rounded to 1e-6 for display; formulas use exact fractions).
    """
    table = reference.coin_packages()
    if channel is not None:
        if channel not in reference.CHANNELS:
            raise ValueError(f"channel must be one of {reference.CHANNELS}, got {channel!r}")
        table = table.filter(pl.col("channel") == channel)
    return table.select(
        "channel",
        "coins",
        "price_usd",
        usd_per_coin=(pl.col("price_usd") / pl.col("coins")).cast(pl.Decimal(18, 6)),
    ).sort("channel", "coins")


#: The most coins priced (10^18, about 14 million billion dollars): every total stays within
#: a signed 64-bit integer, as the tables' coin columns need.
MAX_COINS = 10**18


@cache
def _package_arrays(channel: str) -> tuple[np.ndarray, np.ndarray]:
    """Package sizes (coins) and prices (integer cents) of a channel."""
    table = packages(channel)
    sizes = table["coins"].to_numpy()
    cents = np.array([int(p * 100) for p in table["price_usd"]], dtype=np.int64)
    return sizes, cents


def best_unit_price(channel: str = "in_app") -> Fraction:
    """The lowest price per coin in a channel's list, as an exact fraction of a dollar."""
    sizes, cents = _package_arrays(channel)
    return min(Fraction(int(c), 100 * int(s)) for s, c in zip(sizes, cents, strict=True))


@lru_cache(maxsize=65_536)
def _solve(coins: int, channel: str) -> tuple[tuple[tuple[int, int], ...], int]:
    """Exact cheapest covering mix; returns packs and cents (Python integers throughout).

    Some cheapest mix holds fewer than ``s`` packs of sizes other than the best-priced one
    (of ``s`` coins): among any ``s`` such packs, some have coins adding to a multiple of
    ``s``, which packs of the best price give as cheaply. So all but at most
    ``(s - 1) x largest`` coins come in best-priced packs; those are fixed, and the rest is
    solved by integer programming on at most a few million coins, where floats are exact.
    """
    from scipy.optimize import (  # heavy: imported when needed
        Bounds,
        LinearConstraint,
        milp,
    )

    sizes, cents = _package_arrays(channel)
    best = min(range(len(sizes)), key=lambda i: Fraction(int(cents[i]), int(sizes[i])))
    spare = (int(sizes[best]) - 1) * int(sizes.max())
    fixed = max(0, (coins - spare) // int(sizes[best]))
    rest = coins - fixed * int(sizes[best])
    result = milp(
        c=cents.astype(float),
        constraints=LinearConstraint(sizes[np.newaxis, :].astype(float), lb=rest, ub=np.inf),
        integrality=np.ones(len(sizes)),
        bounds=Bounds(0, np.inf),
        options={"mip_rel_gap": 0.0},
    )
    if not result.success:  # pragma: no cover - a feasible bounded problem always solves
        raise RuntimeError(f"no package mix found for {coins} coins: {result.message}")
    counts = [int(round(x)) for x in result.x]
    counts[best] += fixed
    if sum(n * int(size) for n, size in zip(counts, sizes, strict=True)) < coins:
        raise RuntimeError(f"the package mix for {coins} coins falls short")  # pragma: no cover
    packs = tuple((int(size), n) for size, n in sorted(zip(sizes, counts, strict=True),
                                                         reverse=True) if n)
    return packs, sum(n * int(c) for n, c in zip(counts, cents, strict=True))


def cheapest_purchase(coins: int, channel: str = "in_app") -> Purchase:
    """Cheapest mix of packages that gives a viewer at least ``coins`` coins.

    Parameters
    ----------
    coins : int
        Coins needed (>= 0).
    channel : str
        Price list: ``in_app`` (default), ``in_app_2023`` or ``web``.

    Returns
    -------
    Purchase
        The packages, coins received and the exact price in US dollars.

    Examples
    --------
    >>> cheapest_purchase(100).price_usd   # 2 x 70 coins beats 350 coins
    Decimal('1.98')
    """
    coins = check_count(coins, "coins")
    if coins > MAX_COINS:
        raise ValueError(f"coins: at most {MAX_COINS:,} (10^18) are priced, got {coins:,}")
    packs_bought, cents = _solve(coins, channel) if coins else ((), 0)
    return Purchase(
        channel=channel,
        coins_wanted=coins,
        packs=packs_bought,
        coins_bought=sum(size * n for size, n in packs_bought),
        price_usd=(Decimal(cents) / 100).quantize(Decimal("0.01")),
    )


def usd_cost_of_coins(coins: int | pl.Series, channel: str = "in_app") -> Decimal | pl.Series:
    """What a viewer pays for at least ``coins`` coins, buying the cheapest mix of packages.

    Parameters
    ----------
    coins : int or polars.Series of int
        Coins needed.
    channel : str
        Price list.

    Returns
    -------
    Decimal or polars.Series of Decimal
        US dollars, exact.
    """
    if isinstance(coins, pl.Series):
        check_count_series(coins, "coins")
        lookup = {n: cheapest_purchase(n, channel).price_usd for n in coins.unique().to_list()}
        return coins.replace_strict(lookup, return_dtype=pl.Decimal(18, 2)).rename("usd")
    return cheapest_purchase(coins, channel).price_usd


@overload
def coin_value_usd(coins: int, channel: str = ...) -> Decimal: ...
@overload
def coin_value_usd(coins: pl.Expr, channel: str = ...) -> pl.Expr: ...
@overload
def coin_value_usd(coins: pl.Series, channel: str = ...) -> pl.Series: ...
def coin_value_usd(coins: int | Column, channel: str = "in_app") -> Decimal | Column:
    """Value of ``coins`` at the channel's best price per coin, rounded half up to 1e-6 USD.

    Use this for the viewer's cost of many gifts at once (a session, a creator's month): it
    does not depend on how the coins were bundled into packages.

    Parameters
    ----------
    coins : int, polars.Expr or polars.Series
        Coins (>= 0).
    channel : str
        Price list.

    Returns
    -------
    Decimal, or a ``pl.Decimal`` column
        US dollars.
    """
    unit = best_unit_price(channel)  # dollars per coin, exact
    numerator, denominator = unit.numerator * 1_000_000, unit.denominator
    # coins x unit price, rounded half up to the micro-dollar, in integers only
    return dollars(coins, "coins",
                   lambda c: (c * (2 * numerator) + denominator) // (2 * denominator))


@cache
def _gift_index() -> tuple[dict[int, Gift], dict[str, list[Gift]]]:
    by_id: dict[int, Gift] = {}
    by_name: dict[str, list[Gift]] = {}
    for row in reference.gift_catalogue().iter_rows(named=True):
        gift = Gift(row["gift_id"], row["name"], row["coins"], row["streakable"])
        by_id[gift.gift_id] = gift
        by_name.setdefault(gift.name.casefold(), []).append(gift)
    return by_id, by_name


def find_gift(gift: int | str) -> Gift:
    """Look a gift up by id (int) or by name (str, case-insensitive).

    Raises
    ------
    ValueError
        For an unknown id or name, and for a name that two gifts share (use the id then).
    """
    by_id, by_name = _gift_index()
    if isinstance(gift, str):
        found = by_name.get(gift.strip().casefold(), [])
        if not found:
            raise ValueError(f"gift name {gift!r} is not in the gift catalogue")
        if len(found) > 1:
            options = ", ".join(f"{g.gift_id} ({g.coins} coins)" for g in found)
            raise ValueError(f"gift name {gift!r} is ambiguous; use one of the ids {options}")
        return found[0]
    if isinstance(gift, bool) or not isinstance(gift, int):
        raise ValueError(f"gift must be an id (int) or a name (str), got {gift!r}")
    if gift not in by_id:
        raise ValueError(f"gift_id {gift} is not in the gift catalogue")
    return by_id[gift]


def gift_coins(gifts: int | str | Iterable[int | str | tuple[int | str, int]]) -> int:
    """Total price in coins of one gift or a list of gifts.

    Parameters
    ----------
    gifts : gift, or iterable of gifts or ``(gift, how_many)`` pairs
        A gift is an id or a name, as in :func:`find_gift`.

    Examples
    --------
    >>> gift_coins([("Rose", 10), "Money Gun"])
    510
    """
    if isinstance(gifts, (int, str)):
        return find_gift(gifts).coins
    total = 0
    for item in gifts:
        gift, count = item if isinstance(item, tuple) else (item, 1)
        total += find_gift(gift).coins * check_count(count, f"count of {gift!r}")
    return total


def gift_cost(
    gifts: int | str | Iterable[int | str | tuple[int | str, int]], channel: str = "in_app"
) -> Purchase:
    """The cheapest purchase that lets a viewer send these gifts (see :func:`gift_coins`)."""
    return cheapest_purchase(gift_coins(gifts), channel)


def price_gift_events(
    frame: FrameT, gift_column: str = "gift_id", count_column: str = "count"
) -> FrameT:
    """Add the catalogue price of each gift row: ``coins = price of one gift x count``.

    Rows whose ``gift_column`` is null (not gifts) get ``coins = 0``. On an eager frame a
    gift id missing from the catalogue raises a ``ValueError`` naming the ids; on a lazy
    frame (checked only when collected) such rows get a null ``coins``, never a silent 0.
    """
    catalogue = reference.gift_catalogue()
    if isinstance(frame, pl.DataFrame):
        ids = frame.get_column(gift_column).drop_nulls().unique()
        unknown = ids.filter(~ids.is_in(catalogue["gift_id"].implode()))
        if len(unknown):
            raise ValueError(f"{gift_column}: unknown gift id(s) {sorted(unknown.to_list())}")
    gift = pl.col(gift_column)
    price = gift.replace_strict(
        catalogue["gift_id"], catalogue["coins"], default=None, return_dtype=pl.Int64
    )
    return frame.with_columns(
        coins=pl.when(gift.is_null()).then(0).otherwise(price * pl.col(count_column))
    )
