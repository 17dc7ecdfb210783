"""Large simulations as partitioned datasets: batches of sessions in parallel, one folder each.

:func:`write_partitioned_simulation` simulates the batches of
:func:`toolkit.simulation.engine.simulate_in_chunks` (2,000 sessions each, with their own
random streams) in worker processes or on Dask, and writes each batch's tables to its own
hive-style folder::

    out/world.json                         every parameter, the seed, the layout, the versions
    out/sessions.parquet
    out/events/batch=00000/part.parquet    the events of the sessions of batch 0 ...
    out/platform/batch=00000/part.parquet
    out/viewers/batch=00000/part.parquet

A session's rows are all in one batch, so any per-session table (the LIVE summary, the minute
tables) is computed batch by batch and concatenated (:mod:`toolkit.analytics.partitioned`).
The files are the same, to the byte, whatever the number of workers: batch ``i`` depends on its
own stream only. :meth:`toolkit.events.Dataset.from_folder` reads the layout.

Interrupted runs resume: the batches are written into ``out.partial`` (each file through a
temporary name), and running the same command again keeps the batches already there. The
finished folder then replaces ``out`` (only a folder this function wrote, or an empty one).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import polars as pl

from toolkit import __version__
from toolkit._checks import check_count
from toolkit._parallel import map_in_order
from toolkit.simulation.engine import CHUNK_SESSIONS, _simulate_chunk
from toolkit.simulation.schedule import draw_sessions
from toolkit.simulation.worlds import World

__all__ = ["write_partitioned_simulation", "PARTITIONED_TABLES", "LAYOUT"]

#: The tables written per batch (``sessions`` is one file); ``replies`` too where the
#: world's host answers by name.
PARTITIONED_TABLES = ("events", "platform", "viewers")
_ALL_PARTITIONED = (*PARTITIONED_TABLES, "replies")
#: The value of ``"layout"`` in the ``world.json`` of a partitioned dataset.
LAYOUT = "partitioned by batch of sessions"


@dataclass(frozen=True)
class _Batch:
    """One batch's work: the sessions, their stream and where the tables go."""

    world: World
    sessions: pl.DataFrame
    stream: np.random.Generator
    index: int
    folder: Path
    compression_level: int


def _files(folder: Path, index: int, world: World) -> dict[str, Path]:
    names = _ALL_PARTITIONED if world.host_answers else PARTITIONED_TABLES
    return {name: folder / name / f"batch={index:05d}" / "part.parquet" for name in names}


def _write_batch(batch: _Batch) -> int:
    """Simulate one batch and write its tables (each through a temporary name); its events."""
    files = _files(batch.folder, batch.index, batch.world)
    if all(path.is_file() for path in files.values()):  # done before an interruption
        return pl.scan_parquet(files["events"]).select(pl.len()).collect().item()
    data = _simulate_chunk(batch.world, batch.sessions, batch.stream)
    events = 0
    for name, path in files.items():
        table = data.table(name)
        events = table.height if name == "events" else events
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(".part.parquet.partial")
        table.write_parquet(partial, compression="zstd", compression_level=batch.compression_level)
        os.replace(partial, path)
    return events


def _plan(world: World, n_sessions: int, seed: int, compression_level: int) -> dict[str, object]:
    return {"world": world.as_dict(), "n_sessions": n_sessions, "seed": seed,
            "compression_level": compression_level, "layout": LAYOUT,
            "versions": {"toolkit": __version__, "polars": pl.__version__,
                         "numpy": np.__version__, "numba": numba.__version__}}


