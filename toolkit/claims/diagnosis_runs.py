"""Simulating the datasets of the diagnosis: ``toolkit diagnose``.

One simulated dataset serves every test whose matrix names its world and size, and every size:
each world has one *pool* of simulated sessions (or creators over
:data:`toolkit.claims.diagnosis.DAYS` days), as many as its largest need (at most 100
datasets of 2,000 sessions), and the datasets of each size are cut from it in order (the
first 2,000 sessions are one dataset of 2,000, five of 400 and twenty of 100). Datasets of one
size are independent (sessions, and creators, are independent in the model), which is what
each row's error rate needs; results at two sizes share sessions, as two studies of the same
population would.

The pool is simulated in jobs of :data:`SESSIONS_PER_JOB` sessions (or
:data:`CREATORS_PER_JOB` creators), each with its own seed ``[seed, world, unit, first
unit]``, so the results are the same whatever the number of workers; each job's rows are
written (atomically) as soon as they are done, so an interrupted ``toolkit diagnose`` resumes
where it stopped. See :mod:`toolkit.claims.diagnosis` for what is measured.

A world named ``<world>@recorded`` is ``<world>``'s sessions as a LIVE client records them:
each job's simulation (the very sessions of ``<world>``'s job, same seed) goes through a
*recorder* (:func:`toolkit.recordings.delivery.as_recorded`:
wire messages, the ingest checks and counting rules) before the tests see it, so its rows are
the test's error rates on recordings. The claims layer does not import the recordings layer, so
the caller passes the recorder (``toolkit diagnose`` does).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numba
import numpy as np
import polars as pl

from toolkit import __version__
from toolkit.claims.calibration import make_dataset, reply_window_lift
from toolkit.claims.diagnosis import (
    CREATOR_CLAIMS,
    CREATOR_SIZES,
    SIZES,
    Plan,
    design_matrix,
    order_rows,
    summarise,
)
from toolkit.claims.measurement import RECORDED, simulated_world
from toolkit.claims.registry import CLAIMS, claim
from toolkit.events.dataset import Dataset
from toolkit.events.manifest import atomic_file
from toolkit.simulation.runner import run_datasets
from toolkit.simulation.worlds import World, world

__all__ = [
    "SESSIONS_PER_JOB", "CREATORS_PER_JOB", "TRUTHS", "POPULATION_CLAIMS",
    "POPULATION_SESSIONS", "call_minute_lift", "weekly_budget_elasticity",
    "reply_window_lift", "Population",
    "populations", "Task", "Job",
    "jobs", "diagnose", "write_diagnosis", "RECORDED", "Recorder", "simulated_world",
]

#: What turns a simulated dataset into a recorded one (a seeded generator for its draws).
Recorder = Callable[[Dataset, np.random.Generator], Dataset]

#: Sessions simulated per job: a multiple of every size in :data:`SIZES`.
SESSIONS_PER_JOB = 2000
#: Creators simulated per job: a multiple of every size in :data:`CREATOR_SIZES`.
CREATORS_PER_JOB = 3000


@dataclass(frozen=True)
class Task:
    """Datasets ``first .. first + count - 1`` of ``size`` units, for these claims' tests."""

    size: int
    first: int
    count: int
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Job:
    """One simulation of ``units`` sessions (or creators) of a world's pool, from unit
    ``first_unit`` on, and the datasets cut from it."""

    world: str
    creators: bool
    first_unit: int
    units: int
    tasks: tuple[Task, ...]
    seed: tuple[int, ...]

    @property
    def key(self) -> str:
        """File name of the job's rows (world, unit, first unit, units)."""
        unit = "creators" if self.creators else "sessions"
        return f"{self.world}__{unit}__{self.first_unit:07d}+{self.units}"


def _world_code(name: str) -> int:
    """A stable number for a world name (adding worlds does not change the others' seeds).

    A recorded world has its simulated world's number: its datasets are recordings of that
    world's very datasets, so the two worlds' rows differ by the recording alone."""
    return zlib.crc32(simulated_world(name)[0].encode()) % 2**31


