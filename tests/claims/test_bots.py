"""Bought-hearts detector (claim C18): features, rule, rates, the claim test."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from scipy import stats

from toolkit import simulation
from toolkit.claims import bots, calibration
from toolkit.claims.evidence import VERDICTS
from toolkit.events import Dataset
from toolkit.events.schema import EVENTS_SCHEMA
from toolkit.simulation import worlds

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _events() -> pl.DataFrame:
    """One LIVE: a bot (5 batches of 12 taps, one a minute), a chatty tapper, a lurker."""
    rows = [("viewers", None, 3, 0), ("join", "bot", 1, 0), ("join", "chatty", 1, 0),
            ("join", "lurker", 1, 10)]
    rows += [("heart", "bot", 12, 60 * k) for k in range(1, 6)]
    rows += [("heart", "chatty", 10, 60 * k) for k in range(1, 6)]
    rows += [("comment", "chatty", 1, 200), ("comment", "chatty", 1, 390)]
    return pl.DataFrame(
        {"session_id": ["s1"] * len(rows),
         "ts": [T0 + timedelta(seconds=s) for *_, s in rows],
         "kind": [k for k, *_ in rows], "user_id": [u for _, u, *_ in rows],
         "count": [c for *_, c, _ in rows], "gift_id": [None] * len(rows),
         "coins": [0] * len(rows)},
    ).cast(EVENTS_SCHEMA).sort("ts")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def botted() -> Dataset:
    return simulation.simulate(worlds.world("bought_hearts"), 200, np.random.default_rng(7))


def test_features_have_the_hand_computed_values() -> None:
    f = bots.viewer_features(_events())
    assert f["user_id"].to_list() == ["bot", "chatty", "lurker"]  # the viewers row is ignored
    bot, chatty, lurker = f.rows(named=True)
    assert (bot["events"], bot["heart_events"], bot["taps"], bot["max_batch"]) == (6, 5, 60, 12)
    assert bot["mean_batch"] == 12.0 and bot["quiet"] and bot["present_minutes"] == 5.0
    assert bot["taps_per_minute"] == 12.0 and bot["heart_share"] == pytest.approx(5 / 6)
    assert (chatty["comments"], chatty["social_events"], chatty["quiet"]) == (2, 2, False)
    assert chatty["present_minutes"] == 6.5 and chatty["taps_per_minute"] == pytest.approx(50 / 6.5)
    # one event only: present 0 minutes, counted as 1 minute for the rate; no hearts
    assert (lurker["heart_events"], lurker["mean_batch"]) == (0, 0.0)
    assert lurker["taps_per_minute"] == 0.0
    assert lurker["present_minutes"] == 0.0 and lurker["quiet"]


def test_features_are_lazy_when_given_a_lazy_frame() -> None:
    lazy = bots.viewer_features(_events().lazy())
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(bots.viewer_features(_events()))


def test_the_rule_flags_the_obvious_bot_and_not_the_chatty_viewer() -> None:
    flagged = bots.suspect(bots.viewer_features(_events()))
    assert dict(zip(flagged["user_id"], flagged["suspected"], strict=True)) == {
        "bot": True, "chatty": False, "lurker": False}


def test_a_session_is_flagged_by_share_and_count_of_suspects() -> None:
    strict = bots.session_flags(_events())  # default: at least 3 suspected accounts
    assert strict.row(0, named=True) | {"suspected_share": None} == {
        "session_id": "s1", "accounts": 3, "suspected": 1, "hearts": 110, "comments": 2,
        "suspected_share": None, "hearts_per_comment": 110 / 3, "flagged": False}
    loose = bots.Detector(min_suspected=1, session_share=0.3)
    assert bots.session_flags(_events(), loose)["flagged"].to_list() == [True]
    assert bots.session_flags(_events(), bots.Detector(min_suspected=1, session_share=0.4))[
        "flagged"].to_list() == [False]


def test_detector_rejects_bad_thresholds() -> None:
    with pytest.raises(ValueError, match="session_share"):
        bots.Detector(session_share=1.5)
    with pytest.raises(ValueError, match="min_heart_events"):
        bots.Detector(min_heart_events=-1)


def test_rates_match_hand_computed_values() -> None:
    r = bots.detection_rates([True, True, False, False, True], [True, False, True, False, True],
                   rng=np.random.default_rng(0))
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (2, 1, 1, 1)
    assert r["precision"] == r["recall"] == r["f1"] == pytest.approx(2 / 3)
    assert r["false_alarm"] == 0.5
    wilson = stats.binomtest(2, 3).proportion_ci(0.95, method="wilson")
    assert (r["precision_low"], r["precision_high"]) == pytest.approx((wilson.low, wilson.high))
    assert r["f1_low"] <= r["f1"] <= r["f1_high"]
    assert math.isnan(bots.detection_rates([False], [False])["recall"])
    assert all(math.isnan(v) for v in bots.proportion(0, 0))


def test_dataset_test_is_an_exact_binomial_test_against_the_design_rate() -> None:
    flags = pl.DataFrame({"flagged": [True] * 3 + [False] * 17})
    result = bots.dataset_test(flags, bots.Detector(session_false_alarm=0.05))
    assert (result["sessions"], result["flagged"], result["share"]) == (20, 3, 0.15)
    assert result["p_value"] == pytest.approx(stats.binom.sf(2, 20, 0.05))


def test_c18_without_labels_describes_and_says_precision_is_unknown() -> None:
    recorded = Dataset(events=_events().lazy(), source="recorded", name="my LIVE")
    evidence = bots.test_c18(recorded, np.random.default_rng(0))
    assert evidence.verdict == "described" and evidence.n == 1
    assert "precision cannot be known" in evidence.note
    only_counts = _events().filter(pl.col("user_id").is_null())
    empty = Dataset(events=only_counts.lazy(), source="recorded")
    assert bots.test_c18(empty, np.random.default_rng(0)).verdict == "skipped"
    broken = Dataset(events=_events().drop("count").lazy(), source="recorded")
    assert bots.test_c18(broken, np.random.default_rng(0)).verdict == "skipped"


def test_c18_is_supported_on_a_simulation_with_bought_hearts(botted) -> None:
    evidence = bots.test_c18(botted, np.random.default_rng(0))
    assert evidence.verdict == "supported" and evidence.verdict in VERDICTS
    assert evidence.low <= evidence.estimate <= evidence.high and evidence.estimate > 0.8
    assert evidence.p_value < 1e-10 and evidence.n == 200
    # the same events as a recording: the labels are hidden, so it can only describe
    hidden = Dataset(
        events=botted.table("events").lazy(), sessions=botted.table("sessions").lazy(),
        viewers=botted.table("viewers").lazy(), source="recorded")
    assert bots.test_c18(hidden, np.random.default_rng(0)).verdict == "described"


def test_c18_in_a_world_without_bots_uses_the_label_free_test() -> None:
    clean = simulation.simulate(worlds.world("baseline"), 100, np.random.default_rng(8))
    evidence = bots.test_c18(clean, np.random.default_rng(0))
    assert evidence.verdict == "not supported"
    assert evidence.measure == bots.MEASURE_UNLABELLED and "false alarm" in evidence.note


def test_verdict_rates_split_a_simulation_into_datasets(botted) -> None:
    table = calibration.bot_verdict_rates(botted, 100, np.random.default_rng(0))
    assert table["dataset"].to_list() == [0, 1]
    assert table["verdict"].to_list() == ["supported", "supported"]


def test_fit_detector_reaches_its_design_false_alarm_rate(botted) -> None:
    null = simulation.simulate(worlds.world("baseline"), 200, np.random.default_rng(9))
    grid = {"min_heart_events": (2, 4), "min_taps_per_minute": (0.0, 4.0),
            "min_present_minutes": (0.0, 2.0), "min_mean_batch": (0.0,)}
    detector = bots.fit_detector(botted, null, false_alarm=0.1, grid=grid)
    assert detector.session_false_alarm <= 0.1
    flagged = bots.session_flags(null.table("events"), detector)["flagged"].mean()
    assert flagged == pytest.approx(detector.session_false_alarm)
    assert detector.min_taps_per_minute in (0.0, 4.0) and isinstance(detector.min_heart_events, int)


def test_mimic_moves_bots_towards_people() -> None:
    assert worlds.mimic_bots(0.0).bot_taps_per_minute == worlds.world("bought_hearts").bot_taps_per_minute
    person = worlds.mimic_bots(1.0)
    assert (person.bot_taps_per_minute, person.bot_taps_per_batch, person.bot_stay_minutes) == (
        person.tap_sessions_per_minute, person.taps_per_batch_mean, person.stay_minutes_mean)
    assert person.botted_session_share == 0.3
    with pytest.raises(ValueError, match="level"):
        worlds.mimic_bots(1.5)