def write_partitioned_simulation(
    out: str | Path, world: World, n_sessions: int, seed: int, *, workers: int = 1,
    scheduler: str | None = None, compression_level: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Simulate ``n_sessions`` sessions of ``world`` with ``seed`` into a partitioned folder.

    Parameters
    ----------
    out : path
        The dataset's folder; if it exists it must be empty or a partitioned simulation.
    world, n_sessions, seed
        As for :func:`toolkit.simulation.write_simulation`: the same sessions, streams and
        rows (in the same order, batch after batch).
    workers : int
        Processes (or Dask workers with ``scheduler="local"``).
    scheduler : str, optional
        ``"local"`` or a Dask scheduler's address (see :func:`toolkit._parallel.map_in_order`).
    compression_level : int
        zstd level of the parquet files (1: fastest to write).
    progress : callable, optional
        Called as ``progress(batches_done, batches)``.

    Returns
    -------
    int
        The number of events written.
    """
    out = Path(out)
    n = check_count(n_sessions, "n_sessions")
    workers = check_count(workers, "workers")
    seed = check_count(seed, "seed")
    staging = out.with_name(out.name + ".partial")
    for path in (out, staging):
        if path.is_symlink():
            raise FileExistsError(f"{path}: is a symbolic link; give the folder itself")
        if path.exists() and not path.is_dir():
            raise FileExistsError(f"{path}: exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not _is_partitioned(out):
            raise FileExistsError(f"{out}: exists and is not a partitioned simulation; choose "
                                  "an empty or new folder (nothing was written)")
        _check_only_ours(out, "world.json")
    plan = _plan(world, n, seed, compression_level)
    if staging.exists():  # an interrupted run: resume it if it is this one, else start over
        _check_only_ours(staging, "plan.json")
        if _read_json(staging / "plan.json") != plan:
            shutil.rmtree(staging)
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "plan.json").write_text(json.dumps(plan, indent=2) + "\n")

    rng = np.random.default_rng(check_count(seed, "seed"))
    sessions = draw_sessions(world, n, rng)
    starts = range(0, n, CHUNK_SESSIONS) if n else range(1)
    streams = rng.spawn(len(starts))  # as simulate_in_chunks draws them
    batches = [_Batch(world, sessions.slice(start, CHUNK_SESSIONS), stream, i, staging,
                      compression_level)
               for i, (start, stream) in enumerate(zip(starts, streams, strict=True))]
    events = sum(map_in_order(_write_batch, batches, workers=workers, scheduler=scheduler,
                              progress=progress))
    sessions.write_parquet(staging / "sessions.parquet", compression="zstd",
                           compression_level=compression_level)
    world_file = {**{k: v for k, v in plan.items() if k != "world"}, "world": plan["world"],
                  "batches": len(batches), "events": events,
                  "command": f"toolkit simulate --world {world.name} --sessions {n} --seed {seed} "
                             f"--partitioned --compression-level {compression_level}"}
    (staging / "world.json").write_text(json.dumps(world_file, indent=2) + "\n")
    if out.exists():  # the previous dataset (checked above), swapped out, then removed
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
        os.replace(out, old)
        os.replace(staging, out)
        shutil.rmtree(old)
    else:
        os.replace(staging, out)
    (out / "plan.json").unlink()  # last: until here a re-run finds its staging folder
    return events


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _is_partitioned(folder: Path) -> bool:
    """Whether ``folder`` holds a partitioned simulation (its ``world.json`` says so)."""
    recorded = _read_json(folder / "world.json")
    return isinstance(recorded, dict) and recorded.get("layout") == LAYOUT


#: What a partitioned simulation folder (or its staging folder) holds, and nothing else.
_OURS = {"world.json", "plan.json", "sessions.parquet", *_ALL_PARTITIONED}


def _check_only_ours(folder: Path, marker: str) -> None:
    """Refuse to replace or remove ``folder`` unless it holds only what this module writes
    (and ``marker``, with this layout): never delete a file the command did not create."""
    recorded = _read_json(folder / marker)
    if not (isinstance(recorded, dict) and recorded.get("layout") == LAYOUT):
        raise FileExistsError(f"{folder}: exists and was not made by this command "
                              "(nothing was written)")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        ours = relative[0] in _OURS and (
            len(relative) == 1
            or (relative[0] in _ALL_PARTITIONED and relative[1].startswith("batch=")
                and (len(relative) == 2 or (len(relative) == 3 and relative[2] in (
                    "part.parquet", ".part.parquet.partial")))))
        if not ours:
            raise FileExistsError(f"{folder}: holds {path.relative_to(folder)}, which this "
                                  "command did not write; move it out or choose another folder "
                                  "(nothing was written)")
