"""Dataset folders and their manifest: interrupted writes, tables of another run, tables of
another kind (issue 18: nothing mixed)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from toolkit import recordings
from toolkit.events import Dataset, manifest
from toolkit.simulation import store
from toolkit.simulation.worlds import world


@pytest.fixture()
def simulated(tmp_path: Path) -> Path:
    store.write_simulation(tmp_path / "sim", world("baseline"), 6, seed=3)
    return tmp_path / "sim"


def test_a_simulation_lists_its_tables_and_is_read_through_them(simulated: Path) -> None:
    content = json.loads((simulated / manifest.MANIFEST).read_text())
    assert content["complete"] is True and content["source"] == "simulated"
    assert sorted(content["tables"]) == ["events", "platform", "sessions", "viewers"]
    data = Dataset.from_folder(simulated)
    assert data.source == "simulated" and data.table("sessions").height == 6
    assert not list(simulated.glob(".*"))  # no partial files or parts left


def test_a_run_interrupted_while_it_works_leaves_the_previous_output(
        simulated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = {p.name: p.read_bytes() for p in simulated.iterdir()}
    calls = []

    def broken(frame: pl.DataFrame, path: Path, level: int) -> Path:
        calls.append(path.name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C after the new events are written
        frame.write_parquet(path)
        return path

    monkeypatch.setattr(store, "_write", broken)
    with pytest.raises(KeyboardInterrupt):
        store.write_simulation(simulated, world("baseline"), 8, seed=4)
    assert {p.name: p.read_bytes() for p in simulated.iterdir()} == before  # nothing moved
    assert Dataset.from_folder(simulated).table("sessions").height == 6  # still readable


def test_a_run_interrupted_while_moving_its_files_is_refused_not_mixed(
        simulated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = (simulated / "events.parquet").read_bytes()
    moved = []
    real = manifest.os.replace

    def broken(source: Path, target: Path) -> None:
        if Path(target).suffix == ".parquet":
            if moved:
                raise KeyboardInterrupt  # Ctrl-C after the first table is in place
            moved.append(target)
        real(source, target)

    monkeypatch.setattr(manifest.os, "replace", broken)
    with pytest.raises(KeyboardInterrupt):
        store.write_simulation(simulated, world("baseline"), 8, seed=4)
    monkeypatch.setattr(manifest.os, "replace", real)
    assert (simulated / "events.parquet").read_bytes() != old  # new events, old sessions
    with pytest.raises(ValueError, match="interrupted.*toolkit simulate --world baseline "
                                         "--sessions 8 --seed 4"):
        Dataset.from_folder(simulated)
    assert not list(simulated.glob(".*partial*"))  # the files not moved are removed


def test_a_table_from_another_run_is_refused_by_name(simulated: Path, tmp_path: Path) -> None:
    store.write_simulation(tmp_path / "other", world("baseline"), 6, seed=9)
    (simulated / "sessions.parquet").write_bytes(
        (tmp_path / "other" / "sessions.parquet").read_bytes())
    with pytest.raises(ValueError, match=r"sessions\.parquet: not the table dataset\.json lists"):
        Dataset.from_folder(simulated)
    (simulated / "sessions.parquet").unlink()
    with pytest.raises(ValueError, match=r"sessions\.parquet: listed in dataset\.json but missing"):
        Dataset.from_folder(simulated)


def test_tables_of_another_kind_in_the_folder_are_not_read(simulated: Path,
                                                           tmp_path: Path) -> None:
    pl.DataFrame({"creator_id": ["c1"], "day": [1], "video_views": [5]}).write_parquet(
        simulated / "videos.parquet")
    assert Dataset.from_folder(simulated).videos is None
    (simulated / manifest.MANIFEST).unlink()  # a folder a user assembled: everything found
    assert Dataset.from_folder(simulated).videos is not None


def test_an_ingest_never_overwrites_a_simulations_folder(simulated: Path, tmp_path: Path
                                                         ) -> None:
    bundle = sorted((Path(recordings.__file__).parents[2] / "data" / "recorded").glob(
        "live-0[12].jsonl.gz"))
    result = recordings.ingest(bundle, salt=b"x" * 32)
    before = {p.name: p.read_bytes() for p in simulated.iterdir()}
    with pytest.raises(ValueError, match="written by toolkit simulate"):
        recordings.write(result, simulated)
    assert {p.name: p.read_bytes() for p in simulated.iterdir()} == before
    out = tmp_path / "recorded"
    recordings.write(result, out)
    data = Dataset.from_folder(out)
    assert data.source == "recorded" and data.has("replies")
    assert data.table("events").equals(result.events)
    recordings.write(result, out, tables=False)  # a run that loads nothing: no events listed
    with pytest.raises(FileNotFoundError, match="lists no events table"):
        Dataset.from_folder(out)
    assert not (out / "events.parquet").exists()


def test_a_broken_manifest_is_named(simulated: Path) -> None:
    (simulated / manifest.MANIFEST).write_text("{not json")
    with pytest.raises(ValueError, match=r"dataset\.json: not a readable manifest"):
        Dataset.from_folder(simulated)
    (simulated / manifest.MANIFEST).write_text(json.dumps(
        {"format": manifest.FORMAT, "complete": True, "tables": {"events": {"file": "../x"}}}))
    with pytest.raises(ValueError, match="has no file name"):
        Dataset.from_folder(simulated)


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old")
    with pytest.raises(OSError), manifest.atomic_file(target) as partial:
        partial.write_text("half")
        raise OSError("disk full")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == [
        "t.txt"]


def test_a_large_simulation_leaves_a_parts_folder_it_did_not_make(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sim"
    (out / ".parts").mkdir(parents=True)
    (out / ".parts" / "mine.txt").write_text("a user's file")
    monkeypatch.setattr(store, "CHUNK_SESSIONS", 3)
    monkeypatch.setattr("toolkit.simulation.engine.CHUNK_SESSIONS", 3)
    store.write_simulation(out, world("baseline"), 7, seed=1)
    assert (out / ".parts" / "mine.txt").read_text() == "a user's file"
    assert Dataset.from_folder(out).table("sessions").height == 7
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".parts"]


def test_claims_on_an_interrupted_folder_says_so(simulated: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    from toolkit import cli

    manifest.begin(simulated, "simulated", "toolkit simulate --world baseline")
    assert cli.main(["claims", "--data", str(simulated)]) == 2
    assert "its writing was interrupted" in capsys.readouterr().err


def test_a_simulation_never_overwrites_what_another_command_wrote(tmp_path: Path) -> None:
    bundle = sorted((Path(recordings.__file__).parents[2] / "data" / "recorded").glob(
        "live-01.jsonl.gz"))
    recorded = tmp_path / "recorded"
    recordings.write(recordings.ingest(bundle, salt=b"x" * 32), recorded)
    mine = tmp_path / "mine"
    mine.mkdir()
    pl.DataFrame({"a": [1]}).write_parquet(mine / "events.parquet")
    for folder, says in ((recorded, "written by toolkit ingest"),
                         (mine, "not written by toolkit simulate")):
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        with pytest.raises(ValueError, match=says):
            store.write_simulation(folder, world("baseline"), 4, seed=1)
        with pytest.raises(ValueError, match=says):
            store.write_creator_simulation(folder, world("baseline"), 2, 2, seed=1)
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    store.write_simulation(tmp_path / "sim", world("baseline"), 4, seed=1)
    store.write_simulation(tmp_path / "sim", world("baseline"), 5, seed=2)  # its own: replaced
    assert Dataset.from_folder(tmp_path / "sim").table("sessions").height == 5
