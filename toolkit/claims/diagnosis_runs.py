"""Simulating the datasets of the diagnosis: ``toolkit diagnose``.

One simulated dataset serves every test whose matrix names its world and size. Datasets are
made in jobs of about :data:`SESSIONS_PER_JOB` sessions (or :data:`CREATORS_PER_JOB` creators
over :data:`toolkit.claims.diagnosis.DAYS` days): one simulation, split into independent
datasets (sessions, and creators, are independent in the model). Each job has its own seed
``[seed, world, unit, size, first dataset]``, so the results are the same whatever the
number of workers, and each job's rows are written (atomically) as soon as they are done, so
an interrupted ``toolkit diagnose`` resumes where it stopped. See
:mod:`toolkit.claims.diagnosis` for what is measured.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from toolkit import __version__
from toolkit.claims.calibration import make_dataset
from toolkit.claims.diagnosis import (
    CREATOR_CLAIMS,
    CREATOR_SIZES,
    SIZES,
    Plan,
    design_matrix,
    order_rows,
    summarise,
)
from toolkit.claims.registry import CLAIMS, claim
from toolkit.events.dataset import Dataset
from toolkit.simulation.runner import run_datasets
from toolkit.simulation.worlds import World, world

__all__ = [
    "SESSIONS_PER_JOB", "CREATORS_PER_JOB", "TRUTHS", "call_minute_lift", "Job", "jobs",
    "diagnose", "write_diagnosis",
]

SESSIONS_PER_JOB = 2000
CREATORS_PER_JOB = 3000


@dataclass(frozen=True)
class Job:
    """One simulation, split into ``count`` datasets of ``size`` units."""

    world: str
    creators: bool
    size: int
    first: int
    count: int
    claims: tuple[str, ...]
    seed: tuple[int, ...]

    @property
    def key(self) -> str:
        """File name of the job's rows (world, unit, size, first dataset, count)."""
        unit = "creators" if self.creators else "sessions"
        return f"{self.world}__{unit}{self.size}__{self.first:05d}+{self.count}"


def _world_code(name: str) -> int:
    """A stable number for a world name (adding worlds does not change the others' seeds)."""
    return zlib.crc32(name.encode()) % 2**31


