"""The compiled kernel draws from the model the previous (numpy) simulator drew from.

The random streams changed (the kernel draws per event, the previous version per viewer-step),
so the tables differ; what must not change is the distribution of everything. Two checks:

- exact: with constant rates, the share of a viewer's steps with an event is ``1 - exp(-h)``
  (not ``h``: one event a step at most), for hearts, comments and shares;
- against the reference: in worlds that use every mechanism, per-session totals from the
  kernel and from the previous version (``tests/reference/previous_engine.py``), on the same
  sessions, agree within Monte Carlo error (paired t statistics below 4.5 in absolute value;
  about 90 checks, so a false alarm has odds of about 1 in 2,000).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from reference import previous_engine

from toolkit import simulation
from toolkit.simulation import worlds
from toolkit.simulation.schedule import draw_sessions

STEADY = worlds.world().replace(name="steady", cta_per_hour=0.0, moments_per_hour=0.0,
                                tap_taste_sigma=0.0)


def _engaged_steps(data) -> float:  # noqa: ANN001
    """Viewer-steps in which viewers could engage (from the step after joining)."""
    viewers = data.table("viewers")
    return float((viewers["stay_seconds"] / STEADY.step_seconds - 1).sum())


@pytest.mark.parametrize(("kind", "per_minute"), [
    ("heart", STEADY.tap_sessions_per_minute), ("comment", STEADY.comments_per_minute),
    ("share", STEADY.shares_per_minute)])
def test_a_constant_rate_gives_an_event_in_a_step_with_chance_one_minus_exp(
        kind: str, per_minute: float) -> None:
    data = simulation.simulate(STEADY, 300, np.random.default_rng(5))
    steps = _engaged_steps(data)
    events = data.table("events").filter(kind=kind).height
    p = -np.expm1(-per_minute * STEADY.step_seconds / 60.0)
    share = events / steps
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / steps)
    hazard = per_minute * STEADY.step_seconds / 60.0
    if kind == "heart":  # precise enough to tell 1 - exp(-h) from h
        assert abs(share - hazard) > 8 * np.sqrt(p * (1 - p) / steps)


def test_no_viewer_has_two_events_of_a_kind_in_one_step() -> None:
    data = simulation.simulate(worlds.world("bought_hearts"), 200, np.random.default_rng(6))
    per_step = (data.table("events").filter(pl.col("kind").is_in(["heart", "comment", "gift"]))
                .group_by("user_id", "kind", pl.col("ts").dt.epoch("ms") // 10_000).len())
    assert per_step["len"].max() == 1


def _totals(data) -> pl.DataFrame:  # noqa: ANN001
    """Per-session totals, ordered by session."""
    events = data.table("events")
    counts = events.group_by("session_id").agg(
        heart_events=(pl.col("kind") == "heart").sum(),
        taps=pl.col("count").filter(pl.col("kind") == "heart").sum(),
        comments=(pl.col("kind") == "comment").sum(),
        shares=(pl.col("kind") == "share").sum(),
        follows=(pl.col("kind") == "follow").sum(),
        gifts=(pl.col("kind") == "gift").sum(),
        coins=pl.col("coins").sum(),
    )
    platform = data.table("platform").group_by("session_id").agg(
        joins=pl.col("joins").sum(), impressions=pl.col("impressions").sum(),
        bots=pl.col("bots").max(), visibility=pl.col("visibility").mean(),
        peak_viewers=pl.col("viewers").max())
    return (data.table("sessions").select("session_id")
            .join(counts, on="session_id", how="left").join(platform, on="session_id", how="left")
            .fill_null(0).sort("session_id"))


WORLDS = ["baseline", "hearts_feed_visibility", "bought_hearts", "herding", "crowding_out",
          "steady_hearts_win", "tap_speed_batches", "gifter_groups", "gift_battles",
          "cta_when_lively", "heavy_quiet_tappers"]


@pytest.mark.parametrize("name", WORLDS)
def test_the_kernel_matches_the_previous_simulator_in_distribution(name: str) -> None:
    w = worlds.world(name)
    sessions = draw_sessions(w, 500, np.random.default_rng(11))
    new = _totals(simulation.simulate_sessions(w, sessions, np.random.default_rng(12)))
    old = _totals(previous_engine.simulate_sessions(w, sessions, np.random.default_rng(13)))
    far = []
    for column in new.columns[1:]:
        a, b = new[column].to_numpy().astype(float), old[column].to_numpy().astype(float)
        if column != "visibility":
            a, b = np.log1p(a), np.log1p(b)
        d = a - b
        if d.std() == 0:
            continue
        t = d.mean() / (d.std(ddof=1) / np.sqrt(len(d)))
        if abs(t) > 4.5:
            far.append(f"{column}: t = {t:.1f} (kernel {a.mean():.3f}, previous {b.mean():.3f})")
    assert not far, f"{name}: " + "; ".join(far)
