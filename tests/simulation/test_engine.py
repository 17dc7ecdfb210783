"""The LIVE simulator: determinism, validity, calibration, and worlds that differ only where
they should."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from toolkit import analytics, events, money, simulation
from toolkit.events import Dataset
from toolkit.money import coins
from toolkit.simulation import worlds
from toolkit.simulation.schedule import draw_sessions
from toolkit.simulation.visibility import NORMS, engagement_index, heart_ratio


@pytest.fixture(scope="module")
def baseline() -> Dataset:
    return simulation.simulate(worlds.world(), 400, np.random.default_rng(11))


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    first = simulation.simulate(worlds.world(), 60, np.random.default_rng(5))
    again = simulation.simulate(worlds.world(), 60, np.random.default_rng(5))
    other = simulation.simulate(worlds.world(), 60, np.random.default_rng(6))
    for name in ("events", "platform", "sessions", "viewers"):
        assert first.table(name).equals(again.table(name)), name
    assert not first.table("events").equals(other.table("events"))


def test_events_follow_the_canonical_table(baseline: Dataset) -> None:
    assert dict(baseline.table("events").schema) == events.EVENTS_SCHEMA
    assert events.validate(baseline.table("events")).is_empty()
    assert set(baseline.table("events")["kind"].unique()) == set(events.KINDS)


def test_every_session_has_a_viewer_count_each_minute(baseline: Dataset) -> None:
    snapshots = baseline.table("events").filter(kind="viewers").group_by("session_id").len()
    expected = baseline.table("sessions").select("session_id", len="duration_minutes")
    joined = expected.join(snapshots, on="session_id", suffix="_seen")
    assert joined.height == baseline.table("sessions").height
    assert (joined["len"] == joined["len_seen"]).all()


def test_gift_coins_are_catalogue_price_times_count(baseline: Dataset) -> None:
    gifts = baseline.table("events").filter(kind="gift")
    priced = coins.price_gift_events(gifts.drop("coins"))
    assert priced["coins"].equals(gifts["coins"])
    streaks = gifts.join(
        coins.reference.gift_catalogue().select("gift_id", "streakable"), on="gift_id"
    )
    assert (streaks.filter(~pl.col("streakable"))["count"] == 1).all()
    assert streaks.filter(pl.col("streakable"))["count"].max() > 1


def test_money_from_simulated_gifts_matches_the_money_flow(baseline) -> None:
    rates = money.rates()
    summary = analytics.live_summary(baseline.table("events"), rates)
    by_session = money.session_money(baseline.table("events"), rates)
    assert summary["coins"].equals(by_session["coins"])
    assert summary["payout_usd"].to_list() == [
        money.creator_usd_from_coins(int(c), rates) for c in summary["coins"]
    ]


def test_calibration_targets(baseline: Dataset) -> None:
    """Simulated aggregates match their parameters within stated tolerances."""
    w = worlds.world()
    real = baseline.table("viewers").filter(~pl.col("is_bot"))
    # the share of viewers who are gifters: binomial, +-3 standard errors
    share, n = real["is_gifter"].mean(), real.height
    assert abs(share - w.gifter_share) < 3 * np.sqrt(w.gifter_share * (1 - w.gifter_share) / n)
    # mean taps per heart event: geometric with mean taps_per_batch_mean, within 3 %
    batch = baseline.table("events").filter(kind="heart")["count"].mean()
    assert abs(batch / w.taps_per_batch_mean - 1) < 0.03
    # concentration: the top 20 % of gifting viewers give most of the coin value
    per_gifter = (baseline.table("events").filter(kind="gift").group_by("user_id")
                  .agg(pl.col("coins").sum())["coins"].sort(descending=True))
    top = per_gifter[: max(1, len(per_gifter) // 5)].sum() / per_gifter.sum()
    assert top > 0.6
    # only gifters gift, and no bot does anything but join and tap
    gifting = set(baseline.table("events").filter(kind="gift")["user_id"].unique())
    assert gifting <= set(real.filter("is_gifter")["user_id"])


def test_bots_only_join_and_tap() -> None:
    sim = simulation.simulate(worlds.world("bought_hearts"), 80, np.random.default_rng(2))
    bots = sim.table("viewers").filter("is_bot")
    assert bots.height > 0
    assert set(sim.table("sessions").filter("botted")["session_id"]) >= set(bots["session_id"])
    acted = sim.table("events").join(bots.select("user_id"), on="user_id")
    assert set(acted["kind"].unique()) <= {"join", "heart"}


def test_presets_differ_from_baseline_only_in_their_parameters() -> None:
    base = dataclasses.asdict(worlds.world())
    for name, (changes, _) in worlds.PRESETS.items():
        other = dataclasses.asdict(worlds.world(name))
        differing = {k for k in base if k != "name" and base[k] != other[k]}
        assert differing == {k for k, v in changes.items() if base[k] != v}, name


def test_passive_hearts_do_not_move_visibility() -> None:
    """C2 world: the same sessions and seed with far more hearts give the same platform."""
    w = worlds.world("passive_hearts")
    sessions = draw_sessions(w, 120, np.random.default_rng(0))
    calm = simulation.simulate_sessions(w, sessions, np.random.default_rng(9))
    eager = simulation.simulate_sessions(
        w.replace(tap_sessions_per_minute=0.9, taps_per_batch_mean=20.0), sessions,
        np.random.default_rng(9),
    )
    assert calm.table("platform").equals(eager.table("platform"))
    not_hearts = pl.col("kind") != "heart"
    assert calm.table("events").filter(not_hearts).equals(eager.table("events").filter(not_hearts))
    assert eager.table("events").filter(kind="heart")["count"].sum() > 3 * calm.table("events").filter(
        kind="heart")["count"].sum()


def test_when_hearts_feed_visibility_more_hearts_bring_more_viewers() -> None:
    """C7, C13 world: same sessions and seed, more tapping -> higher score, more joins."""
    w = worlds.world("hearts_feed_visibility")
    sessions = draw_sessions(w, 120, np.random.default_rng(0))
    calm = simulation.simulate_sessions(w, sessions, np.random.default_rng(9))
    eager = simulation.simulate_sessions(w.replace(tap_sessions_per_minute=0.6), sessions,
                                       np.random.default_rng(9))
    assert eager.table("platform")["visibility"].mean() > calm.table("platform")["visibility"].mean() + 0.3
    assert eager.table("platform")["joins"].sum() > 1.5 * calm.table("platform")["joins"].sum()


def _index(world: worlds.World, hearts_per_step: list[float]) -> float:
    """Engagement index of ten viewers whose other signals are exactly at the norms."""
    minutes = 10 * NORMS.step_seconds / 60.0  # ten viewers for one step
    one = np.ones(1)
    ratios = np.array([[heart_ratio(world, np.array([h]), minutes * one)[0]
                        for h in hearts_per_step]])
    expected_stay = 10 * np.exp(-NORMS.step_seconds / 60.0 / NORMS.stay_minutes_mean)
    return float(engagement_index(
        world, ratios, 0.08 * minutes * one, 0.005 * minutes * one, 0.02 * minutes * one,
        expected_stay * one, 10 * one, minutes * one,
    )[0])


def test_engagement_index_rules_per_world() -> None:
    norm = 0.3 * 8 * 10 * NORMS.step_seconds / 60  # hearts of ten viewers tapping at the norm
    steady, burst, few = [3 * norm] * 3, [0.0, 0.0, 9 * norm], [norm / 2] * 3
    passive = worlds.world("passive_hearts")
    assert _index(passive, steady) == _index(passive, burst) == _index(passive, few)
    assert _index(passive, steady) == pytest.approx(0, abs=1e-12)
    feed = worlds.world("hearts_feed_visibility")
    assert _index(feed, steady) > _index(feed, few)
    assert _index(feed, burst) == pytest.approx(_index(feed, steady))  # only the number counts
    wins = worlds.world("steady_hearts_win")
    assert _index(wins, burst) < _index(wins, steady)  # the same hearts count less in a burst
    # a LIVE tapping steadily at the norm scores 0 in every world
    for name in worlds.world_names():
        assert _index(worlds.world(name), [norm] * 3) == pytest.approx(0, abs=1e-12)


def test_gift_feedback_sign_matches_the_world() -> None:
    sessions = draw_sessions(worlds.world(), 300, np.random.default_rng(4))
    gifts = {}
    for name in ("herding", "no_gift_feedback", "crowding_out"):
        sim = simulation.simulate_sessions(worlds.world(name), sessions, np.random.default_rng(8))
        gifts[name] = sim.table("events").filter(kind="gift").height
    assert gifts["herding"] > gifts["no_gift_feedback"] > gifts["crowding_out"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("join_probability", 1.2, r"a number in \[0, 1\]. Got 1.2 instead."),
        ("gifter_share", -0.1, r"a number in \[0, 1\]"),
        ("comments_per_minute", -1.0, r"a finite number >= 0"),
        ("stay_minutes_mean", 0.0, r"a finite number > 0"),
        ("taps_per_batch_mean", 0.5, r"a finite number >= 1"),
        ("gift_excitation", -1.0, r"a number > -1"),
        ("step_seconds", 7, r"a whole number that divides 60"),
        ("heart_weight", float("nan"), r"a finite number. Got nan"),
        ("followers_median", "many", r"a finite number > 0. Got 'many'"),
    ],
)
def test_bad_parameters_name_the_parameter(field: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=rf"The '{field}' field of World must be {message}"):
        worlds.World().replace(**{field: value})


def test_unknown_world_is_refused() -> None:
    with pytest.raises(ValueError, match="world must be one of"):
        worlds.world("utopia")


def test_zero_sessions_give_empty_tables() -> None:
    sim = simulation.simulate(worlds.world(), 0, np.random.default_rng(1))
    assert sim.table("events").is_empty() and dict(sim.table("events").schema) == events.EVENTS_SCHEMA
    assert sim.table("platform").is_empty() and sim.table("sessions").is_empty()


def test_an_empty_gift_catalogue_is_refused(data_copy) -> None:
    path = data_copy / "reference" / "gift_catalogue.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(ValueError, match="gift catalogue is empty"):
        simulation.simulate(worlds.world(), 3, np.random.default_rng(0))


def test_experiment_and_naive_effects_come_out_in_per_cent_two_rows_a_world() -> None:
    from toolkit.simulation.experiments import effects_in_percent
    results = pl.DataFrame({"world": ["b", "a"], "randomised": [0.1, -0.2],
                            "randomised_low": [0.05, -0.3], "randomised_high": [0.15, -0.1],
                            "naive": [2.0, 1.5], "naive_low": [1.0, 1.2], "naive_high": [3.0, 1.8]})
    out = effects_in_percent(results)
    assert out["label"].to_list() == ["a: experiment", "a: naive look", "b: experiment",
                                      "b: naive look"]
    assert out["effect"].to_list() == pytest.approx([-20.0, 150.0, 10.0, 200.0])
    assert out.row(0)[1:] == pytest.approx((-20.0, -30.0, -10.0))
    assert out.filter(pl.col("label") == "b: naive look").select("low", "high").row(0) == \
        pytest.approx((100.0, 300.0))
