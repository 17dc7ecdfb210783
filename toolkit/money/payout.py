"""The creator's side of the money flow: gifts -> coins -> Diamonds -> dollars -> cash-out.

The chain, with the reference rates (``data/reference/platform_rates.csv``)::

    viewer pays $  --buys-->  coins  --gifts-->  Diamonds  --cash-out-->  creator's $
                              (1 Diamond per coin)      ($0.005 per Diamond)

TikTok publishes no fixed coin-to-Diamond rate, and third-party sources disagree, so the
rates are a frozen dataclass, :class:`Rates`, with the reference values and named
alternatives (:data:`RATE_PRESETS`) a reader can swap in. LIVE hearts appear in none of these
formulas: no function here takes a heart count (claims C6, C10).

Coins and Diamonds are integers. Dollars are exact: ``Decimal`` for one value, a
``pl.Decimal`` column for many.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar, overload

import polars as pl

from toolkit._checks import (
    Column,
    FrameT,
    Interval,
    OneOf,
    Rule,
    Text,
    check_count,
    check_fields,
    check_relation,
    count_input,
)
from toolkit.money import reference
from toolkit.money._exact import dollars, micros, to_decimal, usd
from toolkit.money.coins import cheapest_purchase, coin_value_usd

__all__ = [
    "Rates", "RATE_PRESETS", "rates", "MoneyFlow", "diamonds_from_coins", "usd_from_diamonds",
    "creator_usd_from_coins", "gift_money", "money_flow", "session_money", "cashout_schedule",
    "compare_rates", "usd_per_diamond_sweep",
]


@dataclass(frozen=True)
class Rates:
    """Conversion rates and cash-out rules of the platform.

    Parameters
    ----------
    name : str
        A label for charts and tables.
    diamonds_per_coin : Fraction
        Diamonds credited to the creator per coin of gift value, in (0, 1]. Reference 1;
        the "2 coins = 1 Diamond" claim is 1/2.
    usd_per_diamond : Decimal
        US dollars paid per Diamond at cash-out, > 0 and a whole number of micro-dollars.
        Reference 0.005 (100 Diamonds = $0.50).
    cashout_minimum_usd : Decimal
        Smallest balance that can be withdrawn (unpublished; sources say $10 to $100).
    cashout_daily_cap_usd : Decimal
        Largest withdrawal per calendar day ($1,000, official).
    payout_days : int
        Calendar days from a withdrawal request to the money arriving (at most 15, official).
    coin_channel : str
        Price list the viewers buy their coins from (``in_app``, ``in_app_2023``, ``web``);
        used to value what viewers paid.
    """

    name: str
    diamonds_per_coin: Fraction
    usd_per_diamond: Decimal
    cashout_minimum_usd: Decimal
    cashout_daily_cap_usd: Decimal
    payout_days: int
    coin_channel: str = "in_app"

    RULES: ClassVar[dict[str, Rule]] = {
        "name": Text(),
        "diamonds_per_coin": Interval(0, 1, closed="right"),
        "usd_per_diamond": Interval(0, None, closed="neither"),
        "cashout_minimum_usd": Interval(0, None),
        "cashout_daily_cap_usd": Interval(0, None, closed="neither"),
        "payout_days": Interval(0, None, whole=True),
        "coin_channel": OneOf(reference.CHANNELS),
    }

    def __post_init__(self) -> None:
        dpc = self.diamonds_per_coin
        try:
            exact = None if isinstance(dpc, bool) else Fraction(str(dpc)) \
                if isinstance(dpc, float) else Fraction(dpc)
        except (TypeError, ValueError):
            exact = None
        check_relation(self, exact is not None, "diamonds_per_coin",
                       "a number (int, Fraction, Decimal or decimal string)")
        object.__setattr__(self, "diamonds_per_coin", exact)
        for field in ("usd_per_diamond", "cashout_minimum_usd", "cashout_daily_cap_usd"):
            try:
                object.__setattr__(self, field, to_decimal(getattr(self, field), field))
            except ValueError:
                check_relation(self, False, field, "an amount of dollars (int, Decimal or "
                               "decimal string)")
        check_fields(self)
        for field in ("usd_per_diamond", "cashout_minimum_usd", "cashout_daily_cap_usd"):
            whole = (Fraction(getattr(self, field)) * 1_000_000).denominator == 1
            check_relation(self, whole, field, "a whole number of micro-dollars (1e-6 USD)")
        check_relation(self, self.cashout_minimum_usd <= self.cashout_daily_cap_usd,
                       "cashout_minimum_usd",
                       f"at most cashout_daily_cap_usd ({self.cashout_daily_cap_usd})")

    @classmethod
    def reference(cls) -> Rates:
        """The central values of ``data/reference/platform_rates.csv``."""
        central = dict(reference.platform_rates().select("parameter", "central").iter_rows())
        return cls(
            name="reference",
            diamonds_per_coin=Fraction(central["diamonds_per_coin"]),
            usd_per_diamond=_plain(central["usd_per_diamond"]),
            cashout_minimum_usd=_plain(central["cashout_minimum_usd"]),
            cashout_daily_cap_usd=_plain(central["cashout_daily_cap_usd"]),
            payout_days=int(central["payout_days"]),
        )

    def replace(self, **changes: object) -> Rates:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def _plain(value: Decimal) -> Decimal:
    """``Decimal('10.000000')`` -> ``Decimal('10')``; ``0.005000`` -> ``0.005`` (no exponent)."""
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def _presets() -> dict[str, dict[str, object]]:
    return {
        "reference": {},
        # itechpost 2021: "2 coins = 1 diamond; 200 diamonds = $1"
        "two_coins_per_diamond": {"diamonds_per_coin": Fraction(1, 2)},
        # socmedb 2025: "approx 50 Diamonds = $1"
        "fifty_diamonds_per_dollar": {"usd_per_diamond": Decimal("0.02")},
        # oglink: "a Diamond is about $0.05"
        "five_cents_per_diamond": {"usd_per_diamond": Decimal("0.05")},
        # the reference rates, with coins bought on the web page (about 25 % cheaper)
        "web_coins": {"coin_channel": "web"},
        # the strictest cash-out minimum claimed ($100)
        "hundred_dollar_minimum": {"cashout_minimum_usd": Decimal("100")},
    }


#: Named rate sets for the disputed claims; see :func:`rates`.
RATE_PRESETS: tuple[str, ...] = tuple(_presets())


def rates(name: str = "reference") -> Rates:
    """The rate set called ``name`` (one of :data:`RATE_PRESETS`)."""
    presets = _presets()
    if name not in presets:
        raise ValueError(f"rates name must be one of {RATE_PRESETS}, got {name!r}")
    return Rates.reference().replace(name=name, **presets[name])


@overload
def diamonds_from_coins(coins: int, rates: Rates) -> int: ...
@overload
def diamonds_from_coins(coins: pl.Expr, rates: Rates) -> pl.Expr: ...
@overload
def diamonds_from_coins(coins: pl.Series, rates: Rates) -> pl.Series: ...
def diamonds_from_coins(coins: int | Column, rates: Rates) -> int | Column:
    """Diamonds credited for gifts worth ``coins`` coins: ``floor(coins x diamonds_per_coin)``.

    Apply it to a total (a session's or a creator's coins), not to each gift: with a rate of
    1/2, a single 1-coin Rose would otherwise be worth nothing.

    Parameters
    ----------
    coins : int, polars.Expr or polars.Series
        Coins of gift value (>= 0).
    rates : Rates

    Returns
    -------
    int, or an integer column
    """
    num, den = rates.diamonds_per_coin.numerator, rates.diamonds_per_coin.denominator
    return count_input(coins, "coins") * num // den


@overload
def usd_from_diamonds(diamonds: int, rates: Rates) -> Decimal: ...
@overload
def usd_from_diamonds(diamonds: pl.Expr, rates: Rates) -> pl.Expr: ...
@overload
def usd_from_diamonds(diamonds: pl.Series, rates: Rates) -> pl.Series: ...
def usd_from_diamonds(diamonds: int | Column, rates: Rates) -> Decimal | Column:
    """US dollars a creator is paid for ``diamonds`` Diamonds (exact)."""
    per_diamond = micros(rates.usd_per_diamond)
    return dollars(diamonds, "diamonds", lambda d: d * per_diamond)


@overload
def creator_usd_from_coins(coins: int, rates: Rates) -> Decimal: ...
@overload
def creator_usd_from_coins(coins: pl.Expr, rates: Rates) -> pl.Expr: ...
@overload
def creator_usd_from_coins(coins: pl.Series, rates: Rates) -> pl.Series: ...
def creator_usd_from_coins(coins: int | Column, rates: Rates) -> Decimal | Column:
    """US dollars a creator is paid for gifts worth ``coins`` coins (via Diamonds)."""
    return usd_from_diamonds(diamonds_from_coins(coins, rates), rates)


def gift_money(coins: pl.Expr, rates: Rates, usd: str = "creator_usd") -> list[pl.Expr]:
    """The money columns of a table with a column of gift coins: the one formula.

    ``diamonds`` (Int64, the creator's credit) and ``usd`` (exact ``pl.Decimal``, what the
    creator is paid for them). Used by :func:`session_money` and by the LIVE summary
    (:func:`toolkit.analytics.live_summary`, where the dollar column is ``payout_usd``), so
    money per session is computed one way everywhere.
    """
    return [diamonds_from_coins(coins, rates).alias("diamonds"),
            creator_usd_from_coins(coins, rates).alias(usd)]


@dataclass(frozen=True)
class MoneyFlow:
    """One viewer purchase followed all the way to the creator.

    All dollar amounts are exact. ``viewer_paid_usd == creator_usd + platform_usd``.
    """

    rates: Rates
    coins_wanted: int
    packs: tuple[tuple[int, int], ...]
    coins: int
    viewer_paid_usd: Decimal
    diamonds: int
    creator_usd: Decimal
    platform_usd: Decimal

    @property
    def creator_share(self) -> Fraction:
        """Creator's dollars as an exact fraction of what the viewer paid (0 if nothing paid)."""
        if not self.viewer_paid_usd:
            return Fraction(0)
        return Fraction(self.creator_usd) / Fraction(self.viewer_paid_usd)

    def table(self) -> pl.DataFrame:
        """The flow as rows (``step``, ``usd``) for a waterfall chart."""
        return pl.DataFrame(
            {
                "step": ["viewer pays", "platform and app stores keep", "creator is paid"],
                "usd": [self.viewer_paid_usd, -self.platform_usd, self.creator_usd],
            },
            schema={"step": pl.String, "usd": pl.Decimal(38, 6)},
        )


