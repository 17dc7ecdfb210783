"""The viewer's side: cheapest purchases, gift prices, coin values."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.money import coins, reference


@cache
def brute_force_cents(n: int, channel: str) -> list[int]:
    """Cheapest cost (cents) of at least k coins for every k <= n, by plain DP."""
    table = coins.packages(channel)
    packs = [(int(s), int(p * 100)) for s, p in zip(table["coins"], table["price_usd"], strict=True)]
    best = [0] * (n + 1)
    for k in range(1, n + 1):
        best[k] = min(price + best[max(k - size, 0)] for size, price in packs)
    return best


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 3_000), channel=st.sampled_from(reference.CHANNELS))
def test_cheapest_purchase_equals_brute_force(n: int, channel: str) -> None:
    purchase = coins.cheapest_purchase(n, channel)
    assert purchase.price_usd * 100 == brute_force_cents(3_000, channel)[n]
    assert purchase.coins_bought >= n
    assert purchase.coins_bought == sum(size * k for size, k in purchase.packs)
    table = dict(coins.packages(channel).select("coins", "price_usd").iter_rows())
    assert purchase.price_usd == sum(table[size] * k for size, k in purchase.packs)


def test_cheapest_purchase_examples() -> None:
    assert coins.cheapest_purchase(0).price_usd == 0
    assert coins.cheapest_purchase(70).packs == ((70, 1),)
    # 2 x 70 coins ($1.98) is cheaper than one pack of 350 ($4.99)
    assert coins.cheapest_purchase(100).price_usd == Decimal("1.98")
    # the old list rewards bigger packs: 5,000 coins mixes two sizes
    old = coins.cheapest_purchase(5_000, "in_app_2023")
    assert old.packs == ((330, 12), (65, 16)) and old.price_usd == Decimal("75.72")
    assert coins.cheapest_purchase(100, "web").price_usd == Decimal("1.48")


def test_large_purchase_is_exact_and_fast_enough() -> None:
    purchase = coins.cheapest_purchase(10_000_000)
    assert purchase.coins_bought - purchase.coins_wanted < 70
    assert purchase.price_usd == Decimal("0.99") * (purchase.coins_bought // 70)


@pytest.mark.parametrize("bad", [-1, 1.5, 3.0, "10", True, None])
def test_bad_coin_counts_name_the_field(bad) -> None:
    with pytest.raises(ValueError, match="coins"):
        coins.cheapest_purchase(bad)


def test_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="channel must be one of"):
        coins.packages("moon")


def test_best_unit_price_is_exact() -> None:
    assert coins.best_unit_price("in_app") == Fraction(99, 7000)
    assert coins.best_unit_price("web") == Fraction(74, 7000)


def test_usd_cost_of_coins_on_a_column_matches_one_by_one() -> None:
    values = pl.Series("coins", [0, 1, 100, 100, 29_999])
    column = coins.usd_cost_of_coins(values)
    assert column.to_list() == [coins.usd_cost_of_coins(int(v)) for v in values]


@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=30),
       st.sampled_from(reference.CHANNELS))
def test_coin_value_column_equals_scalar(values: list[int], channel: str) -> None:
    column = coins.coin_value_usd(pl.Series(values), channel)
    assert column.to_list() == [coins.coin_value_usd(v, channel) for v in values]


def test_coin_value_rounds_once_half_up() -> None:
    # 1 coin at 99/7000 dollars = 0.0141428571... -> 0.014143
    assert coins.coin_value_usd(1) == Decimal("0.014143")
    assert coins.coin_value_usd(7_000) == Decimal("99")


def test_gift_lookup_by_id_and_name() -> None:
    assert coins.find_gift(5655).name == "Rose"
    assert coins.find_gift("rose").gift_id == 5655
    assert coins.find_gift(" Lion ").coins == 29_999
    assert coins.gift_coins([("Rose", 10), "Money Gun", (6369, 2)]) == 10 + 500 + 2 * 29_999


@pytest.mark.parametrize(
    ("gift", "message"),
    [("Galaxy", "not in the gift catalogue"), (1, "gift_id 1 is not in"),
     ("Heart", "ambiguous"), (2.0, "must be an id")],
)
def test_bad_gifts_are_refused(gift, message) -> None:
    with pytest.raises(ValueError, match=message):
        coins.find_gift(gift)


def test_gift_cost_buys_the_cheapest_mix() -> None:
    lion = coins.gift_cost("Lion")
    assert lion.coins_wanted == 29_999 and lion.price_usd == Decimal("424.71")


def test_price_gift_events_multiplies_price_by_count() -> None:
    frame = pl.DataFrame({"gift_id": [5655, None, 6369], "count": [5, 3, 2]})
    assert coins.price_gift_events(frame)["coins"].to_list() == [5, 0, 59_998]
    lazy = coins.price_gift_events(frame.lazy()).collect()
    assert lazy["coins"].to_list() == [5, 0, 59_998]
    unknown = pl.LazyFrame({"gift_id": [5655, 1], "count": [1, 1]})
    assert coins.price_gift_events(unknown).collect()["coins"].to_list() == [1, None]


def test_price_gift_events_refuses_unknown_ids() -> None:
    with pytest.raises(ValueError, match=r"unknown gift id\(s\) \[1, 2\]"):
        coins.price_gift_events(pl.DataFrame({"gift_id": [1, 2, 5655], "count": [1, 1, 1]}))


def direct_milp_cents(n: int, channel: str) -> int:
    """The cheapest cost (cents) of at least n coins by one integer programme over all packs
    (exact while the coins stay far below 2^53)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    table = coins.packages(channel)
    sizes = table["coins"].to_numpy().astype(float)
    cents = np.array([int(p * 100) for p in table["price_usd"]], dtype=float)
    result = milp(c=cents, constraints=LinearConstraint(sizes[np.newaxis, :], lb=n, ub=np.inf),
                  integrality=np.ones(len(sizes)), bounds=Bounds(0, np.inf),
                  options={"mip_rel_gap": 0.0})
    return int(round(float(cents @ np.rint(result.x))))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1_000_000, 40_000_000), channel=st.sampled_from(reference.CHANNELS))
def test_fixing_the_best_priced_packs_keeps_the_cheapest_mix(n: int, channel: str) -> None:
    purchase = coins.cheapest_purchase(n, channel)
    assert purchase.price_usd * 100 == direct_milp_cents(n, channel)
    assert purchase.coins_bought >= n


def test_huge_purchases_stay_exact_up_to_the_bound() -> None:
    from toolkit.money.payout import money_flow, rates

    for n in (6 * 10**17, 10**18 - 1, coins.MAX_COINS):  # past 2^53 and int64 products
        purchase = coins.cheapest_purchase(n)
        assert 0 <= purchase.coins_bought - n < 70
        assert purchase.price_usd == Decimal("0.99") * (purchase.coins_bought // 70)
        flow = money_flow(n, rates("reference"))
        assert flow.viewer_paid_usd == purchase.price_usd and flow.creator_usd > 0
    with pytest.raises(ValueError, match="at most 1,000,000,000,000,000,000"):
        coins.cheapest_purchase(coins.MAX_COINS + 1)
