"""Partitioned simulations: the same rows as one file, the same bytes on any number of
workers, resumable, and never written over a folder they did not make."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from toolkit.analytics import live_minutes, live_summary
from toolkit.analytics.partitioned import bare_scan, by_part, event_parts
from toolkit.events import Dataset
from toolkit.simulation import engine, partitioned, store, worlds

WORLD = worlds.world("baseline")


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 40 sessions instead of 2,000 (cut in this process, so workers see them)."""
    for module in (engine, store, partitioned):
        monkeypatch.setattr(module, "CHUNK_SESSIONS", 40)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def test_the_parts_are_the_one_file_simulation_cut_by_batch(tmp_path: Path, small_batches) -> None:
    events = partitioned.write_partitioned_simulation(tmp_path / "parts", WORLD, 100, 9)
    store.write_simulation(tmp_path / "one", WORLD, 100, 9)
    parts, one = Dataset.from_folder(tmp_path / "parts"), Dataset.from_folder(tmp_path / "one")
    assert len(event_parts(tmp_path / "parts")) == 3
    for table in ("events", "platform", "viewers", "sessions"):
        assert parts.table(table).equals(one.table(table)), table
    assert events == one.table("events").height
    recorded = json.loads((tmp_path / "parts" / "world.json").read_text())
    assert recorded["batches"] == 3 and recorded["events"] == events
    assert recorded["layout"] == partitioned.LAYOUT


