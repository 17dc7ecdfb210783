"""Pay for regular videos (C12): qualified views x RPM, exact; likes are not an input."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.money import rewards


def test_central_rpm_pays_seventy_cents_per_thousand_views() -> None:
    assert rewards.creator_rewards_usd(1_000) == Decimal("0.70")
    assert rewards.creator_rewards_usd(250_000) == Decimal("175")
    assert rewards.creator_rewards_usd(1_000, program="creator_fund") == Decimal("0.03")
    assert rewards.creator_rewards_usd(1, rpm_usd="0.40") == Decimal("0.0004")


@given(st.lists(st.integers(0, 10**10), min_size=1, max_size=20))
def test_column_and_single_values_agree(views: list[int]) -> None:
    column = rewards.creator_rewards_usd(pl.Series(views))
    assert column.to_list() == [rewards.creator_rewards_usd(v) for v in views]


def test_eligibility_thresholds() -> None:
    assert rewards.rewards_eligible(10_000, 100_000, 61)
    assert not rewards.rewards_eligible(9_999, 100_000, 61)
    assert not rewards.rewards_eligible(10_000, 99_999, 61)
    assert not rewards.rewards_eligible(10_000, 100_000, 60)  # "over 1 minute"
    assert rewards.rewards_eligible(10_000, 100_000, 10, program="creator_fund")


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="qualified_views must not be negative"):
        rewards.creator_rewards_usd(-1)
    with pytest.raises(ValueError, match="rpm_usd must not be negative"):
        rewards.creator_rewards_usd(10, rpm_usd="-1")
    with pytest.raises(ValueError, match="program must be one of"):
        rewards.creator_rewards_usd(10, program="live_hearts_fund")