def money_flow(coins: int, rates: Rates) -> MoneyFlow:
    """Follow a viewer who buys at least ``coins`` coins and gifts them all.

    The viewer buys the cheapest mix of packages in ``rates.coin_channel`` and sends every
    coin bought as gifts; the creator is credited Diamonds and cashes them out.

    Parameters
    ----------
    coins : int
        Coins the viewer wants to gift (>= 0).
    rates : Rates
    """
    purchase = cheapest_purchase(coins, rates.coin_channel)
    diamonds = int(diamonds_from_coins(purchase.coins_bought, rates))
    creator = usd_from_diamonds(diamonds, rates)
    assert isinstance(creator, Decimal)
    return MoneyFlow(
        rates=rates,
        coins_wanted=purchase.coins_wanted,
        packs=purchase.packs,
        coins=purchase.coins_bought,
        viewer_paid_usd=purchase.price_usd,
        diamonds=diamonds,
        creator_usd=creator,
        platform_usd=purchase.price_usd - creator,
    )


def session_money(
    events: FrameT, rates: Rates, by: str | list[str] = "session_id"
) -> FrameT:
    """Money per session (or per any grouping) from a canonical events table.

    Only ``gift`` rows count; hearts, comments and every other kind are ignored by design.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table (see :mod:`toolkit.events`); needs ``kind``, ``count``,
        ``coins`` and the ``by`` columns.
    rates : Rates
    by : str or list of str
        Grouping columns.

    Returns
    -------
    Same kind of frame as ``events``
        ``by`` columns, ``gifts`` (gifts sent, streaks counted in full), ``coins``,
        ``viewer_usd`` (coins valued at the best price per coin of ``rates.coin_channel``),
        ``diamonds``, ``creator_usd`` and ``platform_usd = viewer_usd - creator_usd``.
        Sessions without gifts appear with zeros.
    """
    is_gift = pl.col("kind") == "gift"
    grouped = (
        events.group_by(by)
        .agg(
            gifts=pl.col("count").filter(is_gift).sum(),
            coins=pl.col("coins").filter(is_gift).sum(),
        )
        .with_columns(pl.col("gifts", "coins").cast(pl.Int64))
    )
    return grouped.with_columns(*gift_money(pl.col("coins"), rates)).with_columns(
        viewer_usd=coin_value_usd(pl.col("coins"), rates.coin_channel),
    ).select(*([by] if isinstance(by, str) else by), "gifts", "coins", "viewer_usd",
             "diamonds", "creator_usd",
             platform_usd=pl.col("viewer_usd") - pl.col("creator_usd")).sort(by)


