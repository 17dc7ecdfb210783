"""Simulated datasets on disk: writing them with bounded memory, and loading the bundled ones.

A simulated dataset is a folder with ``events.parquet`` (the canonical events table),
``platform.parquet`` (per session-minute: what only the platform knows), ``sessions.parquet``,
``viewers.parquet`` (true stays and bot labels) and ``world.json`` (every parameter of the
world, the seed and the versions that made it), and ``dataset.json``, the manifest written
last (:mod:`toolkit.events.manifest`: an interrupted run is refused on reading, never mixed
with the tables of an earlier one). :func:`write_simulation` writes one batch of sessions at a
time, so memory stays bounded whatever the number of sessions.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
import polars as pl

from toolkit import __version__, _paths
from toolkit._checks import check_count
from toolkit.events import manifest
from toolkit.events.dataset import Dataset
from toolkit.simulation.engine import CHUNK_SESSIONS, simulate_in_chunks
from toolkit.simulation.schedule import draw_sessions
from toolkit.simulation.worlds import World

__all__ = ["SIMULATED_TABLES", "write_simulation", "write_creator_simulation", "bundled"]

#: zstd level of simulated tables: 3 writes 2 million events in about 0.5 s; the bundled
#: datasets use 15 (a fifth smaller, about ten times slower to write).
COMPRESSION_LEVEL = 3

#: The parquet tables of a simulated dataset.
SIMULATED_TABLES = ("events", "platform", "sessions", "viewers")


def write_simulation(
    out: str | Path, world: World, n_sessions: int, seed: int,
    progress: Callable[[int, int], None] | None = None, compression_level: int = COMPRESSION_LEVEL,
) -> dict[str, Path]:
    """Simulate ``n_sessions`` sessions of ``world`` with ``seed`` and write them to ``out``.

    The result is identical, to the byte, for the same world, number of sessions, seed,
    compression level (zstd, 1 to 22) and package versions (recorded in ``world.json``).
    Batches of sessions are simulated and written one at a time, so memory stays bounded.

    Returns
    -------
    dict
        Path of each file written, by table name (and ``"world"``).
    """
    out = Path(out)
    n = check_count(n_sessions, "n_sessions")
    rng = np.random.default_rng(check_count(seed, "seed"))
    command = f"--sessions {n} --seed {seed} --compression-level {compression_level}"
    manifest.refuse_foreign(out, "toolkit simulate", _TABLE_FILES, marker="world.json",
                            keys=("world", "seed"))
    out.mkdir(parents=True, exist_ok=True)
    with manifest.staging(out) as stage:  # moved into place once every table is written
        paths = _simulate_into(stage, out, world, n, rng, progress, compression_level)
        paths["world"] = _write_world(stage, out, world, seed, n_sessions=n, command=command)
        stage.commit("simulated", _command(world, command),
                     {k: v for k, v in paths.items() if k != "world"})
    return paths


def _simulate_into(stage: manifest.Staging, out: Path, world: World, n: int,
                   rng: np.random.Generator, progress: Callable[[int, int], None] | None,
                   compression_level: int) -> dict[str, Path]:
    """Simulate and write every table of :func:`write_simulation` to ``stage``."""
    sessions = draw_sessions(world, n, rng)
    names: tuple[str, ...] = ("events", "platform", "viewers")
    if world.host_answers:  # a replies table
        names = (*names, "replies")
    paths = {name: out / f"{name}.parquet" for name in names}
    if n <= CHUNK_SESSIONS:  # one batch: written once, with no parts to join
        chunk = next(simulate_in_chunks(world, sessions, rng, progress))
        for name in names:
            _write(chunk.table(name), stage.path(paths[name].name), compression_level)
    else:  # parts in a folder of this run's own, removed at the end
        with tempfile.TemporaryDirectory(prefix=".parts-", dir=out) as folder:
            parts = Path(folder)
            for i, chunk in enumerate(simulate_in_chunks(world, sessions, rng, progress)):
                for name in names:  # parts: fast to write, joined and compressed once below
                    chunk.table(name).write_parquet(parts / f"{name}-{i:05d}.parquet",
                                                    compression="zstd", compression_level=1)
            for name in names:
                files = sorted(parts.glob(f"{name}-*.parquet"))
                pl.scan_parquet(files).sink_parquet(stage.path(paths[name].name),
                                                    compression="zstd",
                                                    compression_level=compression_level)
    _write(sessions, stage.path("sessions.parquet"), compression_level)
    paths["sessions"] = out / "sessions.parquet"
    return paths


def write_creator_simulation(
    out: str | Path, world: World, n_creators: int, n_days: int, seed: int,
    progress: Callable[[int, int], None] | None = None, compression_level: int = COMPRESSION_LEVEL,
) -> dict[str, Path]:
    """Simulate creators over days (:func:`toolkit.simulation.creators.simulate_creators`) and write them.

    Writes the four tables of :data:`SIMULATED_TABLES`, plus ``creators.parquet`` and ``videos.parquet``
    and ``world.json``. The whole run is held in memory (creators over days are small).
    """
    from toolkit.simulation.creators import simulate_creators

    out = Path(out)
    command = (f"--creators {n_creators} --days {n_days} --seed {seed} "
               f"--compression-level {compression_level}")
    manifest.refuse_foreign(out, "toolkit simulate", _TABLE_FILES, marker="world.json",
                            keys=("world", "seed"))
    run = simulate_creators(world, n_creators, n_days,
                            np.random.default_rng(check_count(seed, "seed")), progress)
    out.mkdir(parents=True, exist_ok=True)
    with manifest.staging(out) as stage:  # moved into place once every table is written
        paths = {}
        for name in (*SIMULATED_TABLES, "creators", "videos", "replies"):
            if run.has(name):
                _write(run.table(name), stage.path(f"{name}.parquet"), compression_level)
                paths[name] = out / f"{name}.parquet"
        paths["world"] = _write_world(stage, out, world, seed, n_creators=n_creators,
                                      n_days=n_days, command=command)
        stage.commit("simulated", _command(world, command),
                     {k: v for k, v in paths.items() if k != "world"})
    return paths


#: The files a simulation writes (any other command's file of these names is never replaced).
_TABLE_FILES = tuple(f"{name}.parquet" for name in (
    "events", "sessions", "platform", "viewers", "replies", "creators", "videos")) + (
    "world.json",)


def _write(frame: pl.DataFrame, path: Path, compression_level: int) -> Path:
    frame.write_parquet(path, compression="zstd", compression_level=compression_level)
    return path


def _command(world: World, arguments: str) -> str:
    return f"toolkit simulate --world {world.name} {arguments}"


def _write_world(stage: manifest.Staging, out: Path, world: World, seed: int, command: str,
                 **sizes: int) -> Path:
    """``world.json``: every parameter, the sizes, the seed, the command and the versions."""
    stage.path("world.json").write_text(json.dumps({  # moved into place with the tables
        "world": world.as_dict(),
        **sizes,
        "seed": seed,
        "command": _command(world, command),
        "versions": {"toolkit": __version__, "polars": pl.__version__,
                     "numpy": np.__version__, "numba": numba.__version__},
    }, indent=2) + "\n")
    return out / "world.json"


def bundled(name: str = "baseline") -> Dataset:
    """The simulated dataset shipped in ``data/simulated/<name>`` (see its README).

    ``"baseline"``: 2,000 LIVE sessions of the baseline world; ``"creators"``: 40 creators
    over 21 days (with their regular videos).
    """
    folder = _paths.data_dir() / "simulated" / name
    if not (folder / "events.parquet").is_file():
        raise FileNotFoundError(f"no bundled dataset {name!r} in {folder.parent} "
                                "(there are 'baseline' and 'creators')")
    return Dataset.from_folder(folder)
