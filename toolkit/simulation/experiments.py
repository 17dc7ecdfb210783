"""Experiments inside the simulator: the same sessions, the same seed, one thing changed.

Because each process of the simulator draws from its own random stream, replaying the same
sessions with the same seed and one parameter changed keeps every other draw that the change
does not touch (*common random numbers*). The difference between the two runs is then the
causal effect of the change *in the model*, with far less noise than two independent runs.
What it cannot tell you is whether the real platform works like the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

import numpy as np
import polars as pl
from scipy import stats

from toolkit._checks import check_count, to_float
from toolkit.analytics.summary import live_summary
from toolkit.events.dataset import Dataset
from toolkit.simulation.engine import simulate_sessions
from toolkit.simulation.schedule import draw_sessions
from toolkit.simulation.worlds import World, world
from toolkit.stats.estimates import bootstrap_batch

__all__ = ["compare_worlds", "replay", "PairedEffect", "paired_effect", "INTERVENTIONS",
           "RandomisedVsNaive", "randomised_vs_naive", "effects_in_percent", "first_session_visibility"]


def compare_worlds(
    names: Iterable[str], n_sessions: int, seed: int, sessions_world: str = "baseline"
) -> pl.DataFrame:
    """Play the same sessions with the same seed in several preset worlds and summarise.

    Parameters
    ----------
    names : iterable of str
        Preset worlds (see :data:`toolkit.simulation.worlds.PRESETS`).
    n_sessions : int
    seed : int
        Seeds both the sessions drawn and each world's run.
    sessions_world : str
        World whose session parameters are used to draw the sessions (creators, lengths);
        each world keeps its own share of sessions with bought hearts.

    Returns
    -------
    polars.DataFrame
        One row per world: ``world``, ``sessions``, ``mean_visibility`` (platform),
        and per-session means of ``unique_viewers``, ``hearts``, ``comments``, ``gifts``,
        ``coins`` (from the LIVE summary).
    """
    n = check_count(n_sessions, "n_sessions")
    rows = []
    for name in names:
        # the same creators and lengths for every world (presets change no session parameter
        # except who bought hearts), the same seed for the run
        chosen = world(name)
        sessions = draw_sessions(
            world(sessions_world).replace(botted_session_share=chosen.botted_session_share),
            n, np.random.default_rng(seed),
        )
        sim = simulate_sessions(chosen, sessions, np.random.default_rng(seed))
        summary = live_summary(sim.table("events"))
        rows.append(
            summary.select(
                pl.lit(name).alias("world"),
                pl.len().alias("sessions"),
                pl.lit(sim.table("platform")["visibility"].mean()).alias("mean_visibility"),
                *(pl.col(c).mean() for c in ("unique_viewers", "hearts", "comments", "gifts",
                                             "coins")),
            )
        )
    return pl.concat(rows)


def replay(
    base: World, n_sessions: int, seed: int, **changes: object
) -> tuple[Dataset, Dataset]:
    """The same sessions and seed played in ``base`` and in ``base`` with ``changes``.

    Returns
    -------
    (before, after) : tuple of Dataset
    """
    sessions = draw_sessions(base, check_count(n_sessions, "n_sessions"),
                             np.random.default_rng(seed))
    before = simulate_sessions(base, sessions, np.random.default_rng(seed))
    after = simulate_sessions(base.replace(**changes), sessions, np.random.default_rng(seed))
    return before, after


class PairedEffect(TypedDict):
    """The result of :func:`paired_effect` (``n`` is a float)."""

    before: float
    after: float
    effect: float
    low: float
    high: float
    relative: float
    n: float


def paired_effect(
    before: Dataset, after: Dataset, column: str, rng: np.random.Generator,
    confidence: float = 0.95,
) -> PairedEffect:
    """Mean per-session change of a LIVE-summary column between two replays, with an interval.

    The sessions are paired (same session, same seed); the interval is a bootstrap over
    sessions (BCa, 5,000 resamples).

    Returns
    -------
    dict
        ``before`` and ``after`` (means), ``effect`` (mean of after - before), ``low`` and
        ``high`` (the interval), ``relative`` (effect / before) and ``n`` (sessions).
    """
    first = live_summary(before.table("events")).select("session_id", pl.col(column).cast(pl.Float64))
    second = live_summary(after.table("events")).select("session_id", pl.col(column).cast(pl.Float64))
    paired = first.join(second, on="session_id", suffix="_after")
    diff = (paired[f"{column}_after"] - paired[column]).to_numpy()
    if np.ptp(diff) == 0:  # no session changed at all (or all by the same amount)
        low = high = float(diff[0]) if len(diff) else float("nan")
    else:
        result = stats.bootstrap((diff,), np.mean, confidence_level=confidence,
                                 n_resamples=5_000, rng=rng,
                                 batch=bootstrap_batch(len(diff), 5_000))
        low, high = result.confidence_interval.low, result.confidence_interval.high
    mean_before = to_float(paired[column].mean())
    return {
        "before": mean_before,
        "after": to_float(paired[f"{column}_after"].mean()),
        "effect": float(diff.mean()),
        "low": float(low),
        "high": float(high),
        "relative": float(diff.mean() / mean_before) if mean_before else float("nan"),
        "n": float(len(diff)),
    }


#: The interventions of :func:`randomised_vs_naive`: what is changed, the outcome, and how
#: an observer without the experiment would estimate the same effect.
INTERVENTIONS: dict[str, str] = {
    "hearts": "twice the tapping; outcome coins; naive: coins of sessions with more hearts",
    "cta": "calls to action on vs off; outcome hearts; naive: sessions that had a call vs none",
    "bursts": "the same heart messages, each sent in the middle of its minute (bursts, no "
              "earlier or later on average); outcome unique viewers; naive: sessions whose "
              "hearts came burstier vs steadier",
    "herding": "gifts trigger gifts (the world's excitation) vs no excitation; outcome coins; "
               "naive: sessions whose gifts came in clusters vs evenly",
}


def _mean_ratio(first: np.ndarray, second: np.ndarray, axis: int = -1) -> np.ndarray:
    """mean(second) / mean(first) - 1: a relative change (0.1 = +10 %)."""
    return np.mean(second, axis=axis) / np.mean(first, axis=axis) - 1


def _relative_change(first: np.ndarray, second: np.ndarray, rng: np.random.Generator,
                     paired: bool) -> tuple[float, float, float]:
    """:func:`_mean_ratio` with a percentile bootstrap interval (pairs resampled together
    when ``paired``: the same sessions before and after; groups on their own otherwise)."""
    ci = stats.bootstrap((first, second), _mean_ratio, paired=paired, vectorized=True,
                         n_resamples=2_000, method="percentile", rng=rng).confidence_interval
    return float(_mean_ratio(first, second)), float(ci.low), float(ci.high)


class RandomisedVsNaive(TypedDict):
    """The result of :func:`randomised_vs_naive` (``n`` is a float)."""

    kind: str
    world: str
    outcome: str
    randomised: float
    randomised_low: float
    randomised_high: float
    naive: float
    naive_low: float
    naive_high: float
    n: float


def randomised_vs_naive(
    kind: str, world_name: str, n_sessions: int, seed: int, rng: np.random.Generator
) -> RandomisedVsNaive:
    """The effect of one intervention measured two ways: by experiment and by looking.

    The **randomised** estimate replays the same sessions with the same seed, with and
    without the intervention (:func:`replay`): the relative change of the mean outcome, with
    a paired bootstrap interval. The **naive** estimate uses only the run without the
    intervention, as an observer would: it compares sessions that happened to have more of
    the "treatment" with those that had less. They disagree when something drives both, most
    often the size of the audience (bigger LIVEs get more hearts, more calls and more gifts).

    Parameters
    ----------
    kind : {"hearts", "cta", "bursts", "herding"}
        See :data:`INTERVENTIONS`.
    world_name : str
        A preset world.
    n_sessions, seed : int
    rng : numpy.random.Generator
        For the bootstrap intervals.

    Returns
    -------
    dict
        ``kind``, ``world``, ``outcome``, ``randomised`` with ``randomised_low`` and
        ``randomised_high``, ``naive`` with ``naive_low`` and ``naive_high`` (all relative
        changes: 0.1 = +10 %), and ``n`` (sessions).
    """
    if kind not in INTERVENTIONS:
        raise ValueError(f"kind must be one of {tuple(INTERVENTIONS)}, got {kind!r}")
    base = world(world_name)
    if kind == "hearts":
        outcome = "coins"
        before, after = replay(base, n_sessions, seed,
                               tap_sessions_per_minute=2 * base.tap_sessions_per_minute)
    elif kind == "cta":
        outcome = "hearts"
        # the same sessions without calls (before) and with the world's calls (after)
        before, after = replay(base.replace(cta_per_hour=0.0), n_sessions, seed,
                               cta_per_hour=base.cta_per_hour)
    elif kind == "bursts":
        outcome = "unique_viewers"
        # the same messages bunched into one step a minute (World.heart_bunch_seconds):
        # halving tap sessions and doubling their size would not keep the hearts, since a
        # viewer sends at most one message a step (fewer, bigger sessions lose fewer taps)
        before, after = replay(base, n_sessions, seed, heart_bunch_seconds=60)
    else:
        outcome = "coins"
        before, after = replay(base.replace(gift_excitation=0.0), n_sessions, seed,
                               gift_excitation=base.gift_excitation)
    first = live_summary(before.table("events"))
    second = live_summary(after.table("events"))
    paired = first.join(second, on="session_id", suffix="_after").sort("session_id")
    effect = _relative_change(paired[outcome].cast(pl.Float64).to_numpy(),
                              paired[f"{outcome}_after"].cast(pl.Float64).to_numpy(), rng,
                              paired=True)
    # the naive look uses the run an observer would see: the world as it is
    seen = after if kind in ("cta", "herding") else before
    summary = live_summary(seen.table("events"))
    if kind == "hearts":
        treated = summary["hearts"] > summary["hearts"].median()
    elif kind == "cta":
        calls = (seen.table("platform").group_by("session_id").agg(calls=pl.col("cta").any())
                 .sort("session_id"))
        summary = summary.join(calls, on="session_id", how="left").sort("session_id")
        treated = summary["calls"].fill_null(False)
    else:  # how unevenly the hearts (or gift events) spread over the minutes of the LIVE
        counted = "heart" if kind == "bursts" else "gift"
        value = pl.col("count").sum() if kind == "bursts" else pl.len()
        per_minute = (seen.table("events").filter(pl.col("kind") == counted)
                      .group_by("session_id", minute=pl.col("ts").dt.truncate("1m"))
                      .agg(hearts=value)
                      .group_by("session_id")
                      # rounded: the sum order inside a group may vary, and many LIVEs tie
                      # at the median, so the last bits must not decide which side they are on
                      .agg(burstiness=(pl.col("hearts").std() / pl.col("hearts").mean())
                           .round(9)))
        # sorted, so that the bootstrap sees the sessions in the same order on every run
        joined = summary.join(per_minute, on="session_id", how="left").sort("session_id")
        score = joined["burstiness"].fill_null(0.0)
        treated = score > score.median()
        summary = joined
    values, is_treated = (summary[outcome].cast(pl.Float64).to_numpy(),
                          treated.to_numpy().astype(bool))
    naive = _relative_change(values[~is_treated], values[is_treated], rng, paired=False)
    return {"kind": kind, "world": world_name, "outcome": outcome,
            "randomised": effect[0], "randomised_low": effect[1], "randomised_high": effect[2],
            "naive": naive[0], "naive_low": naive[1], "naive_high": naive[2],
            "n": float(len(paired))}


def effects_in_percent(results: pl.DataFrame) -> pl.DataFrame:
    """Rows of :func:`randomised_vs_naive` results as two effects per world, in per cent.

    Parameters
    ----------
    results : polars.DataFrame
        One row per world: ``world``, ``randomised``, ``randomised_low``,
        ``randomised_high``, ``naive``, ``naive_low``, ``naive_high`` (relative changes).

    Returns
    -------
    polars.DataFrame
        ``label`` ("<world>: experiment" or "<world>: naive look"), ``effect``, ``low`` and
        ``high`` (per cent), sorted by label: the input of
        :func:`toolkit.publish.charts.effects`.
    """
    return pl.concat([
        results.select(label=pl.col("world") + f": {label}", effect=100 * pl.col(column),
                       low=100 * pl.col(f"{column}_low"), high=100 * pl.col(f"{column}_high"))
        for column, label in (("randomised", "experiment"), ("naive", "naive look"))
    ]).sort("label")


def first_session_visibility(replays: dict[str, tuple[Dataset, Dataset]],
                             changed: str = "with the change") -> pl.DataFrame:
    """The visibility score, minute by minute, of the first session of each same-seed replay.

    Parameters
    ----------
    replays : dict
        World name -> (as simulated, with the change) from :func:`replay`.
    changed : str
        How to name the changed run (``"twice the tapping"``, say).

    Returns
    -------
    polars.DataFrame
        ``minute``, ``visibility`` and ``run`` (``"<world>: as simulated"`` or
        ``"<world>: <changed>"``).
    """
    rows = []
    for name, (before, after) in replays.items():
        for label, run in (("as simulated", before), (changed, after)):
            first = run.table("sessions")["session_id"][0]
            rows.append(run.table("platform").filter(pl.col("session_id") == first)
                        .select("minute", "visibility")
                        .with_columns(run=pl.lit(f"{name}: {label}")))
    return pl.concat(rows)