def cashout_schedule(
    diamonds: int, rates: Rates, start: dt.date = dt.date(2026, 1, 1)
) -> pl.DataFrame:
    """Withdrawals that empty a Diamond balance as fast as the rules allow.

    One withdrawal per calendar day, at most ``rates.cashout_daily_cap_usd``, none below
    ``rates.cashout_minimum_usd``; each is paid ``rates.payout_days`` days after the request.
    A remainder below the minimum stays in the balance.

    Parameters
    ----------
    diamonds : int
        Diamond balance.
    rates : Rates
    start : datetime.date
        Day of the first request.

    Returns
    -------
    polars.DataFrame
        ``request_date``, ``paid_by`` (date), ``usd`` (Decimal), ``balance_after_usd``.
        Empty when the balance is below the minimum.
    """
    balance = check_count(diamonds, "diamonds") * micros(rates.usd_per_diamond)
    cap, minimum = micros(rates.cashout_daily_cap_usd), micros(rates.cashout_minimum_usd)
    full_days, rest = divmod(balance, cap)
    amounts = [cap] * full_days + ([rest] if rest and rest >= minimum else [])
    days = [start + dt.timedelta(days=i) for i in range(len(amounts))]
    after = [balance - paid for paid in itertools.accumulate(amounts)]
    return pl.DataFrame(
        {
            "request_date": days,
            "paid_by": [d + dt.timedelta(days=rates.payout_days) for d in days],
            "usd": [usd(a) for a in amounts],
            "balance_after_usd": [usd(a) for a in after],
        },
        schema={
            "request_date": pl.Date,
            "paid_by": pl.Date,
            "usd": pl.Decimal(38, 6),
            "balance_after_usd": pl.Decimal(38, 6),
        },
    )


