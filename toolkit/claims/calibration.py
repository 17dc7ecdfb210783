"""Small error-rate experiments for the notebooks: one test, one world, a few datasets.

The full diagnosis of every test in every world of its matrix is
:mod:`toolkit.claims.diagnosis` (``toolkit diagnose``); this module keeps the pieces a reader
runs by hand: :func:`replicate` (one claim's test on many simulated datasets of one world),
:func:`herding_rejection_rate` (the herding test's rejection rate, notebook 07) and
:func:`bot_verdict_rates` (the bot test on blocks of one simulation, notebook 08),
:func:`reply_worlds` (C9's test beside the naive comparison, notebook 09) and C9's truth,
:func:`reply_window_lift`. Each
dataset has its own seed, so the numbers are the same on every machine and with any number
of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypedDict

import numpy as np
import polars as pl

from toolkit.claims.bots import test_c18
from toolkit.claims.diagnosis import CREATOR_CLAIMS, DAYS
from toolkit.claims.herding import HerdingDesign, herding_test
from toolkit.claims.registry import claim
from toolkit.claims.replies import WINDOW_MINUTES, naive_reply_ratio, test_c9
from toolkit.events.dataset import Dataset
from toolkit.simulation.creators import simulate_creators
from toolkit.simulation.engine import simulate
from toolkit.simulation.runner import run_datasets
from toolkit.simulation.worlds import World, world
from toolkit.stats.estimates import proportion_interval

__all__ = ["make_dataset", "replicate", "HerdingRejectionRate", "herding_rejection_rate",
           "bot_verdict_rates", "reply_window_lift", "reply_worlds"]

ALPHA = 0.05
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


def reply_window_lift(w: World) -> float:
    """The truth C9's test targets: the rate ratio of an answered gifter's gifts in the
    :data:`toolkit.claims.replies.WINDOW_MINUTES` minutes after the reply's minute.

    A reply multiplies the gifter's gift hazard by ``reply_gift_lift`` for ``L`` steps from
    the step it is sent in, a uniform step ``j`` of its minute of ``M`` steps; the window's
    steps lifted are ``min(max(j + L - M, 0), W M)``. A step's chance of a gift is
    ``1 - exp(-h)`` (one gift a step at most), so the lift multiplies gifts by
    ``(1 - exp(-lift h)) / (1 - exp(-h))``, taken at the base hazard ``h`` (no strong moment,
    no herding): slightly less than the lift. 1 where replies change nothing, or the host
    never answers.
    """
    if w.reply_gift_lift == 1.0 or not w.host_answers:
        return 1.0
    m = 60 // w.step_seconds
    length = max(1, round(w.reply_lift_minutes * m))
    window = WINDOW_MINUTES * m
    share = float(np.mean([min(max(j + length - m, 0), window) for j in range(m)])) / window
    h = w.gifts_per_gifter_minute * w.step_seconds / 60.0
    per_gift = -math.expm1(-w.reply_gift_lift * h) / -math.expm1(-h)
    return 1.0 + (per_gift - 1.0) * share


def reply_worlds(names: list[str], n_sessions: int, seed: int) -> pl.DataFrame:
    """C9 in several worlds: each world's truth, the naive ratio and the test, on
    ``n_sessions`` sessions simulated with ``seed`` (the same seed for every world, so worlds
    that differ only in their replies share their events).

    Returns
    -------
    polars.DataFrame
        ``world``, ``truth``, ``naive``, ``estimate``, ``low``, ``high``, ``verdict``.
    """
    rows = []
    for name in names:
        w = world(name)
        data = simulate(w, n_sessions, np.random.default_rng(seed))
        e = test_c9(data, np.random.default_rng(seed))
        rows.append({"world": name, "truth": reply_window_lift(w),
                     "naive": naive_reply_ratio(data), "estimate": e.estimate, "low": e.low,
                     "high": e.high, "verdict": e.verdict})
    return pl.DataFrame(rows)
