"""Synthetic recordings: the ingester gets back what the simulator made, in every format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import recordings
from toolkit.recordings import synthetic

pytest.importorskip("TikTokLive")

PROJECT = Path(__file__).resolve().parents[2]
BUNDLE = PROJECT / "data" / "recorded"
BUNDLE_SEED = 20260303  # the Makefile's RECORDED_SEED

EXACT = ["unique_viewers", "comments", "shares", "new_followers", "gifters", "gifts", "coins"]


@pytest.fixture(scope="module")
def bundle_ingest() -> recordings.IngestResult:
    files = sorted(p for p in BUNDLE.iterdir() if p.is_file() and p.suffix != ".md")
    return recordings.ingest(files, salt=b"test-salt-000000")


def _truth() -> tuple[pl.DataFrame, pl.DataFrame]:
    return (pl.read_parquet(BUNDLE / "truth" / "events.parquet"),
            pl.read_parquet(BUNDLE / "truth" / "sessions.parquet"))


def _match(result: recordings.IngestResult, truth: pl.DataFrame) -> pl.DataFrame:
    return recordings.compare_with_truth(result.events, result.sessions, truth, _truth()[1])


def test_the_bundle_ingests_back_to_the_simulated_totals(bundle_ingest) -> None:
    truth, sessions = _truth()
    assert bundle_ingest.sessions.height == sessions.height == synthetic.BUNDLE_SESSIONS
    both = _match(bundle_ingest, truth)
    assert both.null_count().sum_horizontal().item() == 0  # every session matched
    for column in EXACT:
        assert both[column].to_list() == both[f"{column}_true"].to_list(), column
    # the room's running total misses only the taps after the last like message delivered;
    # the sampled per-user batches miss far more (here about a third)
    assert (both["hearts"] <= both["hearts_room"]).all()
    assert (both["hearts_room"] <= both["hearts_room_total"]).all()
    assert (both["hearts_room_total"] <= both["hearts_true"]).all()
    totals = both.select("hearts", "hearts_room_total", "hearts_true").sum().row(0)
    assert totals[1] >= 0.995 * totals[2] and totals[0] < 0.8 * totals[2]
    assert both["hearts"].sum() < both["hearts_true"].sum()
    # minute grids agree to within the minute a gift streak's last tap may spill into
    assert ((both["duration_minutes"] - both["duration_minutes_true"]).abs() <= 1).all()


def test_the_bundle_is_reproducible(tmp_path: Path) -> None:
    """``make data`` rebuilds the bundled recordings byte for byte."""
    recordings.write_bundle(tmp_path, BUNDLE_SEED)
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (BUNDLE / path.relative_to(tmp_path)).read_bytes(), path


def test_the_bundle_shows_the_pitfalls_it_is_for(bundle_ingest) -> None:
    report = bundle_ingest.report
    assert {f["format"] for f in report["files"]} == {"toolkit-live/1", "connector-v1",
                                                       "connector-v2", "java-collector"}
    assert report["rejected_by_reason"] == {"duplicate message": report["rejected"]}
    rules = report["rules"]
    assert rules["gift_messages"] > 3 * rules["gift_rows"]  # streaks send many messages
    assert rules["out_of_order"] > 0
    java = [f for f in report["files"] if f["format"] == "java-collector"][0]["file"]
    rooms = bundle_ingest.messages.filter(pl.col("file") == java)["session_id"].n_unique()
    assert rooms == 2  # two rooms in one file


def test_wire_messages_are_seeded() -> None:
    from toolkit.simulation.engine import simulate
    from toolkit.simulation.worlds import world

    sim = simulate(world("baseline"), 2, np.random.default_rng(1))
    one = recordings.wire_messages(sim.table("events"), sim.table("sessions"), np.random.default_rng(9))
    two = recordings.wire_messages(sim.table("events"), sim.table("sessions"), np.random.default_rng(9))
    three = recordings.wire_messages(sim.table("events"), sim.table("sessions"), np.random.default_rng(10))
    assert one.equals(two) and not one.equals(three)
    likes = one.filter(pl.col("kind") == "heart")
    assert likes["count"].max() <= recordings.MAX_TAPS_PER_MESSAGE
