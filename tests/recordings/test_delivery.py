"""as_recorded: simulated sessions through the recording pipeline, in memory.

The diagnosis of ``...@recorded`` worlds trusts that :func:`as_recorded` gives the tables
``toolkit ingest`` would give for the same messages written to files; this checks it, and
that a recording loses what a recording loses (hearts in packed like messages; gifts' coins
survive lost streak messages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import recordings
from toolkit.events import Dataset
from toolkit.recordings import delivery
from toolkit.recordings.synthetic import Delivery, wire_messages
from toolkit.simulation.engine import simulate
from toolkit.simulation.worlds import world

SEED = 77


@pytest.fixture(scope="module")
def simulated() -> Dataset:
    return simulate(world("baseline"), 4, np.random.default_rng(5))


@pytest.fixture(scope="module")
def recorded(simulated: Dataset) -> Dataset:
    return delivery.as_recorded(simulated, np.random.default_rng(SEED))


def test_files_written_and_ingested_give_the_same_tables(simulated: Dataset,
                                                         recorded: Dataset,
                                                         tmp_path: Path) -> None:
    pytest.importorskip("TikTokLive")
    from toolkit.recordings import writers

    wire = wire_messages(simulated.table("events"), simulated.table("sessions"),
                         np.random.default_rng(SEED))
    paths = []
    for number, session in enumerate(sorted(wire["session_id"].unique().to_list())):
        paths.append(writers.write_toolkit_live(wire.filter(pl.col("session_id") == session),
                                                tmp_path / f"live-{number}.jsonl.gz"))
    result = recordings.ingest(paths, keep_ids=True,
                               now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    for name, table in (("events", result.events), ("sessions", result.sessions)):
        assert table.equals(recorded.table(name)), name
    assert result.events.height > 1000


def test_a_recording_is_a_recorded_dataset_and_loses_only_what_recordings_lose(
        simulated: Dataset, recorded: Dataset) -> None:
    assert recorded.source == "recorded"
    assert recorded.name == simulated.name + delivery.RECORDED
    assert recorded.platform is None and recorded.viewers is None
    assert recorded.table("sessions").height == simulated.table("sessions").height

    def total(data: Dataset, kind: str, column: str = "count") -> int:
        events = data.table("events")
        return int(events.filter(pl.col("kind") == kind)[column].sum())

    assert 0 < total(recorded, "heart") <= total(simulated, "heart")
    assert total(recorded, "gift", "coins") == total(simulated, "gift", "coins")
    assert total(recorded, "comment") == total(simulated, "comment")


def test_the_same_seed_gives_the_same_recording(simulated: Dataset,
                                                recorded: Dataset) -> None:
    again = delivery.as_recorded(simulated, np.random.default_rng(SEED))
    other = delivery.as_recorded(simulated, np.random.default_rng(SEED + 1))
    assert again.table("events").equals(recorded.table("events"))
    assert not other.table("events").equals(recorded.table("events"))


def test_a_dataset_without_sessions_is_refused(simulated: Dataset) -> None:
    events_only = Dataset.from_tables(events=simulated.table("events"), source="simulated",
                                      name="events only")
    with pytest.raises(ValueError, match="events only.*sessions table"):
        delivery.as_recorded(events_only, np.random.default_rng(0))


def test_a_delivery_that_loses_no_like_message_keeps_every_heart(simulated: Dataset,
                                                                 recorded: Dataset) -> None:
    lossless = delivery.as_recorded(simulated, np.random.default_rng(SEED),
                                    Delivery(like_loss_max=0.0))

    def hearts(data: Dataset) -> int:
        return int(data.table("events").filter(pl.col("kind") == "heart")["count"].sum())

    assert hearts(lossless) == hearts(simulated) > hearts(recorded)
    with pytest.raises(ValueError, match="'like_loss_max' field of Delivery must be a number "
                                         "in \\[0, 1\\]"):
        Delivery(like_loss_max=1.5)


def test_a_large_dataset_is_recorded_in_parts_with_their_own_streams() -> None:
    simulated = simulate(world("baseline"), 30, np.random.default_rng(6))
    events = simulated.table("events")
    whole = delivery.as_recorded(simulated, np.random.default_rng(4))
    same = delivery.as_recorded(simulated, np.random.default_rng(4), max_events=events.height)
    assert same.table("events").equals(whole.table("events"))  # one piece: rng itself
    limit = events.height // 3 + 1
    parts = delivery.as_recorded(simulated, np.random.default_rng(4), max_events=limit)
    ids = delivery._parts(events, simulated.table("sessions"), 3)
    assert sum(len(i) for i in ids) == simulated.table("sessions").height
    assert all(events.filter(pl.col("session_id").is_in(i.implode())).height <= 1.5 * limit
               for i in ids)
    pieces = [delivery.as_recorded(
        Dataset.from_tables(events=events.filter(pl.col("session_id").is_in(i.implode())),
                            sessions=simulated.table("sessions").filter(
                                pl.col("session_id").is_in(i.implode())), source="simulated"), stream)
        for i, stream in zip(ids, np.random.default_rng(4).spawn(3), strict=True) if len(i)]
    expected = pl.concat([p.table("events") for p in pieces]).sort("session_id",
                                                                   maintain_order=True)
    assert parts.table("events").equals(expected)
    assert parts.table("sessions").height == whole.table("sessions").height
    assert parts.table("sessions")["session_id"].is_sorted()
    with pytest.raises(ValueError, match="max_events"):
        delivery.as_recorded(simulated, np.random.default_rng(4), max_events=0)


@pytest.fixture(scope="module")
def answered() -> Dataset:
    return simulate(world("replies_drive_gifts"), 4, np.random.default_rng(6))


@pytest.mark.parametrize("writer", ["toolkit-live", "connector-v2"])
def test_the_hosts_replies_come_back_from_the_chat(answered: Dataset, writer: str,
                                                   tmp_path: Path) -> None:
    """The host's @-mentions written in a client's format and ingested are the replies the
    simulator made, answered viewer for answered viewer; they are not viewers' comments."""
    from toolkit.recordings import writers

    if writer == "toolkit-live":
        pytest.importorskip("TikTokLive")
    simulated = answered.table("replies")
    assert simulated.height > 20
    recorded = delivery.as_recorded(answered, np.random.default_rng(SEED))
    assert recorded.table("replies").height == simulated.height
    wire = wire_messages(answered.table("events"), answered.table("sessions"),
                         np.random.default_rng(SEED), replies=simulated)
    paths = []
    for number, session in enumerate(sorted(wire["session_id"].unique().to_list())):
        part = wire.filter(pl.col("session_id") == session)
        paths.append(writers.write_toolkit_live(part, tmp_path / f"live-{number}.jsonl.gz")
                     if writer == "toolkit-live" else
                     writers.write_connector(part, tmp_path / f"live-{number}.jsonl"))
    result = recordings.ingest(paths, salt=b"s" * 32, now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
    assert result.replies.height == simulated.height
    assert result.report["rules"]["reply_rows"] == simulated.height
    assert result.report["rules"]["host_messages"] == simulated.height
    comments = result.events.filter(pl.col("kind") == "comment")
    assert comments.height == answered.table("events").filter(pl.col("kind") == "comment").height
    # every answered viewer is, under the same pseudonym, a viewer who commented
    assert result.replies.join(comments.select("session_id", "user_id"),
                               on=["session_id", "user_id"], how="anti").is_empty()
    # answered viewer by answered viewer: replies per viewer match the simulation's
    def per_viewer(frame: pl.DataFrame) -> list[int]:
        return sorted(frame.group_by("session_id", "user_id").len()["len"].to_list())

    assert per_viewer(result.replies) == per_viewer(simulated)
    if writer == "toolkit-live":
        keep = recordings.ingest(paths, keep_ids=True,
                                 now=dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        assert keep.replies.equals(recorded.table("replies"))
