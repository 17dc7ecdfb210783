"""Simulated datasets on disk: byte-identical writes, the bundled dataset and its command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import simulation
from toolkit.cli import main
from toolkit.events import Dataset
from toolkit.simulation import worlds
from toolkit.simulation.creators import simulate_creators
from toolkit.simulation.schedule import draw_sessions

PROJECT = Path(__file__).resolve().parents[2]
BUNDLED = PROJECT / "data" / "simulated" / "baseline"


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        simulation.write_simulation(tmp_path / folder, worlds.world(), 150, seed=4)
    for name in (*simulation.SIMULATED_TABLES, "world", "dataset"):  # the manifest too
        suffix = ".json" if name in ("world", "dataset") else ".parquet"
        first = (tmp_path / "a" / f"{name}{suffix}").read_bytes()
        assert first == (tmp_path / "b" / f"{name}{suffix}").read_bytes(), name


def test_written_tables_equal_the_in_memory_simulation(tmp_path: Path) -> None:
    simulation.write_simulation(tmp_path, worlds.world(), 2_100, seed=4)  # two batches
    rng = np.random.default_rng(4)
    sessions = draw_sessions(worlds.world(), 2_100, rng)
    sim = simulation.simulate_sessions(worlds.world(), sessions, rng)
    loaded = Dataset.from_folder(tmp_path)
    for name in simulation.SIMULATED_TABLES:
        assert loaded.table(name).equals(sim.table(name)), name


def test_bundled_dataset_is_what_its_command_makes(tmp_path: Path) -> None:
    recorded = json.loads((BUNDLED / "world.json").read_text())
    assert recorded["world"] == worlds.world().as_dict(), "world changed: run `make data`"
    assert main(["simulate", "--world", "baseline", "--sessions", str(recorded["n_sessions"]),
                 "--seed", str(recorded["seed"]), "--out", str(tmp_path)]) == 0
    fresh, shipped = Dataset.from_folder(tmp_path), simulation.bundled("baseline")
    for name in simulation.SIMULATED_TABLES:
        assert fresh.table(name).equals(shipped.table(name)), f"{name}: run `make data`"


def test_bundled_creators_dataset_is_what_its_command_makes(tmp_path: Path) -> None:
    folder = PROJECT / "data" / "simulated" / "creators"
    recorded = json.loads((folder / "world.json").read_text())
    assert recorded["world"] == worlds.world().as_dict(), "world changed: run `make data`"
    assert main(["simulate", "--world", "baseline", "--creators", str(recorded["n_creators"]),
                 "--days", str(recorded["n_days"]), "--seed", str(recorded["seed"]),
                 "--out", str(tmp_path)]) == 0
    for table in folder.glob("*.parquet"):
        fresh = pl.read_parquet(tmp_path / table.name)
        assert fresh.equals(pl.read_parquet(table)), f"{table.name}: run `make data`"


def test_bundled_dataset_is_small_and_documented() -> None:
    size = sum(p.stat().st_size for p in BUNDLED.iterdir())
    assert size < 25 * 2**20
    readme = (PROJECT / "data" / "simulated" / "README.md").read_text()
    for column in ("session_id", "visibility", "duration_minutes", "is_bot", "stay_seconds"):
        assert column in readme


def test_missing_tables_are_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="events.parquet"):
        Dataset.from_folder(tmp_path)


def test_creators_over_days_carry_followers_forward() -> None:
    run = simulate_creators(worlds.world(), 40, 6, np.random.default_rng(1))
    videos = run.table("videos").sort("creator_id", "day")
    growth = videos.group_by("creator_id").agg(
        first=pl.col("followers").first(), last=pl.col("followers").last())
    assert (growth["last"] >= growth["first"]).all()
    follows = run.table("events").filter(kind="follow").join(
        run.table("sessions").select("session_id", "creator_id"), on="session_id")
    gained = (growth["last"] - growth["first"]).sum()
    last_day_follows = follows.join(
        run.table("sessions").filter(pl.col("start").dt.day() == 6).select("session_id"),
        on="session_id").height
    assert gained == follows.height - last_day_follows
    assert run.table("videos").height == 40 * 6
    assert set(run.table("sessions")["creator_id"]) <= set(run.table("creators")["creator_id"])


def test_live_viewers_spill_over_to_regular_videos_only_when_the_world_says_so() -> None:
    """C4 as a parameter: with live_to_video_views = 0 LIVEs add no video views."""
    base = worlds.world()
    none = simulate_creators(base.replace(live_to_video_views=0.0), 30, 5, np.random.default_rng(2))
    some = simulate_creators(base.replace(live_to_video_views=2.0), 30, 5, np.random.default_rng(2))
    # the LIVEs are the same (video views do not feed back into LIVEs)
    assert none.table("events").equals(some.table("events"))
    first_day = pl.col("day") == pl.col("day").min()
    assert none.table("videos").filter(first_day)["video_views"].equals(
        some.table("videos").filter(first_day)["video_views"])
    later = ~first_day
    assert some.table("videos").filter(later)["video_views"].sum() > none.table("videos").filter(later)[
        "video_views"].sum()