def jobs(plan: Plan = Plan(), ids: Iterable[str] | None = None, seed: int = 2026) -> list[Job]:
    """The jobs of a diagnosis: every world's pool, in blocks, in a fixed order (by the share
    of its world's pool a block starts at, so every world's first blocks come first)."""
    matrix = design_matrix(ids)
    needs: dict[tuple[str, bool], dict[int, tuple[int, set[str]]]] = {}
    for row in matrix.iter_rows(named=True):
        creators = row["claim"] in CREATOR_CLAIMS
        counts = plan.holds if row["sign"] > 0 else plan.null
        cell = needs.setdefault((row["world"], creators), {})
        for size, count in zip(CREATOR_SIZES if creators else SIZES, counts, strict=True):
            if count:
                old, members = cell.get(size, (0, set()))
                cell[size] = (max(old, count), members | {row["claim"]})
    out: list[tuple[float, Job]] = []
    for (name, creators), cell in sorted(needs.items()):
        per_job = CREATORS_PER_JOB if creators else SESSIONS_PER_JOB
        if any(per_job % size for size in cell):
            raise ValueError(f"{per_job} units per job is not a multiple of every size "
                             f"{sorted(cell)}")
        pool = max((size * count for size, (count, _) in cell.items()), default=0)
        for first_unit in range(0, pool, per_job):  # whole blocks, so that a smaller
            units = per_job                         # plan's jobs are a larger plan's
            tasks = []
            for size, (count, members) in sorted(cell.items()):
                first = first_unit // size
                last = min(count, (first_unit + units) // size)
                if last > first:
                    order = tuple(c.id for c in CLAIMS if c.id in members)
                    tasks.append(Task(size, first, last - first, order))
            out.append((first_unit / pool, Job(name, creators, first_unit, units, tuple(tasks),
                           (seed, _world_code(name), int(creators), first_unit))))
    # in order of the share of its world's pool a job starts at: an unfinished run has about
    # the same share of every world done, which a smaller plan (``Plan.scaled``) can use
    return [job for _, job in sorted(out, key=lambda o: (o[0], o[1].creators, o[1].world,
                                                         o[1].first_unit))]


def _simulate(job: Job, recorder: Recorder | None = None) -> Dataset:
    """The job's one simulation: its block of the world's pool (recorded, for a world named
    ``...@recorded``, with draws of their own: unit code 3 of the job's seed)."""
    base, recorded = simulated_world(job.world)
    data = make_dataset(base, job.units, job.seed, creators=job.creators)
    if not recorded:
        return data
    if recorder is None:
        raise ValueError(f"world {job.world!r} needs a recorder: pass "
                         "recorder=toolkit.recordings.delivery.as_recorded")
    return recorder(data, np.random.default_rng([*job.seed, 3])).renamed(job.world)


def _blocks(data: Dataset, job: Job, task: Task) -> list[Dataset]:
    """Cut the task's ``count`` datasets of ``size`` sessions or creators from the job's
    simulation, in order (dataset ``task.first`` starts at unit ``task.first * size``)."""
    if not job.creators:
        sliced = _slices(data, job, task)
        if sliced is not None:
            return sliced
    unit = "creator_id" if job.creators else "session_id"
    source = data.table("creators") if job.creators else data.table("sessions")
    offset = task.first * task.size - job.first_unit
    block = source.select(unit, block=((pl.int_range(pl.len()) - offset) // task.size)
                          .cast(pl.Int32)).filter(pl.col("block").is_between(0, task.count - 1))
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
    for b in range(task.count):
        tables = {name: parts[name].get(b, data.table(name).clear()) for name in parts}
        out.append(Dataset.from_tables(**tables, source=data.source,
                                       name=f"{job.world} #{task.first + b}"))
    return out


def _slices(data: Dataset, job: Job, task: Task) -> list[Dataset] | None:
    """:func:`_blocks` for sessions, by slicing: a simulation's tables hold each session's
    rows together, in the order of the sessions table, so each dataset is one slice of each
    table (no join). None when a table is not in that order (then the join does it)."""
    order = {sid: i for i, sid in enumerate(data.table("sessions")["session_id"].to_list())}
    offset = task.first * task.size - job.first_unit
    bounds = [offset + b * task.size for b in range(task.count + 1)]
    cuts: dict[str, list[pl.DataFrame]] = {}
    for name, frame in data.tables().items():
        table = frame.collect()
        if "session_id" not in table.columns:
            return None
        runs = table["session_id"].rle().struct.unnest()
        if runs["value"].null_count():
            return None
        position = np.array([order.get(v, -1) for v in runs["value"].to_list()], dtype=np.int64)
        if (position < 0).any() or (np.diff(position) <= 0).any():
            return None
        starts = np.concatenate([[0], np.cumsum(runs["len"].to_numpy())])
        rows = starts[np.searchsorted(position, bounds)]
        cuts[name] = [table.slice(int(rows[b]), int(rows[b + 1] - rows[b]))
                      for b in range(task.count)]
    return [Dataset.from_tables(**{name: parts[b] for name, parts in cuts.items()},
                                source=data.source, name=f"{job.world} #{task.first + b}")
            for b in range(task.count)]


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


def weekly_budget_elasticity(w: World) -> float:
    """The truth C8's test targets: the elasticity of a creator's expected weekly coins to
    their LIVEs that week, ``1 - gift_budget_split``.

    Each LIVE's gift rates are multiplied by ``(usual / k) ** split`` in a week of ``k``
    LIVEs. The expected coins of a LIVE are proportional to that factor only when gifts feed
    back into nothing (``gift_weight`` and ``gift_excitation`` 0, as in ``fan_budget``);
    otherwise fewer gifts also mean less visibility and less herding, the elasticity is
    below ``1 - split``, and the parameters do not give it (nan), except at ``split = 0``,
    where nothing is scaled and it is 1. Ignored: follower growth from one LIVE to the next
    (about 0.2 % a week at the median), and the kernel's cap of one gift per gifter per step,
    which makes a LIVE's gifts grow a little less than in proportion to its rate (in
    ``fan_budget`` the elasticity is then about +0.02 to +0.05, not 0; see
    ``docs/simulator.md``, "Weekly budgets").
    """
    split = w.gift_budget_split
    if split > 0 and (w.gift_weight != 0 or w.gift_excitation != 0):
        return math.nan
    return 1.0 - split


#: Claims whose estimand the model's parameters give in every world of their matrix.
TRUTHS: dict[str, Callable[[World], float]] = {"C17": call_minute_lift,
                                               "C8": weekly_budget_elasticity,
                                               "C9": reply_window_lift}
#: Association claims whose estimand, where the claim (or its opposite) holds, is a
#: *population value*: the test's own estimate on :data:`POPULATION_SESSIONS` sessions of the
#: world, simulated apart from the datasets (an association has no other truth). In a null
#: world the estimand stays the claim's null value.
POPULATION_CLAIMS: tuple[str, ...] = ("C15", "C16", "C18", "C20", "C22")
POPULATION_SESSIONS = 10_000


@dataclass(frozen=True)
class Population:
    """One world's population, simulated once for the association claims that hold there."""

    world: str
    claims: tuple[str, ...]
    seed: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"population__{self.world}"


def populations(ids: Iterable[str] | None = None, seed: int = 2026) -> list[Population]:
    """The populations a diagnosis needs: one per world where an association claim of
    :data:`POPULATION_CLAIMS` (or its opposite) holds. The seed's unit code 2 is one that no
    job uses, so a population shares no draws with the datasets."""
    rows = design_matrix(ids).filter(pl.col("claim").is_in(POPULATION_CLAIMS)
                                     & (pl.col("sign") != 0))
    members: dict[str, set[str]] = {}
    for claim_id, name in rows.select("claim", "world").iter_rows():
        members.setdefault(name, set()).add(claim_id)
    return [Population(name, tuple(c.id for c in CLAIMS if c.id in members[name]),
                       (seed, _world_code(name), 2, 0)) for name in sorted(members)]


def _make_population(pending: list[Population], index: int) -> Dataset:
    return make_dataset(pending[index].world, POPULATION_SESSIONS, pending[index].seed)


def _population_rows(folder: Path, pending: list[Population], data: Dataset,
                     index: int) -> int:
    """Each claim's estimate on the population, written (atomically) to the world's file."""
    job = pending[index]
    rows = []
    for claim_id in job.claims:
        test = claim(claim_id).function()
        assert test is not None
        e = test(data, np.random.default_rng([*job.seed, int(claim_id[1:])]))
        rows.append({"claim": claim_id, "world": job.world, "population": e.estimate})
    table = pl.DataFrame(rows, schema=POPULATION_SCHEMA)
    target = folder / f"{job.key}.parquet"
    if target.is_file():
        kept = pl.read_parquet(target).filter(~pl.col("claim").is_in(list(job.claims)))
        table = pl.concat([kept, table]).sort("claim")
    _write_parquet(table, target)
    return len(rows)


POPULATION_SCHEMA: dict[str, pl.DataType] = {
    "claim": pl.String(), "world": pl.String(), "population": pl.Float64()}


ROW_SCHEMA: dict[str, pl.DataType] = {
    "claim": pl.String(), "world": pl.String(), "size": pl.Int64(), "replicate": pl.Int64(),
    "estimate": pl.Float64(), "low": pl.Float64(), "high": pl.Float64(),
    "p_value": pl.Float64(), "verdict": pl.String(), "truth": pl.Float64(),
}


def _run_job(folder: Path, job: Job, data: Dataset, index: int) -> int:
    """Run the job's tests on each of its datasets and write the rows (atomically)."""
    del index
    claims = {c for task in job.tasks for c in task.claims}
    truths = {c: TRUTHS[c](world(simulated_world(job.world)[0])) if c in TRUTHS else math.nan
              for c in claims}
    rows = []
    for task in job.tasks:
        for b, block in enumerate(_blocks(data, job, task)):
            replicate = task.first + b
            for claim_id in task.claims:
                test = claim(claim_id).function()
                assert test is not None
                e = test(block, np.random.default_rng(
                    [*job.seed, task.size, replicate, int(claim_id[1:])]))
                rows.append({"claim": claim_id, "world": job.world, "size": task.size,
                             "replicate": replicate, "estimate": e.estimate, "low": e.low,
                             "high": e.high, "p_value": e.p_value, "verdict": e.verdict,
                             "truth": truths[claim_id]})
    table = pl.DataFrame(rows, schema=ROW_SCHEMA)
    target = folder / f"{job.key}.parquet"
    if target.is_file():  # rows of the job's other claims stay; its own are replaced
        done = pl.DataFrame([(c, t.size) for t in job.tasks for c in t.claims],
                            schema={"claim": pl.String(), "size": pl.Int64()}, orient="row")
        kept = pl.read_parquet(target).join(done, on=["claim", "size"], how="anti")
        table = pl.concat([kept, table])
    table = table.sort("size", "replicate", "claim")
    _write_parquet(table, target)
    return len(rows)


def _make(pending: list[Job], recorder: Recorder | None, index: int) -> Dataset:
    return _simulate(pending[index], recorder)


def _statistic(folder: Path, pending: list[Job], data: Dataset, index: int) -> int:
    return _run_job(folder, pending[index], data, index)


def _missing(path: Path, job: Job, redo: bool) -> Job | None:
    """The job restricted to the claims and sizes whose rows (every dataset of the task) it
    still lacks (None if it has them all)."""
    if redo or not path.is_file():
        return job
    have = set(pl.read_parquet(path, columns=["claim", "size", "replicate"]).iter_rows())
    tasks = []
    for task in job.tasks:
        wanted = range(task.first, task.first + task.count)
        claims = tuple(c for c in task.claims
                       if any((c, task.size, r) not in have for r in wanted))
        if claims:
            tasks.append(dataclasses.replace(task, claims=claims))
    return dataclasses.replace(job, tasks=tuple(tasks)) if tasks else None


def diagnose(folder: str | Path, plan: Plan = Plan(), ids: Iterable[str] | None = None,
             seed: int = 2026, workers: int = 1,
             progress: Callable[[int, int], None] | None = None,
             redo: bool = False, report: dict[str, int] | None = None,
             scheduler: str | None = None, recorder: Recorder | None = None,
             worlds: Iterable[str] | None = None) -> pl.DataFrame:
    """Run (or resume) the diagnosis, writing each job's rows under ``folder/runs``.

    Jobs whose rows are already there are skipped, so an interrupted run resumes; a job that
    lacks some claims' rows (a claim added to a world's matrix) runs for those claims only.
    With ``redo``, the chosen claims' rows are computed again (after a test changed): the
    same datasets, since each job's seed is fixed, and the other claims' rows stay. Then the
    populations of the association claims (:func:`populations`) are simulated the same way,
    and their values fill the ``truth`` column where the claim holds. ``report``, when
    given, receives the numbers of jobs run and reused (``jobs_run``, ``jobs_reused``,
    ``populations_run``). ``scheduler`` runs the jobs on Dask
    (:func:`toolkit.simulation.runner.run_datasets`); the workers write the job files, so
    ``folder`` must be on a file system they share. The rows do not depend on where or in
    how many processes the jobs ran: each job's seed is fixed. ``recorder`` records the
    datasets of the worlds named ``...@recorded`` (required when the plan has any).
    ``worlds`` keeps only these worlds' jobs and populations (a world just added to a matrix;
    :func:`write_diagnosis` then keeps the stored rows of the others).

    Returns
    -------
    polars.DataFrame
        Every dataset's result (``claim``, ``world``, ``size``, ``replicate``, ``estimate``,
        ``low``, ``high``, ``p_value``, ``verdict``, ``truth``) of this plan's jobs.
    """
    runs = Path(folder) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    _check_seed(runs, seed)
    every = jobs(plan, ids, seed)
    if worlds is not None:
        chosen = set(worlds)
        unknown = chosen - {j.world for j in every}
        if unknown:
            raise ValueError(f"worlds {sorted(unknown)} are in no matrix of the chosen claims")
        every = [j for j in every if j.world in chosen]
    if redo:  # the chosen claims' old rows go everywhere, not only in this plan's jobs
        _forget(runs, set(ids) if ids is not None else {c.id for c in CLAIMS},
                set(worlds) if worlds is not None else None)
    pending = [j for j in (_missing(runs / f"{job.key}.parquet", job, redo) for job in every)
               if j is not None]
    if recorder is None and any(simulated_world(j.world)[1] for j in pending):
        raise ValueError("the plan has recorded worlds (...@recorded): pass recorder="
                         "toolkit.recordings.delivery.as_recorded")
    if pending:
        run_datasets(partial(_make, pending, recorder), partial(_statistic, runs, pending),
                     len(pending), workers=workers, progress=progress, scheduler=scheduler)
    needed = [q for q in populations(ids, seed) if worlds is None or q.world in set(worlds)]
    missing = [p for p in (_missing_population(runs / f"{q.key}.parquet", q, redo)
                           for q in needed) if p is not None]
    if missing:
        run_datasets(partial(_make_population, missing),
                     partial(_population_rows, runs, missing), len(missing), workers=workers,
                     progress=progress, scheduler=scheduler)
    if report is not None:
        report.update(jobs_run=len(pending), jobs_reused=len(every) - len(pending),
                      populations_run=len(missing))
    wanted = set(ids) if ids is not None else None
    parts = [_planned_rows(runs / f"{j.key}.parquet", j) for j in every]
    table = pl.concat(parts) if parts else pl.DataFrame(schema=ROW_SCHEMA)
    found = [pl.read_parquet(runs / f"{q.key}.parquet").filter(
        pl.col("claim").is_in(list(q.claims))) for q in needed]
    if found:  # the population value is the truth where the simulation knew no other
        known = pl.concat(found)
        table = table.join(known, on=["claim", "world"], how="left").with_columns(
            truth=pl.when(pl.col("truth").is_nan() & pl.col("population").is_not_null())
            .then(pl.col("population")).otherwise(pl.col("truth"))).drop("population")
    table = table.sort("claim", "world", "size", "replicate")
    return table.filter(pl.col("claim").is_in(list(wanted))) if wanted else table


def _write_parquet(table: pl.DataFrame, target: Path) -> None:
    """Write ``target`` atomically (:func:`toolkit.events.manifest.atomic_file`), so an
    interrupted run leaves the previous file (or none) and never half of one."""
    with atomic_file(target) as partial:
        table.write_parquet(partial)


def _check_seed(runs: Path, seed: int) -> None:
    """A ``runs`` folder holds one seed's jobs (their file names do not carry it)."""
    stamp = runs / "seed.json"
    if stamp.is_file():
        stored = json.loads(stamp.read_text())["seed"]
        if stored != seed:
            raise ValueError(f"{runs} holds the jobs of seed {stored}, not {seed}: use "
                             "another --out folder for another seed")
    else:
        stamp.write_text(json.dumps({"seed": seed}) + "\n")


def _forget(runs: Path, claims: set[str], worlds: set[str] | None = None) -> None:
    """Remove these claims' rows (in these worlds) from every stored job and population
    (``--redo``)."""
    for path in sorted(runs.glob("*.parquet")):
        rows = pl.read_parquet(path)
        forgotten = pl.col("claim").is_in(list(claims))
        if worlds is not None:
            forgotten = forgotten & pl.col("world").is_in(list(worlds))
        kept = rows.filter(~forgotten)
        if kept.height < rows.height:
            _write_parquet(kept, path)


def _planned_rows(path: Path, job: Job) -> pl.DataFrame:
    """A job's stored rows that belong to its tasks (a larger plan's run may have stored more
    datasets in the same job)."""
    rows = pl.read_parquet(path)
    keep = pl.lit(False)
    for task in job.tasks:
        keep = keep | ((pl.col("size") == task.size)
                       & pl.col("replicate").is_between(task.first, task.first + task.count - 1)
                       & pl.col("claim").is_in(list(task.claims)))
    return rows.filter(keep)


def _missing_population(path: Path, job: Population, redo: bool) -> Population | None:
    if redo or not path.is_file():
        return job
    have = set(pl.read_parquet(path, columns=["claim"])["claim"])
    claims = tuple(c for c in job.claims if c not in have)
    return dataclasses.replace(job, claims=claims) if claims else None


def write_diagnosis(folder: str | Path, runs: pl.DataFrame, command: str, seconds: float,
                    plan: Plan, keep: Iterable[str] | None = None,
                    report: dict[str, int] | None = None,
                    worlds: Iterable[str] | None = None) -> pl.DataFrame:
    """Summarise the runs and write ``diagnosis.csv``, ``diagnosis.json`` (the command,
    plan, versions and time) and ``diagnosis_runs.parquet`` (every dataset's result)
    atomically; returns the summary.

    With ``keep`` (the claims that were rerun), every other claim's stored rows stay, in
    the summary and in the per-dataset results, and ``diagnosis.json`` keeps the record of
    the run that made them, adding this one to its ``partial_runs``. With ``worlds`` as well,
    only these claims' rows in these worlds are replaced (the claims' summary is made again
    from their stored and new per-dataset results).
    """
    folder = Path(folder)
    rerun = list(keep) if keep is not None else None
    ordered = runs.sort("claim", "world", "size", "replicate")
    if rerun is None and worlds is not None:
        raise ValueError("write_diagnosis: worlds needs keep (the claims that were rerun)")
    if rerun is not None and (folder / "diagnosis_runs.parquet").is_file():
        replaced = pl.col("claim").is_in(rerun)
        if worlds is not None:
            replaced = replaced & pl.col("world").is_in(list(worlds))
        stored = pl.read_parquet(folder / "diagnosis_runs.parquet").filter(~replaced)
        ordered = pl.concat([stored, ordered.select(stored.columns)]).sort(
            "claim", "world", "size", "replicate")
    table = summarise(ordered.filter(pl.col("claim").is_in(rerun)) if rerun is not None
                      else ordered)
    if rerun is not None and (folder / "diagnosis.csv").is_file():
        kept = pl.read_csv(folder / "diagnosis.csv").filter(~pl.col("claim").is_in(rerun))
        table = order_rows(pl.concat([kept, table], how="diagonal_relaxed"))
    with atomic_file(folder / "diagnosis.csv") as temporary:  # renamed after the parquet
        table.with_columns(pl.col(pl.Float64).round(4)).write_csv(temporary)
        _write_parquet(ordered, folder / "diagnosis_runs.parquet")
    this = {"command": command, "seconds": round(seconds), **(report or {}),
            "written": time.strftime("%Y-%m-%d", time.gmtime())}
    versions = {"toolkit": __version__, "polars": pl.__version__, "numpy": np.__version__,
                "numba": numba.__version__}
    previous = folder / "diagnosis.json"
    if rerun is not None and previous.is_file():
        about = json.loads(previous.read_text())
        about["partial_runs"] = [*about.get("partial_runs", []),
                                 {**this, "claims": rerun, "versions": versions,
                                  **({"worlds": list(worlds)} if worlds is not None else {})}]
        about["datasets"] = int(ordered.select("world", "size", "replicate").unique().height)
    else:
        about = {**this, "plan": {
            "sizes": list(SIZES), "creator_sizes": list(CREATOR_SIZES),
            "holds": list(plan.holds), "null": list(plan.null)},
            "datasets": int(ordered.select("world", "size", "replicate").unique().height),
            "versions": versions}
    with atomic_file(previous) as partial:
        partial.write_text(json.dumps(about, indent=2) + "\n")
    return table
