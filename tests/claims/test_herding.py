"""The herding test (toolkit.claims.herding): its pieces against hand counts and reference formulas,
and its behaviour on simulated worlds with and without gift excitation."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from toolkit.claims import herding
from toolkit.events import Dataset
from toolkit.events.schema import EVENTS_SCHEMA
from toolkit.simulation.engine import simulate
from toolkit.simulation.worlds import world

START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _events(rows: list[tuple[float, str, str | None, int]]) -> pl.DataFrame:
    """Events of one session from (second, kind, user, coins) rows."""
    return pl.DataFrame({
        "session_id": ["s1"] * len(rows),
        "ts": [START + timedelta(seconds=s) for s, _, _, _ in rows],
        "kind": [k for _, k, _, _ in rows],
        "user_id": [u for _, _, u, _ in rows],
        "count": [2 if k == "viewers" else 1 for _, k, _, _ in rows],
        "gift_id": [1 if k == "gift" else None for _, k, _, _ in rows],
        "coins": [c for _, _, _, c in rows],
    }, schema=EVENTS_SCHEMA)


HAND = _events([
    (0, "viewers", None, 0), (1, "join", "a", 0), (2, "join", "b", 0),
    (25, "gift", "a", 5), (50, "gift", "b", 1), (95, "gift", "a", 5),
    (150, "comment", "b", 0), (200, "heart", "a", 0),
])
NO_ACTIVITY = herding.HerdingDesign(activity_threshold=1e9)


def test_person_bins_by_hand() -> None:
    bins = herding.gifter_bins(HAND.lazy(), NO_ACTIVITY)
    a = bins.filter(pl.col("user_id") == "a")
    b = bins.filter(pl.col("user_id") == "b")
    # the bins of each user's first and last events are left out: a 1..19, b 1..14
    assert a["bin"].to_list() == list(range(1, 20)) and b["bin"].to_list() == list(range(1, 15))
    assert a.filter(pl.col("gave") == 1)["bin"].to_list() == [2, 9]
    assert b.filter(pl.col("gave") == 1)["bin"].to_list() == [5]
    # a is exposed in the 120 s after b's gift (bin 5): bins 6..17; its own gifts never count
    assert a.filter("exposed")["bin"].to_list() == list(range(6, 18))
    assert b.filter("exposed")["bin"].to_list() == list(range(3, 15))
    assert not bins["busy"].any()


def test_design_is_validated() -> None:
    with pytest.raises(ValueError, match="multiple of bin_seconds"):
        herding.HerdingDesign(window_seconds=125, recent_seconds=60)
    with pytest.raises(ValueError, match="recent_seconds"):
        herding.HerdingDesign(window_seconds=60, recent_seconds=120)
    with pytest.raises(ValueError, match="The .bin_seconds. field of HerdingDesign must be a "
                                         "whole number that divides 60. Got 0 instead."):
        herding.HerdingDesign(bin_seconds=0)


def test_mantel_haenszel_in_one_stratum_is_the_plain_rate_ratio() -> None:
    strata = pl.DataFrame({"session_id": ["s"], "stratum": [0], "n1": [6], "n0": [2],
                           "t1": [30], "t0": [40]})
    terms = herding.mantel_haenszel(strata)
    assert terms["a"][0] / terms["b"][0] == pytest.approx((6 / 30) / (2 / 40))
    assert herding.conditional_rate_ratio(strata) == pytest.approx(4.0, rel=1e-4)


def test_mantel_haenszel_and_conditional_mle_recover_a_common_rate_ratio() -> None:
    rng = np.random.default_rng(1)
    k, ratio = 4_000, 1.5
    t1, t0 = rng.integers(1, 12, k), rng.integers(1, 12, k)
    base = rng.lognormal(-3, 1, k)  # strata differ a lot in their base rate
    strata = pl.DataFrame({"session_id": [f"s{i % 200}" for i in range(k)],
                           "stratum": np.arange(k), "n1": rng.poisson(base * ratio * t1),
                           "n0": rng.poisson(base * t0), "t1": t1, "t0": t0})
    terms = herding.mantel_haenszel(strata)
    mh = terms["a"].sum() / terms["b"].sum()
    mle = herding.conditional_rate_ratio(strata)
    assert mh == pytest.approx(ratio, rel=0.1) and mle == pytest.approx(ratio, rel=0.1)
    assert mh == pytest.approx(mle, rel=0.03)


def test_no_excitation_is_not_detected_but_naive_clustering_is() -> None:
    events = simulate(world("no_gift_feedback"), 150, np.random.default_rng(2)).table("events")
    result = herding.herding_test(events, np.random.default_rng(3), n_resamples=300)
    assert result.p_value > 0.05 and result.low < 1 < result.high
    assert result.sessions > 100 and result.gift_bins > 1_000
    # the naive variance-to-mean test "finds" clustering in a world without excitation
    assert herding.naive_dispersion(events)["p_value"] < 1e-6


@pytest.mark.parametrize(("excitation", "direction", "sessions"), [(3.0, 1, 200), (-0.9, -1, 600)])
def test_strong_excitation_is_detected_with_its_sign(excitation: float, direction: int,
                                                     sessions: int) -> None:
    # crowding out is harder to see (fewer gifts, and a gifter's own gifts, which the test
    # leaves out, damp their rate too): more sessions, and only the sign is checked
    events = simulate(world("baseline").replace(gift_excitation=excitation), sessions,
                      np.random.default_rng(4)).table("events")
    result = herding.herding_test(events, np.random.default_rng(5), n_resamples=300)
    assert math.copysign(1, math.log(result.rate_ratio)) == direction
    if direction > 0:
        assert result.p_value < 0.01


def test_r1_evidence() -> None:
    data = simulate(world("baseline").replace(gift_excitation=3.0), 200, np.random.default_rng(6))
    evidence = herding.test_r1(data, np.random.default_rng(7))
    assert evidence.claim == "R1" and evidence.verdict == "supported"
    assert evidence.low < evidence.estimate < evidence.high and evidence.estimate > 1
    quiet = Dataset(events=HAND.lazy(), source="recorded")
    assert herding.test_r1(quiet, np.random.default_rng(0)).verdict == "skipped"


def test_integer_codes_give_the_same_terms_in_the_same_order() -> None:
    # herding_test groups by integer codes; the per-session terms (and so the bootstrap,
    # which resamples them by position) must equal those grouped by the string ids
    events = simulate(world("baseline"), 60, np.random.default_rng(8)).table("events")
    by_ids = herding.mantel_haenszel(herding.stratum_counts(herding.gifter_bins(events)))
    coded = herding._coded_bins(events, herding.HerdingDesign())[0]
    by_codes = herding.mantel_haenszel(herding.stratum_counts(
        coded.rename({"session": "session_id", "gifter": "user_id"})))
    assert by_ids.height == by_codes.height > 20
    for column in ("a", "b"):
        assert np.array_equal(by_ids[column].to_numpy(), by_codes[column].to_numpy())


def test_no_gifts_give_an_empty_table_with_the_columns() -> None:
    bins = herding.gifter_bins(HAND.filter(pl.col("kind") != "gift"))
    assert bins.is_empty() and bins.columns[:2] == ["session_id", "user_id"]
    assert bins.schema["session_id"] == pl.String and bins.schema["exposed"] == pl.Boolean
