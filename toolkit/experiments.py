"""Experiments inside the simulator: the same sessions, the same seed, one thing changed.

Because each process of the simulator draws from its own random stream, replaying the same
sessions with the same seed and one parameter changed keeps every other draw that the change
does not touch (*common random numbers*). The difference between the two runs is then the
causal effect of the change *in the model*, with far less noise than two independent runs.
What it cannot tell you is whether the real platform works like the model.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl
from scipy import stats

from toolkit._values import check_count
from toolkit.features import live_summary
from toolkit.sessions import draw_sessions
from toolkit.simulate import Simulation, simulate_sessions
from toolkit.worlds import World, world

__all__ = ["compare_worlds", "replay", "paired_effect"]


def compare_worlds(
    names: Iterable[str], n_sessions: int, seed: int, sessions_world: str = "baseline"
) -> pl.DataFrame:
    """Play the same sessions with the same seed in several preset worlds and summarise.

    Parameters
    ----------
    names : iterable of str
        Preset worlds (see :data:`toolkit.worlds.PRESETS`).
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
        summary = live_summary(sim.events)
        rows.append(
            summary.select(
                pl.lit(name).alias("world"),
                pl.len().alias("sessions"),
                pl.lit(sim.platform["visibility"].mean()).alias("mean_visibility"),
                *(pl.col(c).mean() for c in ("unique_viewers", "hearts", "comments", "gifts",
                                             "coins")),
            )
        )
    return pl.concat(rows)


def replay(
    base: World, n_sessions: int, seed: int, **changes: object
) -> tuple[Simulation, Simulation]:
    """The same sessions and seed played in ``base`` and in ``base`` with ``changes``.

    Returns
    -------
    (before, after) : tuple of Simulation
    """
    sessions = draw_sessions(base, check_count(n_sessions, "n_sessions"),
                             np.random.default_rng(seed))
    before = simulate_sessions(base, sessions, np.random.default_rng(seed))
    after = simulate_sessions(base.replace(**changes), sessions, np.random.default_rng(seed))
    return before, after


def paired_effect(
    before: Simulation, after: Simulation, column: str, rng: np.random.Generator,
    confidence: float = 0.95,
) -> dict[str, float]:
    """Mean per-session change of a LIVE-summary column between two replays, with an interval.

    The sessions are paired (same session, same seed); the interval is a bootstrap over
    sessions (BCa, 5,000 resamples).

    Returns
    -------
    dict
        ``before`` and ``after`` (means), ``effect`` (mean of after - before), ``low`` and
        ``high`` (the interval), ``relative`` (effect / before) and ``n`` (sessions).
    """
    first = live_summary(before.events).select("session_id", pl.col(column).cast(pl.Float64))
    second = live_summary(after.events).select("session_id", pl.col(column).cast(pl.Float64))
    paired = first.join(second, on="session_id", suffix="_after")
    diff = (paired[f"{column}_after"] - paired[column]).to_numpy()
    if np.ptp(diff) == 0:  # no session changed at all (or all by the same amount)
        low = high = float(diff[0]) if len(diff) else float("nan")
    else:
        result = stats.bootstrap((diff,), np.mean, confidence_level=confidence,
                                 n_resamples=5_000, rng=rng)
        low, high = result.confidence_interval.low, result.confidence_interval.high
    mean_before = float(paired[column].mean())
    return {
        "before": mean_before,
        "after": float(paired[f"{column}_after"].mean()),
        "effect": float(diff.mean()),
        "low": float(low),
        "high": float(high),
        "relative": float(diff.mean() / mean_before) if mean_before else float("nan"),
        "n": float(len(diff)),
    }
