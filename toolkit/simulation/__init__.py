"""The seeded LIVE simulator: worlds, schedules, the step loop, creators over days.

Modules:

- :mod:`toolkit.simulation.worlds`: ``World``, the parameters (validated), and the named presets
- :mod:`toolkit.simulation.schedule`: drawing sessions: creators, start hours, lengths, followers
- :mod:`toolkit.simulation.engine`: the vectorised step loop and its tables
- :mod:`toolkit.simulation.visibility`: the visibility score: the engagement index that feeds
  impressions back
- :mod:`toolkit.simulation.creators`: creators over days: followers carried forward,
  regular-video views and likes
- :mod:`toolkit.simulation.store`: simulations on disk (parquet, bounded memory) and the bundled
  datasets
- :mod:`toolkit.simulation.experiments`: compare worlds, same-seed replays, paired effects,
  randomised vs naive
- :mod:`toolkit.simulation.runner`: many datasets, one statistic each: the runner behind every
  error rate

The names below are the public API; import them from here.
"""

from __future__ import annotations

from toolkit.simulation.creators import draw_creators, simulate_creators
from toolkit.simulation.engine import (
    PLATFORM_SCHEMA,
    VIEWERS_SCHEMA,
    simulate,
    simulate_in_chunks,
    simulate_sessions,
)
from toolkit.simulation.experiments import (
    INTERVENTIONS,
    PairedEffect,
    RandomisedVsNaive,
    compare_worlds,
    paired_effect,
    randomised_vs_naive,
    replay,
)
from toolkit.simulation.runner import run_datasets
from toolkit.simulation.schedule import (
    SESSIONS_SCHEMA,
    audience_activity,
    draw_durations,
    draw_followers,
    draw_sessions,
    start_hour_weights,
)
from toolkit.simulation.store import (
    SIMULATED_TABLES,
    bundled,
    write_creator_simulation,
    write_simulation,
)
from toolkit.simulation.visibility import NORMS, SIGNAL_CAP, engagement_index, heart_ratio
from toolkit.simulation.worlds import PRESETS, World, mimic_bots, world, world_names

__all__ = [
    "World",
    "PRESETS",
    "world",
    "world_names",
    "mimic_bots",
    "SESSIONS_SCHEMA",
    "audience_activity",
    "start_hour_weights",
    "draw_durations",
    "draw_followers",
    "draw_sessions",
    "simulate",
    "simulate_sessions",
    "simulate_in_chunks",
    "PLATFORM_SCHEMA",
    "VIEWERS_SCHEMA",
    "SIGNAL_CAP",
    "NORMS",
    "heart_ratio",
    "engagement_index",
    "draw_creators",
    "simulate_creators",
    "SIMULATED_TABLES",
    "write_simulation",
    "write_creator_simulation",
    "bundled",
    "compare_worlds",
    "replay",
    "PairedEffect",
    "paired_effect",
    "INTERVENTIONS",
    "RandomisedVsNaive",
    "randomised_vs_naive",
    "run_datasets",
]
