"""The visibility score's input: how a step's engagement compares with the platform's norms.

Each step the simulator scores every session's engagement per viewer against :data:`NORMS`
(what the platform expects of a typical LIVE): hearts (through :func:`heart_ratio`, concave
when steady tapping should beat bursts, C15), comments, shares, gifts and retention, each
weighted by the world and capped at :data:`SIGNAL_CAP`. :func:`engagement_index` is that score;
the engine turns it into the next step's impressions: the feedback loop of C7, C11 and C13.
"""

from __future__ import annotations

import numpy as np

from toolkit.simulation.worlds import World

__all__ = ["SIGNAL_CAP", "NORMS", "heart_ratio", "engagement_index"]

SIGNAL_CAP = 3.0  # largest contribution of one signal to the engagement index

#: The platform's norms: the engagement it expects of a typical LIVE (the baseline world's
#: rates). Visibility rises when a LIVE does better than these, whatever world it is in.
NORMS = World()


def heart_ratio(world: World, hearts: np.ndarray, audience_minutes: np.ndarray) -> np.ndarray:
    """One step's hearts against the norm, ``((hearts + 1) / (expected + 1)) ** (1 / (1 + k))``.

    ``k`` is ``world.steadiness_penalty``. With ``k = 0`` the ratio is linear, so only the
    number of hearts in the window counts; with ``k > 0`` it is concave, so the same hearts
    spread evenly over the window score higher than the same hearts in one burst (Jensen's
    inequality): claim C15.
    """
    expected = NORMS.tap_sessions_per_minute * NORMS.taps_per_batch_mean * audience_minutes
    return ((hearts + 1.0) / (expected + 1.0)) ** (1.0 / (1.0 + world.steadiness_penalty))


def engagement_index(
    world: World, heart_ratios: np.ndarray, comments: np.ndarray, shares: np.ndarray,
    gifts: np.ndarray, stayed: np.ndarray, present_before: np.ndarray,
    audience_minutes: np.ndarray,
) -> np.ndarray:
    """The engagement index of one step, per session: the input of the visibility score.

    Each signal compares what happened with what the platform's :data:`NORMS` expect of the
    same audience (``audience_minutes`` viewer-minutes): hearts (the mean of the last
    ``steadiness_minutes`` of :func:`heart_ratio`, sessions x steps, minus 1), comments,
    shares, gift events, and retention (viewers still present out of ``present_before``).
    Weighted by the world's weights; 0 for a LIVE that engages steadily at the norms.
    """
    step_minutes = world.step_seconds / 60.0
    expected_gifts = NORMS.gifter_share * NORMS.gifts_per_gifter_minute
    expected_retention = np.exp(-step_minutes / NORMS.stay_minutes_mean)
    hearts = np.minimum(heart_ratios.mean(axis=1) - 1.0, SIGNAL_CAP)
    return (
        world.heart_weight * hearts
        + world.comment_weight * _signal(comments, NORMS.comments_per_minute * audience_minutes)
        + world.share_weight * _signal(shares, NORMS.shares_per_minute * audience_minutes)
        + world.gift_weight * _signal(gifts, expected_gifts * audience_minutes)
        + world.retention_weight * _signal(stayed, present_before * expected_retention)
    )


def _signal(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Excess of observed over expected events, ``(observed - expected) / (expected + 1)``.

    Averages 0 when events happen at the expected rate, whatever the session's size; one rare
    event (a share in a small LIVE) moves it by at most about 1, and in a big LIVE it is the
    relative excess.
    """
    return np.minimum((observed - expected) / (expected + 1.0), SIGNAL_CAP)