def compare_rates(coins: int, names: Iterable[str] = RATE_PRESETS) -> pl.DataFrame:
    """The money flow of ``coins`` coins under several named rate sets, one row each.

    Returns
    -------
    polars.DataFrame
        ``rates``, ``diamonds_per_coin`` (text), ``usd_per_diamond``, ``coin_channel``,
        ``viewer_usd``, ``diamonds``, ``creator_usd``, ``platform_usd`` (exact decimals) and
        ``creator_share`` (creator's dollars / viewer's dollars, a float for display).
    """
    flows = [money_flow(coins, rates(name)) for name in names]
    return pl.DataFrame(
        {
            "rates": [f.rates.name for f in flows],
            "diamonds_per_coin": [str(f.rates.diamonds_per_coin) for f in flows],
            "usd_per_diamond": [f.rates.usd_per_diamond for f in flows],
            "coin_channel": [f.rates.coin_channel for f in flows],
            "viewer_usd": [f.viewer_paid_usd for f in flows],
            "diamonds": [f.diamonds for f in flows],
            "creator_usd": [f.creator_usd for f in flows],
            "platform_usd": [f.platform_usd for f in flows],
            "creator_share": [float(f.creator_share) for f in flows],
        },
        schema_overrides={
            "usd_per_diamond": pl.Decimal(38, 6), "viewer_usd": pl.Decimal(38, 6),
            "creator_usd": pl.Decimal(38, 6), "platform_usd": pl.Decimal(38, 6),
        },
    )


def usd_per_diamond_sweep(
    coins: int, values: Sequence[Decimal | str], base: Rates | None = None
) -> pl.DataFrame:
    """The money flow of ``coins`` coins for each dollars-per-Diamond rate in ``values``.

    Returns
    -------
    polars.DataFrame
        ``usd_per_diamond``, ``viewer_usd``, ``creator_usd``, ``platform_usd`` (exact).
    """
    base = rates() if base is None else base
    flows = [money_flow(coins, base.replace(usd_per_diamond=Decimal(str(v)))) for v in values]
    return pl.DataFrame(
        {
            "usd_per_diamond": [f.rates.usd_per_diamond for f in flows],
            "viewer_usd": [f.viewer_paid_usd for f in flows],
            "creator_usd": [f.creator_usd for f in flows],
            "platform_usd": [f.platform_usd for f in flows],
        },
        schema=dict.fromkeys(
            ("usd_per_diamond", "viewer_usd", "creator_usd", "platform_usd"), pl.Decimal(38, 6)
        ),
    )
