"""The one Dataset: from a folder, from a simulation, from an ingest or a CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import _paths, events, recordings, simulation
from toolkit.events import Dataset


def test_a_simulation_is_a_dataset_with_hidden_tables() -> None:
    sim = simulation.simulate(simulation.world(), 5, np.random.default_rng(1))
    assert isinstance(sim, Dataset) and sim.source == "simulated"
    assert sim.has("events", "sessions", "platform", "viewers") and not sim.has("videos")
    assert sim.table("events") is sim.table("events")  # collected once, then kept
    assert sim.renamed("x").name == "x" and sim.renamed("x").table("events").equals(
        sim.table("events"))


def test_creators_over_days_are_a_dataset_with_videos_and_creators() -> None:
    run = simulation.simulate_creators(simulation.world(), 4, 3, np.random.default_rng(2))
    assert run.has("videos", "creators") and run.table("creators").height == 4


def test_a_folder_written_by_the_simulator_reads_back(tmp_path: Path) -> None:
    simulation.write_simulation(tmp_path, simulation.world(), 20, seed=3)
    data = Dataset.from_folder(tmp_path)
    assert data.source == "simulated" and data.name == tmp_path.name
    assert set(data.tables()) == {"events", "platform", "sessions", "viewers"}


def test_recordings_never_count_hidden_tables_as_present() -> None:
    sim = simulation.simulate(simulation.world(), 5, np.random.default_rng(1))
    recorded = Dataset(events=sim.events, platform=sim.platform, viewers=sim.viewers,
                       source="recorded")
    assert not recorded.has("platform") and not recorded.has("viewers")


def test_an_ingest_and_a_csv_give_datasets() -> None:
    result = recordings.ingest(recordings.bundled_files()[:1], salt=bytes(16))
    assert result.dataset.source == "recorded" and result.dataset.has("events", "sessions")
    loaded = events.read_events_csv(_paths.data_dir() / "example" / "session.csv")
    assert loaded.dataset.table("events").equals(loaded.events)


def test_bad_datasets_are_refused_in_the_one_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^The 'source' field of Dataset must be one of"):
        Dataset(events=pl.LazyFrame(), source="guessed")
    with pytest.raises(ValueError, match=r"^The 'events' field of Dataset must be a polars "
                                         r"LazyFrame"):
        Dataset(events=pl.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="has no table 'likes'"):
        Dataset.from_tables(events=pl.DataFrame(), likes=pl.DataFrame())
    with pytest.raises(FileNotFoundError, match="no events.parquet"):
        Dataset.from_folder(tmp_path)
    with pytest.raises(ValueError, match="has no sessions table"):
        Dataset.from_tables(events=pl.DataFrame()).table("sessions")


def test_a_replies_file_without_its_columns_is_refused_by_name(tmp_path) -> None:
    from toolkit.events import REPLIES_SCHEMA, example_session

    example_session().write_parquet(tmp_path / "events.parquet")
    pl.DataFrame({"session_id": ["s1"], "when": [1]}).write_parquet(tmp_path / "replies.parquet")
    with pytest.raises(ValueError, match=r"replies\.parquet: no column 'ts'.*replies table"):
        Dataset.from_folder(tmp_path)
    pl.DataFrame({"session_id": ["s1"], "ts": [None], "user_id": ["v"]},
                 schema=REPLIES_SCHEMA).write_parquet(tmp_path / "replies.parquet")
    assert Dataset.from_folder(tmp_path).has("replies")
