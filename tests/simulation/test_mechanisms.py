"""The realistic mechanisms of the diagnosis's null worlds: each does what its name says, and
each is off in ``baseline`` (today's bundled data do not change)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from toolkit import simulation
from toolkit.analytics.minutes import live_minutes
from toolkit.events import Dataset
from toolkit.simulation import worlds
from toolkit.simulation.creators import _plan_week
from toolkit.simulation.schedule import audience_activity, draw_sessions

MECHANISMS = ("tap_speed_batches", "strong_long_moments", "unequal_tapping", "gift_battles",
              "gifter_groups", "cta_when_lively", "cta_when_dying", "cta_asks_comments",
              "heavy_quiet_tappers", "large_rooms", "quality_by_hour", "long_evenings",
              "weekend_evenings", "live_on_good_days", "correlated_views", "viral_days",
              "generous_weeks", "fan_budget")


def _sim(name: str, n: int = 150, seed: int = 3) -> Dataset:
    return simulation.simulate(worlds.world(name), n, np.random.default_rng(seed))


def _flagged_minutes(data: Dataset, flag: str) -> pl.DataFrame:
    minutes = live_minutes(data.events, complete=True)
    return minutes.join(data.table("platform").select("session_id", "minute", flag),
                        on=["session_id", "minute"])


def test_every_mechanism_is_off_in_baseline() -> None:
    base = worlds.world()
    for name in MECHANISMS:
        changes, _ = worlds.PRESETS[name]
        assert all(getattr(base, k) != v for k, v in changes.items()), name


def test_combined_worlds_add_changes_and_refuse_conflicts() -> None:
    both = worlds.world("passive_hearts+tap_speed_batches")
    assert both.heart_weight == 0.0 and both.batch_follows_tapping == 1.0
    assert "hearts play no part" in worlds.describe_world(both.name)
    with pytest.raises(ValueError, match="sets gift_excitation twice"):
        worlds.world("herding+crowding_out")
    with pytest.raises(ValueError, match="several joined by"):
        worlds.world("passive_hearts+utopia")


def test_tap_speed_batches_pack_more_taps_in_calls_and_never_more_than_fifteen() -> None:
    data = _sim("tap_speed_batches")
    hearts = data.table("events").filter(pl.col("kind") == "heart")
    assert hearts["count"].max() <= 15
    minutes = _flagged_minutes(data, "cta").filter(pl.col("heart_events") > 0)
    batch = minutes.group_by("cta").agg(
        (pl.col("hearts").sum() / pl.col("heart_events").sum()).alias("taps"))
    taps = dict(zip(batch["cta"], batch["taps"], strict=True))
    assert taps[True] > 1.3 * taps[False]
    plain = _flagged_minutes(_sim("baseline"), "cta").filter(pl.col("heart_events") > 0)
    plain_taps = plain.group_by("cta").agg(
        (pl.col("hearts").sum() / pl.col("heart_events").sum()).alias("taps"))
    ratio = plain_taps.sort("cta")["taps"].to_list()
    assert ratio[1] / ratio[0] == pytest.approx(1.0, abs=0.1)  # chance alone in baseline


def test_calls_come_at_the_start_of_moments_or_late_when_so_timed() -> None:
    lively = _sim("cta_when_lively").table("platform")
    overlap = lively.filter(pl.col("cta"))["moment"].mean()
    assert overlap is not None and overlap > 0.8
    late_calls = _sim("cta_when_dying")
    dying = late_calls.table("platform").join(
        late_calls.table("sessions").select("session_id", "duration_minutes"), on="session_id")
    late = dying.filter(pl.col("cta")).select(
        (pl.col("minute") >= 0.7 * pl.col("duration_minutes")).mean()).item()
    assert late > 0.95


def test_calls_that_ask_for_comments_lift_comments() -> None:
    def lift(name: str) -> float:
        m = _flagged_minutes(_sim(name), "cta").group_by("cta").agg(
            (pl.col("comments").sum() / pl.col("viewers").sum()).alias("rate")).sort("cta")
        return m["rate"][1] / m["rate"][0]
    assert lift("cta_asks_comments") > 1.5 > lift("baseline")


def test_gift_battles_lift_gifts_but_not_hearts_or_comments() -> None:
    base, battles = _sim("baseline", seed=5), _sim("gift_battles", seed=5)

    def count(data: Dataset, kind: str) -> int:
        return data.table("events").filter(pl.col("kind") == kind).height
    assert count(battles, "gift") > 1.2 * count(base, "gift")
    # hearts and comments change only through visibility, a few per cent at most
    assert count(battles, "comment") == pytest.approx(count(base, "comment"), rel=0.15)


def test_gifters_in_groups_join_together_and_leave_together() -> None:
    data = _sim("gifter_groups")
    gifters = data.table("viewers").filter(pl.col("is_gifter"))
    together = gifters.group_by("session_id", "join_second").agg(
        n=pl.len(), stays=pl.col("stay_seconds").n_unique())
    assert together["n"].mean() > 1.5
    assert (together["stays"] == 1).all()


def test_heavy_quiet_tappers_are_people_who_tap_like_bots_and_never_talk() -> None:
    data = _sim("heavy_quiet_tappers")
    viewers = data.table("viewers")
    assert not viewers["is_bot"].any()
    events = data.table("events")
    taps = events.filter(pl.col("kind") == "heart").group_by("user_id").agg(
        pl.col("count").sum()).sort("count", descending=True)
    top = set(taps.head(20)["user_id"])
    talkers = set(events.filter(pl.col("kind").is_in(["comment", "gift"]))["user_id"])
    assert len(top & talkers) < 10  # the heaviest tappers are mostly silent


def test_start_hour_mechanisms_tie_quality_and_length_to_the_evening() -> None:
    for name, column in (("quality_by_hour", "quality"), ("long_evenings", "duration_minutes")):
        sessions = draw_sessions(worlds.world(name), 4000, np.random.default_rng(2))
        activity = audience_activity(sessions["hour"].to_numpy())
        correlation = np.corrcoef(activity, sessions[column].to_numpy())[0, 1]
        assert correlation > 0.2, name
    base = draw_sessions(worlds.world(), 4000, np.random.default_rng(2))
    assert abs(np.corrcoef(audience_activity(base["hour"].to_numpy()), base["quality"])[0, 1]) < 0.05


def test_weekends_draw_more_evening_starts() -> None:
    sessions = draw_sessions(worlds.world("weekend_evenings"), 6000, np.random.default_rng(4))
    table = sessions.with_columns(weekend=pl.col("start").dt.weekday() >= 6,
                                  evening=pl.col("hour") >= 18)
    share = dict(table.group_by("weekend").agg(pl.col("evening").mean()).iter_rows())
    assert share[True] > share[False] + 0.05


def test_creators_go_live_on_their_good_days_when_told_to() -> None:
    def live_day_views(name: str) -> float:
        data = simulation.simulate_creators(worlds.world(name), 60, 14,
                                            np.random.default_rng(6))
        lived = data.table("sessions").select("creator_id", day=pl.col("start").dt.date()
                                              ).unique().with_columns(live=pl.lit(True))
        days = data.table("videos").join(lived, on=["creator_id", "day"], how="left").with_columns(
            pl.col("live").fill_null(False),
            relative=pl.col("video_views") / pl.col("video_views").mean().over("creator_id"))
        means = dict(days.group_by("live").agg(pl.col("relative").mean()).iter_rows())
        return means[True] / means[False]
    assert live_day_views("no_live_spillover+live_on_good_days") > 1.15
    assert live_day_views("no_live_spillover") == pytest.approx(1.0, abs=0.08)


def test_bunched_hearts_are_the_same_messages_sent_in_the_middle_of_their_minute() -> None:
    """C15's experiment changes when hearts are sent and nothing else: with hearts passive,
    the same messages and taps (one stream, so the same draws), each moved to the middle step
    of its minute, on average neither earlier nor later."""
    w = worlds.world("passive_hearts")
    sessions = draw_sessions(w, 60, np.random.default_rng(8))
    plain = simulation.simulate_sessions(w, sessions, np.random.default_rng(9))
    bunched = simulation.simulate_sessions(w.replace(heart_bunch_seconds=60), sessions,
                                           np.random.default_rng(9))

    def hearts(data: Dataset) -> pl.DataFrame:
        return (data.table("events").filter(pl.col("kind") == "heart")
                .join(data.table("sessions").select("session_id", "start"), on="session_id")
                .select("user_id", "count",
                        ms=(pl.col("ts") - pl.col("start")).dt.total_milliseconds()))
    a, b = hearts(plain), hearts(bunched)
    assert a.height == b.height and a["count"].sum() == b["count"].sum()
    assert sorted(a["user_id"].to_list()) == sorted(b["user_id"].to_list())
    # each message goes to the middle step of its minute (2 or 3, alternating), unless that
    # falls outside the viewer's stay: then to the first step engaged or the last step there
    stays = bunched.table("viewers").select(
        "user_id", first=(pl.col("join_second") // 10 + 1).cast(pl.Int64),
        last=((pl.col("join_second") + pl.col("stay_seconds")) // 10 - 1).cast(pl.Int64))
    placed = b.join(stays, on="user_id").with_columns(step=pl.col("ms") // 10_000)
    middle = (placed["step"] % 6).is_in([2, 3])
    edge = (placed["step"] == placed["first"]) | (placed["step"] == placed["last"])
    assert (middle | edge).all()
    assert middle.mean() > 0.8
    in_middle = placed.filter(middle)["step"] % 6
    assert 0.3 < (in_middle == 2).mean() < 0.7  # 2 and 3 alternate by minute
    assert abs(b["ms"].mean() - a["ms"].mean()) < 2_000  # no earlier or later on average
    others = ("join", "comment", "gift", "viewers")      # everything else is the same
    assert plain.table("events").filter(pl.col("kind").is_in(others)).equals(
        bunched.table("events").filter(pl.col("kind").is_in(others)))
    with pytest.raises(ValueError, match="heart_bunch_seconds"):
        w.replace(heart_bunch_seconds=15)


def test_the_linear_link_removes_the_gain_bursts_get_from_the_curved_one() -> None:
    """Where only the number of hearts counts, the exponential link still pays bursts a
    little (a score that swings more brings more impressions on average); the linear link
    of ``bursts_equal`` pays them nothing (within noise), and steady_hearts_win loses."""
    def gain(w: worlds.World) -> float:
        sessions = draw_sessions(w, 300, np.random.default_rng(1))
        joins = [simulation.simulate_sessions(v, sessions, np.random.default_rng(2))
                 .table("platform")["joins"].sum() for v in (w, w.replace(heart_bunch_seconds=60))]
        return joins[1] / joins[0] - 1
    assert worlds.world("bursts_equal").visibility_link == "linear"
    assert worlds.world().visibility_link == "exponential"
    linear = gain(worlds.world("bursts_equal"))
    assert abs(linear) < 0.01
    assert gain(worlds.world("steady_hearts_win")) < -0.05
    with pytest.raises(ValueError, match="visibility_link"):
        worlds.world().replace(visibility_link="logistic")


def test_a_gift_scale_column_multiplies_gift_rates_and_is_not_kept() -> None:
    w = worlds.world()
    sessions = draw_sessions(w, 60, np.random.default_rng(4))
    plain = simulation.simulate_sessions(w, sessions, np.random.default_rng(5))
    same = simulation.simulate_sessions(w, sessions.with_columns(gift_scale=pl.lit(1.0)),
                                        np.random.default_rng(5))
    assert same.table("events").equals(plain.table("events"))
    assert same.table("sessions").columns == plain.table("sessions").columns
    none = simulation.simulate_sessions(w, sessions.with_columns(gift_scale=pl.lit(0.0)),
                                        np.random.default_rng(5))
    assert plain.table("events").filter(pl.col("kind") == "gift").height > 100
    assert none.table("events").filter(pl.col("kind") == "gift").is_empty()


def test_a_weekly_budget_splits_a_week_of_gifts_over_its_lives() -> None:
    """With the whole budget split, a creator's LIVEs of a week share a fixed rate: the
    factor times the LIVEs is the creator's usual number of LIVEs, whatever the week."""
    rng = np.random.default_rng(6)
    chance = np.full(4000, 3.0 / 7)
    plan, scale = _plan_week(worlds.world("fan_budget"), chance, chance, 7, rng)
    lives = plan.sum(axis=0)
    assert plan.shape == (7, 4000) and lives.mean() == pytest.approx(3.0, abs=0.1)
    went = lives > 0
    np.testing.assert_allclose(scale[went] * lives[went], 3.0)
    half = _plan_week(worlds.world().replace(gift_budget_split=0.5), chance, chance, 7, rng)
    assert half[1][half[0].sum(axis=0) == 3] == pytest.approx(1.0)
    plan, scale = _plan_week(worlds.world("generous_weeks"), chance, chance, 7, rng)
    # creators go LIVE more in the weeks their audience gives more: the confounder of C8
    assert np.corrcoef(plan.sum(axis=0), np.log(scale))[0, 1] > 0.3
    assert scale.mean() == pytest.approx(1.0, abs=0.03)


def test_weekly_worlds_change_the_draws_only_when_on() -> None:
    base = simulation.simulate_creators(worlds.world(), 30, 8, np.random.default_rng(7))
    off = simulation.simulate_creators(worlds.world().replace(gift_budget_split=0.0), 30, 8,
                                       np.random.default_rng(7))
    assert off.table("sessions").equals(base.table("sessions"))
    fixed = simulation.simulate_creators(worlds.world("fan_budget"), 30, 8,
                                         np.random.default_rng(7))
    assert "gift_scale" not in fixed.table("sessions").columns
    assert fixed.table("sessions").height > 0
    with pytest.raises(ValueError, match="gift_budget_split"):
        worlds.world().replace(gift_budget_split=1.5)
