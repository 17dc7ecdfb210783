"""Calibration and power of the claim tests, by simulation.

A test is worth reading only if it rarely cries wolf. For each claim with a world where it
is false (:attr:`toolkit.claims.Claim.fails_in`), :func:`calibrate` simulates many datasets
of that world, runs the claim's test on each, and counts how often it rejects "no effect" at
the 5 % level: the false-positive rate, which should be within two standard errors of 5 %.
:func:`power` does the same in the world where the claim holds, for several numbers of
sessions, and counts how often the test supports the claim.

Each dataset has its own seed ``[seed, world, replicate]``, so the tables are the same on
every machine and a run can be split across processes. ``toolkit calibrate`` writes
``data/calibration/calibration.csv`` and ``power.csv``; the notebooks read those stored
tables (regenerating them takes about 20 minutes on two cores).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TypedDict

import numpy as np
import polars as pl

from toolkit import __version__
from toolkit._paths import calibration_dir
from toolkit.claims.bots import test_c18
from toolkit.claims.herding import HerdingDesign, herding_test
from toolkit.claims.registry import CLAIMS, Claim, claim
from toolkit.events.dataset import Dataset
from toolkit.simulation.creators import simulate_creators
from toolkit.simulation.engine import simulate
from toolkit.simulation.runner import run_datasets
from toolkit.simulation.worlds import World, world
from toolkit.stats.estimates import proportion_interval

__all__ = [
    "CALIBRATED", "make_dataset", "replicate", "calibrate", "power", "status", "write_tables",
    "in_registry_order", "stored", "power_by_size", "HerdingRejectionRate",
    "herding_rejection_rate", "bot_verdict_rates",
]

ALPHA = 0.05
#: Claims whose tests are calibrated: a test and a world where the claim is false.
CALIBRATED: tuple[str, ...] = tuple(c.id for c in CLAIMS if c.test and c.fails_in)
#: Claims whose data are creators over days; their "sessions" count creators.
CREATOR_CLAIMS = ("C4",)
#: Claims whose null is one-sided and composite (the claim is false in many ways): their
#: false positives are counted as wrong "supported" verdicts, which should stay below the
#: top of the band (a conservative rate is fine).
ONE_SIDED = ("C2",)
DAYS = 14
#: One simulated dataset to test: world, claim ids, size, seed.
Job = tuple[str, tuple[str, ...], int, tuple[int, ...]]


def make_dataset(world_name: str, size: int, seed: Iterable[int], creators: bool = False
                 ) -> Dataset:
    """One simulated dataset of ``size`` sessions (or creators over :data:`DAYS` days)."""
    rng = np.random.default_rng(list(seed))
    if creators:
        return simulate_creators(world(world_name), size, DAYS, rng).renamed(world_name)
    return simulate(world(world_name), size, rng).renamed(world_name)


def _job_dataset(jobs: list[Job], index: int) -> Dataset:
    world_name, ids, size, seed = jobs[index]
    return make_dataset(world_name, size, seed, any(i in CREATOR_CLAIMS for i in ids))


def _job_rows(jobs: list[Job], data: Dataset, index: int) -> list[dict[str, object]]:
    """Run the job's claims' tests on its dataset (a worker's task)."""
    world_name, ids, size, seed = jobs[index]
    rows = []
    for claim_id in ids:
        test = claim(claim_id).function()
        assert test is not None
        evidence = test(data, np.random.default_rng([*seed, 1]))
        p = evidence.p_value
        rows.append({
            "claim": claim_id, "world": world_name, "size": size, "replicate": seed[-1],
            "estimate": evidence.estimate, "p_value": p,
            "rejected": p is not None and not math.isnan(p) and p < ALPHA,
            "supported": evidence.verdict == "supported",
        })
    return rows


def _run(jobs: list[Job], workers: int,
         progress: Callable[[int, int], None] | None) -> pl.DataFrame:
    parts = run_datasets(partial(_job_dataset, jobs), partial(_job_rows, jobs), len(jobs),
                         workers=workers, progress=progress)
    return pl.DataFrame([row for part in parts for row in part])


def replicate(claim_id: str, world_name: str, datasets: int, sessions: int, seed: int,
              workers: int = 1) -> pl.DataFrame:
    """Run one claim's test on ``datasets`` simulated datasets of one world.

    Returns
    -------
    polars.DataFrame
        One row per dataset: ``replicate``, ``estimate``, ``p_value``, ``rejected`` (p below
        5 %) and ``supported`` (the verdict), plus ``claim``, ``world`` and ``size``.
    """
    jobs: list[Job] = [(world_name, (claim_id,), sessions, (seed, 7, r)) for r in range(datasets)]
    return _run(jobs, workers, None)


def _groups(ids: Iterable[str], world_of: Callable[[Claim], str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for claim_id in ids:
        groups.setdefault(world_of(claim(claim_id)), []).append(claim_id)
    return groups


def calibrate(ids: Iterable[str] = CALIBRATED, datasets: int = 200, sessions: int = 100,
              seed: int = 2026, workers: int = 1, creators: int = 30,
              progress: Callable[[int, int], None] | None = None) -> pl.DataFrame:
    """False-positive rates of the claims' tests in the worlds where the claims are false.

    Parameters
    ----------
    ids : iterable of str
        Claims to calibrate (default: every one with a test and a false world).
    datasets : int
        Simulated datasets per world (at least 200 for the stored table).
    sessions, creators : int
        Size of each dataset (creators for the creators-over-days claims).
    seed : int
    workers : int
        Processes to use.

    Returns
    -------
    polars.DataFrame
        One row per claim: ``claim``, ``world``, ``datasets``, ``sessions``, ``rejections``,
        ``rate`` (false positives), ``se`` (binomial standard error at the nominal level),
        ``low``, ``high`` (the tolerance band) and ``status`` (see :func:`status`).
    """
    jobs: list[Job] = []
    names = sorted({c.fails_in[0] for c in CLAIMS if c.fails_in})
    for world_name, members in _groups(ids, lambda c: c.fails_in[0]).items():
        plain = tuple(m for m in members if m not in CREATOR_CLAIMS)
        over_days = tuple(m for m in members if m in CREATOR_CLAIMS)
        w = names.index(world_name)
        for r in range(datasets):
            if plain:
                jobs.append((world_name, plain, sessions, (seed, w, 0, r)))
            if over_days:
                jobs.append((world_name, over_days, creators, (seed, w, 1, r)))
    raw = _run(jobs, workers, progress)
    return summarise_calibration(raw)


def summarise_calibration(raw: pl.DataFrame) -> pl.DataFrame:
    """Per claim: false-positive rate and whether it is within tolerance."""
    se = math.sqrt(ALPHA * (1 - ALPHA))
    table = (
        raw.group_by("claim", "world")
        .agg(datasets=pl.len(), sessions=pl.col("size").first(),
             rejections=pl.col("rejected").sum(), false_support=pl.col("supported").sum())
        .with_columns(
            rate=pl.when(pl.col("claim").is_in(ONE_SIDED))
            .then(pl.col("false_support") / pl.col("datasets"))
            .otherwise(pl.col("rejections") / pl.col("datasets")),
            se=se / pl.col("datasets").sqrt(),
        )
        .with_columns(low=ALPHA - 2 * pl.col("se"), high=ALPHA + 2 * pl.col("se"))
    )
    table = in_registry_order(table)
    return table.with_columns(status=pl.Series(
        [status(r["claim"], r["rate"], r["low"], r["high"]) for r in table.iter_rows(named=True)],
        dtype=pl.String))


def in_registry_order(table: pl.DataFrame, *then: str) -> pl.DataFrame:
    """Rows sorted as the claims are in the registry (C1 .. C26, then R1), then by ``then``."""
    order = {c.id: i for i, c in enumerate(CLAIMS)}
    return table.sort(pl.col("claim").replace_strict(order, return_dtype=pl.Int64), *then)


def stored(name: str = "calibration", folder: str | Path | None = None) -> pl.DataFrame:
    """A stored table (``calibration``, ``power`` or ``verdicts_by_world``) of ``folder``
    (default ``data/calibration``), in registry order."""
    folder = Path(folder) if folder is not None else calibration_dir()
    table = pl.read_csv(folder / f"{name}.csv")
    return in_registry_order(table, *(["sessions"] if name == "power" else []))


def power_by_size() -> pl.DataFrame:
    """The stored power table, one row per claim and one column per number of sessions
    (C4, whose sizes count creators, is left out: see :func:`stored`)."""
    table = stored("power").filter(~pl.col("claim").is_in(CREATOR_CLAIMS))
    return in_registry_order(table.pivot(on="sessions", index=["claim", "world"],
                                         values="power"))


def status(claim_id: str, rate: float, low: float, high: float) -> str:
    """``ok``, ``ok (conservative)`` or ``FLAGGED`` for a false-positive rate."""
    if claim_id in ONE_SIDED:
        return "ok (one-sided)" if rate <= high else "FLAGGED"
    if rate > high:
        return "FLAGGED"
    return "ok" if rate >= low else "ok (conservative)"


def power(ids: Iterable[str] = CALIBRATED, sizes: Iterable[int] = (25, 50, 100, 200),
          datasets: int = 40, seed: int = 2027, workers: int = 1,
          creator_sizes: Iterable[int] = (5, 10, 20, 40),
          progress: Callable[[int, int], None] | None = None) -> pl.DataFrame:
    """How often each test supports its claim in the world where it holds, by data size.

    Returns
    -------
    polars.DataFrame
        ``claim``, ``world``, ``sessions`` (creators for C4), ``datasets``, ``power`` and its
        Wilson interval ``low``, ``high``.
    """
    jobs: list[Job] = []
    sizes, creator_sizes = tuple(sizes), tuple(creator_sizes)
    names = sorted({c.holds_in[0] for c in CLAIMS if c.holds_in})
    for world_name, members in _groups(ids, lambda c: c.holds_in[0]).items():
        w = names.index(world_name)
        for member in members:
            grid = creator_sizes if member in CREATOR_CLAIMS else sizes
            for size in grid:
                for r in range(datasets):
                    jobs.append((world_name, (member,), size,
                                 (seed, w, int(member[1:]) if member[1:].isdigit() else 99,
                                  size, r)))
    raw = _run(jobs, workers, progress)
    table = in_registry_order(raw.group_by("claim", "world", "size")
                              .agg(datasets=pl.len(), supported=pl.col("supported").sum()),
                              "size")
    intervals = [proportion_interval(int(s), int(n))
                 for s, n in zip(table["supported"], table["datasets"], strict=True)]
    return table.select(
        "claim", "world", pl.col("size").alias("sessions"), "datasets",
        power=pl.col("supported") / pl.col("datasets"),
        low=pl.Series([i["low"] for i in intervals]),
        high=pl.Series([i["high"] for i in intervals]),
    )


def write_tables(out: str | Path, calibration: pl.DataFrame | None, power_table: pl.DataFrame
                 | None, command: str, seconds: float, only: Iterable[str] | None = None
                 ) -> list[Path]:
    """Write ``calibration.csv``, ``power.csv`` and ``about.json`` (command, versions, time).

    With ``only`` (the claims that were rerun), the stored rows of every other claim are
    kept, so one test can be recalibrated without rerunning the rest.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in (("calibration", calibration), ("power", power_table)):
        if table is None:
            continue
        path = out / f"{name}.csv"
        if only is not None and path.is_file():
            kept = pl.read_csv(path).filter(~pl.col("claim").is_in(list(only)))
            table = pl.concat([kept, table], how="diagonal_relaxed")
        table = in_registry_order(table, *(["sessions"] if name == "power" else []))
        table.with_columns(pl.col(pl.Float64).round(4)).write_csv(path)
        written.append(path)
    about = out / "about.json"
    about.write_text(json.dumps({
        "command": command, "seconds": round(seconds), "alpha": ALPHA,
        "written": time.strftime("%Y-%m-%d", time.gmtime()),
        "versions": {"toolkit": __version__, "polars": pl.__version__, "numpy": np.__version__},
    }, indent=2) + "\n")
    return [*written, about]


class HerdingRejectionRate(TypedDict):
    """The result of :func:`herding_rejection_rate` (the counts are floats)."""

    rate: float
    low: float
    high: float
    datasets: float
    mean_rate_ratio: float
    positive: float
    negative: float


def herding_rejection_rate(world: World, n_datasets: int, n_sessions: int, rng: np.random.Generator,
                   alpha: float = 0.05, design: HerdingDesign = HerdingDesign(),
                   n_resamples: int = 499) -> HerdingRejectionRate:
    """Share of simulated datasets in which the herding test rejects "no herding".

    In ``no_gift_feedback`` this is the false-positive rate (should be about ``alpha``); in
    ``herding`` or ``crowding_out`` it is the power. Each dataset is a fresh simulation of
    ``n_sessions`` sessions drawn from a stream of ``rng``.

    Returns
    -------
    dict
        ``rate`` with its Wilson interval (``low``, ``high``), ``datasets``,
        ``mean_rate_ratio`` (geometric mean of the estimates), ``positive`` and ``negative``
        (rejections with a rate ratio above / below 1).
    """
    streams = [stream.spawn(2) for stream in rng.spawn(n_datasets)]  # (simulation, test)
    results = run_datasets(
        lambda i: simulate(world, n_sessions, streams[i][0]),
        lambda data, i: herding_test(data.events, streams[i][1], design, n_resamples=n_resamples),
        n_datasets)
    rejected = sum(r.p_value < alpha for r in results)
    positive = sum(r.p_value < alpha and r.rate_ratio > 1 for r in results)
    logs = [math.log(r.rate_ratio) for r in results]
    share = proportion_interval(rejected, n_datasets)
    return {"rate": share["estimate"], "low": share["low"], "high": share["high"],
            "datasets": float(n_datasets), "mean_rate_ratio": math.exp(float(np.mean(logs))),
            "positive": float(positive), "negative": float(rejected - positive)}


def bot_verdict_rates(simulation: Dataset, sessions_per_dataset: int,
                      rng: np.random.Generator) -> pl.DataFrame:
    """:func:`toolkit.claims.bots.test_c18` on consecutive blocks of ``sessions_per_dataset`` sessions.

    Simulated sessions are independent, so the blocks are independent datasets: the share of
    "supported" is the false-positive rate in a world without bought hearts, the power in one
    with them. One row per dataset: ``dataset``, ``verdict``, ``estimate``, ``p_value``,
    ``measure``.
    """
    ids = simulation.table("sessions").select(
        "session_id", dataset=(pl.int_range(pl.len()) // sessions_per_dataset).cast(pl.Int64))
    parts = {name: simulation.table(name).join(ids, on="session_id")
             .partition_by("dataset", as_dict=True) for name in ("events", "sessions", "viewers")}
    keys = sorted(parts["sessions"])

    def block(i: int) -> Dataset:
        tables = {name: parts[name][keys[i]].drop("dataset") for name in parts}
        return Dataset.from_tables(events=tables["events"], sessions=tables["sessions"],
                                   viewers=tables["viewers"], name=f"dataset {keys[i][0]}")

    def verdict(data: Dataset, i: int) -> dict[str, object]:
        e = test_c18(data, rng)
        return {"dataset": keys[i][0], "verdict": e.verdict, "estimate": e.estimate,
                "p_value": e.p_value, "measure": e.measure}

    return pl.DataFrame(run_datasets(block, verdict, len(keys)))
