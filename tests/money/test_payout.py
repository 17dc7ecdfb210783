"""The creator's side of the money flow, its rates, cash-out and the invariants of C6/C10."""

from __future__ import annotations

import datetime as dt
import inspect
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import money
from toolkit.events.reading import example_session
from toolkit.events.schema import EVENTS_SCHEMA
from toolkit.money import coins, rewards

REFERENCE = money.rates()
presets = st.sampled_from(money.RATE_PRESETS).map(money.rates)


def test_reference_rates_come_from_the_table() -> None:
    assert REFERENCE.diamonds_per_coin == 1
    assert REFERENCE.usd_per_diamond == Decimal("0.005")
    assert REFERENCE.cashout_minimum_usd == Decimal("10")
    assert REFERENCE.cashout_daily_cap_usd == Decimal("1000")
    assert REFERENCE.payout_days == 15


def test_disputed_conversion_claims_are_presets() -> None:
    two = money.rates("two_coins_per_diamond")
    assert two.diamonds_per_coin == Fraction(1, 2)
    # itechpost's example: Drama Queen, 5,000 coins -> 2,500 Diamonds -> $12.50
    assert money.diamonds_from_coins(5_000, two) == 2_500
    assert money.creator_usd_from_coins(5_000, two) == Decimal("12.50")
    # the reference: 100 Diamonds = $0.50
    assert money.usd_from_diamonds(100, REFERENCE) == Decimal("0.50")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("diamonds_per_coin", 0, r"a number in \(0, 1\]. Got Fraction\(0, 1\)"),
        ("diamonds_per_coin", 1.5, r"a number in \(0, 1\]. Got Fraction\(3, 2\)"),
        ("diamonds_per_coin", "x", "a number"),
        ("usd_per_diamond", -0.005, "a number > 0"),
        ("usd_per_diamond", 0, "a number > 0"),
        ("usd_per_diamond", "0.0000001", "a whole number of micro-dollars"),
        ("cashout_minimum_usd", 5000, "at most cashout_daily_cap_usd"),
        ("payout_days", -1, "a whole number >= 0. Got -1"),
        ("coin_channel", "moon", "one of 'in_app'"),
    ],
)
def test_bad_rates_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=rf"The '{field}' field of Rates must be {message}"):
        REFERENCE.replace(**{field: value})


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(ValueError, match="rates name must be one of"):
        money.rates("generous")


def test_a_float_rate_is_read_as_typed() -> None:
    assert REFERENCE.replace(diamonds_per_coin=0.5).diamonds_per_coin == Fraction(1, 2)
    assert REFERENCE.replace(usd_per_diamond=0.005).usd_per_diamond == Decimal("0.005")


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 200_000), rates=presets)
def test_spend_equals_creator_payout_plus_platform_take(n: int, rates: money.Rates) -> None:
    flow = money.money_flow(n, rates)
    assert flow.viewer_paid_usd == flow.creator_usd + flow.platform_usd
    # each part computed on its own path: the purchase, and Diamonds x rate
    assert flow.viewer_paid_usd == coins.cheapest_purchase(n, rates.coin_channel).price_usd
    assert flow.creator_usd == Decimal(flow.diamonds) * rates.usd_per_diamond
    assert flow.diamonds == int(flow.coins * rates.diamonds_per_coin)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 200_000))
def test_with_reference_rates_the_creator_gets_less_than_the_viewer_paid(n: int) -> None:
    for name in ("reference", "two_coins_per_diamond", "web_coins"):
        flow = money.money_flow(n, money.rates(name))
        assert 0 < flow.creator_usd < flow.viewer_paid_usd


def test_outlier_rates_would_pay_the_creator_more_than_the_viewer_spent() -> None:
    for name in ("fifty_diamonds_per_dollar", "five_cents_per_diamond"):
        assert money.money_flow(1_000, money.rates(name)).platform_usd < 0


@given(a=st.integers(0, 10**9), b=st.integers(0, 10**9), rates=presets)
def test_payouts_grow_with_gifts(a: int, b: int, rates: money.Rates) -> None:
    low, high = sorted((a, b))
    assert money.creator_usd_from_coins(low, rates) <= money.creator_usd_from_coins(high, rates)
    assert money.diamonds_from_coins(high, rates) - money.diamonds_from_coins(low, rates) <= (
        high - low
    )


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=20), presets)
def test_columns_and_single_values_agree(values: list[int], rates: money.Rates) -> None:
    series = pl.Series(values)
    assert money.diamonds_from_coins(series, rates).to_list() == [
        money.diamonds_from_coins(v, rates) for v in values
    ]
    assert money.usd_from_diamonds(series, rates).to_list() == [
        money.usd_from_diamonds(v, rates) for v in values
    ]