def test_the_same_bytes_on_one_and_two_workers(tmp_path: Path, small_batches) -> None:
    partitioned.write_partitioned_simulation(tmp_path / "a", WORLD, 100, 2, workers=1)
    partitioned.write_partitioned_simulation(tmp_path / "b", WORLD, 100, 2, workers=2)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_an_interrupted_run_resumes_and_leaves_no_half_dataset(tmp_path: Path, small_batches) -> None:
    out = tmp_path / "sim"

    def stop_after_one(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        partitioned.write_partitioned_simulation(out, WORLD, 100, 3, progress=stop_after_one)
    assert not out.exists()  # nothing in place of the dataset
    staging = tmp_path / "sim.partial"
    assert len(list((staging / "events").glob("*/part.parquet"))) == 1
    written = (staging / "events" / "batch=00000" / "part.parquet").stat().st_mtime_ns
    partitioned.write_partitioned_simulation(out, WORLD, 100, 3)
    assert not staging.exists()
    partitioned.write_partitioned_simulation(tmp_path / "whole", WORLD, 100, 3)
    assert _bytes(out) == _bytes(tmp_path / "whole")
    # the batch written before the interruption was kept, not simulated again
    assert written == (out / "events" / "batch=00000" / "part.parquet").stat().st_mtime_ns


def test_a_new_run_replaces_its_own_earlier_dataset_only(tmp_path: Path, small_batches) -> None:
    out = tmp_path / "sim"
    partitioned.write_partitioned_simulation(out, WORLD, 50, 1)
    partitioned.write_partitioned_simulation(out, WORLD, 60, 1)  # its own: replaced
    assert Dataset.from_folder(out).table("sessions").height == 60
    assert [p.name for p in tmp_path.iterdir()] == ["sim"]  # no swapped-out copy left
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a partitioned simulation"):
        partitioned.write_partitioned_simulation(other, WORLD, 10, 1)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    (tmp_path / "busy.partial").mkdir()  # a folder of that name not made by this command
    with pytest.raises(FileExistsError, match="not made by this command"):
        partitioned.write_partitioned_simulation(tmp_path / "busy", WORLD, 10, 1)


def test_tables_by_part_equal_the_tables_of_the_whole(tmp_path: Path, small_batches) -> None:
    partitioned.write_partitioned_simulation(tmp_path / "sim", WORLD, 100, 6)
    events = Dataset.from_folder(tmp_path / "sim").table("events")
    assert by_part(tmp_path / "sim").equals(live_summary(events))
    assert by_part(tmp_path / "sim", "live_minutes", workers=2).equals(live_minutes(events))
    assert bare_scan(tmp_path / "sim", ("session_id", "kind")) == events.height
    with pytest.raises(ValueError, match="table must be one of"):
        by_part(tmp_path / "sim", "hearts")  # type: ignore[arg-type]


def test_a_one_file_dataset_is_one_part() -> None:
    parts = event_parts(store._paths.PROJECT / "data" / "simulated" / "baseline")
    assert [p.name for p in parts] == ["events.parquet"]


def test_the_partitioned_reader_checks_the_events_columns(tmp_path: Path) -> None:
    part = tmp_path / "events" / "batch=00000"
    part.mkdir(parents=True)
    pl.DataFrame({"session_id": ["s"]}).write_parquet(part / "part.parquet")
    with pytest.raises(ValueError, match="no column 'ts'"):
        Dataset.from_folder(tmp_path)


def test_files_it_did_not_write_are_never_removed(tmp_path: Path, small_batches) -> None:
    out = tmp_path / "sim"
    partitioned.write_partitioned_simulation(out, WORLD, 30, 1)
    (out / "notes.txt").write_text("mine")  # a user's file inside an earlier output
    with pytest.raises(FileExistsError, match="notes.txt, which this command did not write"):
        partitioned.write_partitioned_simulation(out, WORLD, 30, 2)
    assert (out / "notes.txt").read_text() == "mine"
    staging = tmp_path / "proj.partial"  # a folder with a plan.json that is not ours
    staging.mkdir()
    (staging / "plan.json").write_text('{"mine": true}')
    (staging / "thesis.tex").write_text("keep")
    with pytest.raises(FileExistsError, match="not made by this command"):
        partitioned.write_partitioned_simulation(tmp_path / "proj", WORLD, 10, 1)
    assert (staging / "thesis.tex").read_text() == "keep"
    (tmp_path / "link").symlink_to(out)
    with pytest.raises(FileExistsError, match="symbolic link"):
        partitioned.write_partitioned_simulation(tmp_path / "link", WORLD, 10, 1)
    assert (tmp_path / "link").is_symlink() and (out / "notes.txt").is_file()


def test_stray_and_broken_parts_are_named(tmp_path: Path, small_batches) -> None:
    out = tmp_path / "odd [1] name"  # brackets: paths are never read as glob patterns
    partitioned.write_partitioned_simulation(out, WORLD, 60, 4)
    assert by_part(out).height == 60
    assert Dataset.from_folder(out).table("events").height == bare_scan(out, ("kind",))
    copy = out / "events" / "batch=00000 copy"
    copy.mkdir()
    (copy / "part.parquet").write_bytes((out / "events" / "batch=00000" / "part.parquet").read_bytes())
    with pytest.raises(ValueError, match="'batch=00000 copy' is not a part"):
        by_part(out)
    with pytest.raises(ValueError, match="is not a part"):
        Dataset.from_folder(out)
    (copy / "part.parquet").unlink()
    copy.rmdir()
    broken = out / "events" / "batch=00001" / "part.parquet"
    broken.write_bytes(broken.read_bytes()[:100])  # truncated
    with pytest.raises(ValueError, match=r"batch=00001.part\.parquet: cannot compute live_summary"):
        by_part(out)
    (out / "events" / "batch=00001" / "part.parquet").unlink()
    (out / "events" / "batch=00001").rmdir()
    with pytest.raises(ValueError, match="1 parts, but world.json records 2 batches"):
        by_part(out)


def test_the_host_s_replies_are_kept_in_both_layouts(tmp_path: Path, small_batches) -> None:
    answering = worlds.world("replies_drive_gifts")
    partitioned.write_partitioned_simulation(tmp_path / "parts", answering, 100, 9)
    store.write_simulation(tmp_path / "one", answering, 100, 9)  # three batches, joined
    parts, one = Dataset.from_folder(tmp_path / "parts"), Dataset.from_folder(tmp_path / "one")
    assert one.has("replies") and one.table("replies").height > 0
    for table in ("events", "replies"):
        assert parts.table(table).equals(one.table(table)), table
    store.write_simulation(tmp_path / "plain", WORLD, 40, 9)
    assert not (tmp_path / "plain" / "replies.parquet").exists()
