"""Many-dataset runs on Dask: a scheduler and workers started apart, as on a cluster.

A scheduler and a worker process (two one-thread workers) are started here with Dask's own
commands; the diagnosis sent to that scheduler must give the same rows, number for number, as
in this process alone, and a run on a local cluster the same again.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from toolkit.claims import diagnosis, diagnosis_runs  # noqa: E402
from toolkit.simulation.runner import run_datasets  # noqa: E402

TINY = diagnosis.Plan(holds=(1, 2, 0, 0), null=(0, 2, 0, 0))


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a Dask scheduler with two worker processes, started as commands."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    started = [subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--scheduler-file", str(info),
         "--port", "0", "--dashboard-address", ":0", "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for _ in range(300):
            if info.is_file():
                break
            time.sleep(0.1)
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(info),
             "--nworkers", "2", "--nthreads", "1", "--no-dashboard", "--local-directory",
             str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        import json

        from distributed import Client

        address = json.loads(info.read_text())["address"]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=60)


def test_the_diagnosis_on_a_separate_scheduler_is_the_diagnosis_here(
        tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnosis_runs, "SESSIONS_PER_JOB", 200)  # jobs carry their size
    here = diagnosis_runs.diagnose(tmp_path / "here", TINY, ["C17"], seed=5, workers=1)
    there = diagnosis_runs.diagnose(tmp_path / "there", TINY, ["C17"], seed=5,
                                    scheduler=scheduler)
    assert here.height > 0 and here.equals(there)
    assert sorted(p.name for p in (tmp_path / "there" / "runs").iterdir()) == sorted(
        p.name for p in (tmp_path / "here" / "runs").iterdir())


def _square(i: int) -> int:
    return i * i


def _plus(data: int, i: int) -> int:
    return data + i


def test_a_local_cluster_returns_the_results_in_dataset_order() -> None:
    seen: list[tuple[int, int]] = []
    out = run_datasets(_square, _plus, 6, workers=2, scheduler="local",
                       progress=lambda done, n: seen.append((done, n)))
    assert out == [i * i + i for i in range(6)]
    assert seen[-1] == (6, 6) and len(seen) == 6


def test_a_partitioned_simulation_and_its_summary_on_a_separate_scheduler(
        tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.analytics import live_summary
    from toolkit.analytics.partitioned import by_part
    from toolkit.events import Dataset
    from toolkit.simulation import partitioned, worlds

    monkeypatch.setattr(partitioned, "CHUNK_SESSIONS", 40)  # batches are cut here, not there
    world = worlds.world("baseline")
    here = partitioned.write_partitioned_simulation(tmp_path / "here", world, 100, 4)
    there = partitioned.write_partitioned_simulation(tmp_path / "there", world, 100, 4,
                                                     scheduler=scheduler)
    assert here == there > 0
    files = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*.parquet"))
    assert len(files) == 3 * 3 + 1
    for file in files:
        assert (tmp_path / "here" / file).read_bytes() == (tmp_path / "there" / file).read_bytes()
    summary = by_part(tmp_path / "there", scheduler=scheduler)
    assert summary.equals(live_summary(Dataset.from_folder(tmp_path / "here").table("events")))