@pytest.mark.parametrize("bad", [-5, 2.5, True])
def test_bad_coins_and_diamonds_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="coins"):
        money.diamonds_from_coins(bad, REFERENCE)
    with pytest.raises(ValueError, match="diamonds"):
        money.usd_from_diamonds(bad, REFERENCE)
    with pytest.raises(ValueError, match="coins must not be negative"):
        money.diamonds_from_coins(pl.Series([1, -1]), REFERENCE)


def _random_hearts(n: int, taps: int) -> pl.DataFrame:
    ts = dt.datetime(2026, 3, 14, 19, 10, tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "session_id": ["example-001"] * n,
            "ts": [ts] * n,
            "kind": ["heart"] * n,
            "user_id": [f"h{i}" for i in range(n)],
            "count": [taps] * n,
            "gift_id": [None] * n,
            "coins": [0] * n,
        },
        schema=EVENTS_SCHEMA,
    )


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 50), taps=st.integers(1, 10_000), rates=presets)
def test_hearts_change_no_money_total(n: int, taps: int, rates: money.Rates) -> None:
    """C6, C10: adding any number of hearts leaves every money column unchanged."""
    events = example_session()
    more_hearts = pl.concat([events, _random_hearts(n, taps)])
    no_hearts = events.filter(pl.col("kind") != "heart")
    expected = money.session_money(events, rates)
    assert money.session_money(more_hearts, rates).equals(expected)
    assert money.session_money(no_hearts, rates).equals(expected)


def test_session_money_of_the_example() -> None:
    row = money.session_money(example_session(), REFERENCE).row(0, named=True)
    assert row["gifts"] == 20 and row["coins"] == 651 and row["diamonds"] == 651
    assert row["creator_usd"] == Decimal("3.255")
    assert row["viewer_usd"] == coins.coin_value_usd(651)
    assert row["viewer_usd"] == row["creator_usd"] + row["platform_usd"]


def test_session_money_is_lazy_friendly() -> None:
    lazy = money.session_money(example_session().lazy(), REFERENCE)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(money.session_money(example_session(), REFERENCE))


def test_no_money_function_takes_hearts_or_likes() -> None:
    """C6, C10, C12: hearts and likes are not a parameter of any money formula."""
    modules = (money, coins, rewards)
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            params = " ".join(inspect.signature(function).parameters)
            assert "heart" not in params and "like" not in params, f"{module.__name__}.{name}"


def test_cashout_respects_the_daily_cap_and_payout_delay() -> None:
    schedule = money.cashout_schedule(500_000, REFERENCE, start=dt.date(2026, 1, 1))
    assert schedule["usd"].to_list() == [Decimal(1000), Decimal(1000), Decimal(500)]
    assert schedule["request_date"].to_list() == [
        dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)
    ]
    assert (schedule["paid_by"] - schedule["request_date"]).dt.total_days().to_list() == [15] * 3
    assert schedule["balance_after_usd"][-1] == 0


@given(st.integers(0, 3_000_000), st.sampled_from(["reference", "hundred_dollar_minimum"]))
def test_cashout_pays_all_but_less_than_the_minimum(diamonds: int, name: str) -> None:
    rates = money.rates(name)
    schedule = money.cashout_schedule(diamonds, rates)
    balance = money.usd_from_diamonds(diamonds, rates)
    paid = sum(schedule["usd"].to_list(), Decimal(0))
    left = balance - paid
    assert 0 <= left < max(rates.cashout_minimum_usd, Decimal("0.000001"))
    assert all(rates.cashout_minimum_usd <= v <= rates.cashout_daily_cap_usd
               for v in schedule["usd"])


def test_a_balance_below_the_minimum_cannot_be_withdrawn() -> None:
    assert money.cashout_schedule(1_999, REFERENCE).is_empty()  # $9.995 < $10
    assert money.cashout_schedule(2_000, REFERENCE)["usd"].to_list() == [Decimal(10)]