def jobs(plan: Plan = Plan(), ids: Iterable[str] | None = None, seed: int = 2026) -> list[Job]:
    """The jobs of a diagnosis: every world, size and block of datasets, in a fixed order."""
    matrix = design_matrix(ids)
    cells: dict[tuple[str, bool, int], tuple[int, set[str]]] = {}
    for row in matrix.iter_rows(named=True):
        creators = row["claim"] in CREATOR_CLAIMS
        counts = plan.holds if row["sign"] > 0 else plan.null
        for size, count in zip(CREATOR_SIZES if creators else SIZES, counts, strict=True):
            if count:
                key = (row["world"], creators, size)
                old, members = cells.get(key, (0, set()))
                cells[key] = (max(old, count), members | {row["claim"]})
    out = []
    for (name, creators, size), (count, members) in sorted(cells.items()):
        per_job = max(1, (CREATORS_PER_JOB if creators else SESSIONS_PER_JOB) // size)
        order = tuple(c.id for c in CLAIMS if c.id in members)
        for first in range(0, count, per_job):
            out.append(Job(name, creators, size, first, min(per_job, count - first), order,
                           (seed, _world_code(name), int(creators), size, first)))
    return out


def _simulate(job: Job) -> Dataset:
    """The job's one simulation: all its datasets' sessions (or creators) together."""
    return make_dataset(job.world, job.size * job.count, job.seed, creators=job.creators)


def _blocks(data: Dataset, job: Job) -> list[Dataset]:
    """Split a job's simulation into its ``count`` datasets of ``size`` sessions or creators."""
    unit = "creator_id" if job.creators else "session_id"
    source = data.table("creators") if job.creators else data.table("sessions")
    block = source.select(unit, block=(pl.int_range(pl.len()) // job.size).cast(pl.Int32))
    session_block = data.table("sessions").select("session_id", "creator_id").join(
        block, on=unit).select("session_id", "block")
    parts: dict[str, dict[int, pl.DataFrame]] = {}
    for name, frame in data.tables().items():
        table = frame.collect()
        key, mapping = ((unit, block) if unit in table.columns and "session_id" not in
                        table.columns else ("session_id", session_block))
        joined = table.join(mapping, on=key, how="inner")
        parts[name] = {k[0]: v.drop("block") for k, v in
                       joined.partition_by("block", as_dict=True).items()}
    out = []
    for b in range(job.count):
        tables = {name: parts[name].get(b, data.table(name).clear()) for name in parts}
        out.append(Dataset.from_tables(**tables, source="simulated",
                                       name=f"{job.world} #{job.first + b}"))
    return out


def call_minute_lift(w: World) -> float:
    """The truth C17's test targets: log of the factor by which calls multiply hearts in the
    minutes they touch, from the world's parameters.

    A call multiplies tapping by ``cta_tap_lift`` for ``L`` steps; starting at a uniform step
    of a minute of ``m`` steps, it touches ``1 + (L - 1) / m`` minutes on average, so the steps
    under the call are a share ``L / (m + L - 1)`` of the flagged minutes' steps:
    ``log(1 + (lift - 1) x L / (m + L - 1))`` (0 when calls are ignored). Overlapping calls and
    calls cut by the end of a LIVE are ignored (a few per cent of calls).
    """
    m = 60 // w.step_seconds
    length = max(1, round(w.cta_minutes * m))
    return math.log(1 + (w.cta_tap_lift - 1) * length / (m + length - 1))


#: Claims whose estimand the model's parameters give in every world of their matrix.
TRUTHS: dict[str, Callable[[World], float]] = {"C17": call_minute_lift}


ROW_SCHEMA: dict[str, pl.DataType] = {
    "claim": pl.String(), "world": pl.String(), "size": pl.Int64(), "replicate": pl.Int64(),
    "estimate": pl.Float64(), "low": pl.Float64(), "high": pl.Float64(),
    "p_value": pl.Float64(), "verdict": pl.String(), "truth": pl.Float64(),
}


def _run_job(folder: Path, job: Job, data: Dataset, index: int) -> int:
    """Run the job's tests on each of its datasets and write the rows (atomically)."""
    del index
    truths = {c: TRUTHS[c](world(job.world)) if c in TRUTHS else math.nan for c in job.claims}
    rows = []
    for b, block in enumerate(_blocks(data, job)):
        replicate = job.first + b
        for claim_id in job.claims:
            test = claim(claim_id).function()
            assert test is not None
            e = test(block, np.random.default_rng([*job.seed, replicate, int(claim_id[1:])]))
            rows.append({"claim": claim_id, "world": job.world, "size": job.size,
                         "replicate": replicate, "estimate": e.estimate, "low": e.low,
                         "high": e.high, "p_value": e.p_value, "verdict": e.verdict,
                         "truth": truths[claim_id]})
    table = pl.DataFrame(rows, schema=ROW_SCHEMA)
    target = folder / f"{job.key}.parquet"
    if target.is_file():  # rows of the job's other claims stay; its own are replaced
        kept = pl.read_parquet(target).filter(~pl.col("claim").is_in(list(job.claims)))
        table = pl.concat([kept, table]).sort("replicate", "claim")
    partial_file = target.with_suffix(".parquet.part")
    table.write_parquet(partial_file)
    os.replace(partial_file, target)
    return len(rows)


def _make(pending: list[Job], index: int) -> Dataset:
    return _simulate(pending[index])


def _statistic(folder: Path, pending: list[Job], data: Dataset, index: int) -> int:
    return _run_job(folder, pending[index], data, index)


def _missing(path: Path, job: Job, redo: bool) -> Job | None:
    """The job restricted to the claims whose rows it still lacks (None if it has them all)."""
    if redo or not path.is_file():
        return job
    have = set(pl.read_parquet(path, columns=["claim"])["claim"].unique())
    claims = tuple(c for c in job.claims if c not in have)
    return dataclasses.replace(job, claims=claims) if claims else None


def diagnose(folder: str | Path, plan: Plan = Plan(), ids: Iterable[str] | None = None,
             seed: int = 2026, workers: int = 1,
             progress: Callable[[int, int], None] | None = None,
             redo: bool = False) -> pl.DataFrame:
    """Run (or resume) the diagnosis, writing each job's rows under ``folder/runs``.

    Jobs whose rows are already there are skipped, so an interrupted run resumes; a job that
    lacks some claims' rows (a claim added to a world's matrix) runs for those claims only.
    With ``redo``, the chosen claims' rows are computed again (after a test changed): the
    same datasets, since each job's seed is fixed, and the other claims' rows stay.

    Returns
    -------
    polars.DataFrame
        Every dataset's result (``claim``, ``world``, ``size``, ``replicate``, ``estimate``,
        ``low``, ``high``, ``p_value``, ``verdict``) of this plan's jobs.
    """
    runs = Path(folder) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    every = jobs(plan, ids, seed)
    pending = [j for j in (_missing(runs / f"{job.key}.parquet", job, redo) for job in every)
               if j is not None]
    if pending:
        run_datasets(partial(_make, pending), partial(_statistic, runs, pending), len(pending),
                     workers=workers, progress=progress)
    wanted = set(ids) if ids is not None else None
    parts = [pl.read_parquet(runs / f"{j.key}.parquet") for j in every]
    table = pl.concat(parts) if parts else pl.DataFrame(schema=ROW_SCHEMA)
    return table.filter(pl.col("claim").is_in(list(wanted))) if wanted else table




def write_diagnosis(folder: str | Path, runs: pl.DataFrame, command: str, seconds: float,
                    plan: Plan, keep: Iterable[str] | None = None) -> pl.DataFrame:
    """Summarise the runs and write ``diagnosis.csv``, ``diagnosis.json`` (the command,
    plan, versions and time) and ``diagnosis_runs.parquet`` (every dataset's result)
    atomically; returns the summary.

    With ``keep`` (the claims that were rerun), the stored rows of every other claim stay.
    """
    folder = Path(folder)
    table = summarise(runs)
    if keep is not None and (folder / "diagnosis.csv").is_file():
        kept = pl.read_csv(folder / "diagnosis.csv").filter(~pl.col("claim").is_in(list(keep)))
        table = order_rows(pl.concat([kept, table], how="diagonal_relaxed"))
    target = folder / "diagnosis.csv"
    temporary = folder / "diagnosis.csv.part"
    table.with_columns(pl.col(pl.Float64).round(4)).write_csv(temporary)
    if keep is None:  # every dataset's result, for charts (runs/ is the resumable cache)
        ordered = runs.sort("claim", "world", "size", "replicate")
        ordered.write_parquet(folder / "diagnosis_runs.parquet.part")
        os.replace(folder / "diagnosis_runs.parquet.part", folder / "diagnosis_runs.parquet")
    os.replace(temporary, target)
    about = {"command": command, "seconds": round(seconds), "plan": {
        "sizes": list(SIZES), "creator_sizes": list(CREATOR_SIZES), "holds": list(plan.holds),
        "null": list(plan.null)}, "datasets": int(runs.select("world", "size", "replicate")
                                                 .unique().height),
        "written": time.strftime("%Y-%m-%d", time.gmtime()),
        "versions": {"toolkit": __version__, "polars": pl.__version__, "numpy": np.__version__}}
    (folder / "diagnosis.json.part").write_text(json.dumps(about, indent=2) + "\n")
    os.replace(folder / "diagnosis.json.part", folder / "diagnosis.json")
    return table
