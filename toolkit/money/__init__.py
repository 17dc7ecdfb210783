"""The platform's money rules: what viewers pay, what creators get, what regular videos pay.

Modules:

- :mod:`toolkit.money.reference`: the reference tables in ``data/reference`` (typed, checked,
  with sources)
- :mod:`toolkit.money.coins`: the viewer's side: coin packages, the exact cheapest purchase,
  gift prices
- :mod:`toolkit.money.payout`: the creator's side: ``Rates``, Diamonds, dollars, cash-out, the
  money flow
- :mod:`toolkit.money.rewards`: pay for regular videos (qualified views x RPM)

The names below are the public API; import them from here.
"""

from __future__ import annotations

from toolkit.money.coins import (
    Gift,
    Purchase,
    best_unit_price,
    cheapest_purchase,
    coin_value_usd,
    find_gift,
    gift_coins,
    gift_cost,
    packages,
    price_gift_events,
    usd_cost_of_coins,
)
from toolkit.money.payout import (
    RATE_PRESETS,
    MoneyFlow,
    Rates,
    cashout_schedule,
    compare_rates,
    creator_usd_from_coins,
    diamonds_from_coins,
    gift_money,
    money_flow,
    rates,
    session_money,
    usd_from_diamonds,
    usd_per_diamond_sweep,
)
from toolkit.money.reference import (
    CHANNELS,
    coin_packages,
    creator_rewards,
    gift_catalogue,
    platform_rates,
)
from toolkit.money.rewards import (
    PROGRAMS,
    ProgramTerms,
    creator_rewards_usd,
    program_terms,
    rewards_eligible,
)

__all__ = [
    "coin_packages",
    "gift_catalogue",
    "platform_rates",
    "creator_rewards",
    "CHANNELS",
    "Purchase",
    "Gift",
    "packages",
    "best_unit_price",
    "cheapest_purchase",
    "usd_cost_of_coins",
    "coin_value_usd",
    "find_gift",
    "gift_coins",
    "gift_cost",
    "price_gift_events",
    "Rates",
    "RATE_PRESETS",
    "rates",
    "MoneyFlow",
    "diamonds_from_coins",
    "usd_from_diamonds",
    "creator_usd_from_coins",
    "gift_money",
    "money_flow",
    "session_money",
    "cashout_schedule",
    "compare_rates",
    "usd_per_diamond_sweep",
    "PROGRAMS",
    "ProgramTerms",
    "program_terms",
    "creator_rewards_usd",
    "rewards_eligible",
]
