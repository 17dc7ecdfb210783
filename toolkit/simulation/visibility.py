"""The visibility score's input: how a step's engagement compares with the platform's norms.

Each step the simulator scores every session's engagement per viewer against :data:`NORMS`
(what the platform expects of a typical LIVE): hearts (through :func:`heart_ratio`, concave
when steady tapping should beat bursts, C15), comments, shares, gifts and retention, each
weighted by the world and capped at :data:`SIGNAL_CAP`. :func:`engagement_index` is that score;
the engine turns it into the next step's impressions: the feedback loop of C7, C11 and C13.

The compiled step loop (:mod:`toolkit.simulation.kernel`) calls the same scoring functions
as this module's, one session and step at a time; :func:`rates` gives it a world's
parameters in the units of one step.
"""

from __future__ import annotations

import numpy as np

from toolkit.simulation import kernel
from toolkit.simulation.worlds import World

__all__ = ["SIGNAL_CAP", "NORMS", "rates", "heart_ratio", "engagement_index"]

SIGNAL_CAP = 3.0  # largest contribution of one signal to the engagement index

#: The platform's norms: the engagement it expects of a typical LIVE (the baseline world's
#: rates). Visibility rises when a LIVE does better than these, whatever world it is in.
NORMS = World()


def rates(w: World) -> kernel.Rates:
    """The world's parameters in the units of one step, with the platform's norms."""
    per_minute = 60 // w.step_seconds
    step_min = w.step_seconds / 60.0
    return kernel.Rates(
        step_ms=w.step_seconds * 1000, per_minute=per_minute, step_minutes=step_min,
        visibility_sensitivity=w.visibility_sensitivity,
        linear_link=w.visibility_link == "linear", bot_share=w.bot_share,
        gifter_share=w.gifter_share, gifter_group_mean=w.gifter_group_mean,
        heavy_tapper_share=w.heavy_tapper_share, bot_stay_steps=w.bot_stay_minutes * per_minute,
        follow_probability=w.follow_probability, tap_sessions_per_minute=w.tap_sessions_per_minute,
        tap_taste_sigma=w.tap_taste_sigma, bot_taps_per_minute=w.bot_taps_per_minute,
        gift_coins_median=w.gift_coins_median, gift_coins_sigma=w.gift_coins_sigma,
        cta_tap_lift=w.cta_tap_lift, moment_lift=w.moment_lift,
        bot_taps_per_batch=w.bot_taps_per_batch, taps_per_batch_mean=w.taps_per_batch_mean,
        batch_follows_tapping=w.batch_follows_tapping,
        max_taps_per_message=w.max_taps_per_message,
        heart_bunch_steps=w.heart_bunch_seconds // w.step_seconds, comments_per_minute=w.comments_per_minute,
        cta_comment_lift=w.cta_comment_lift, shares_per_minute=w.shares_per_minute,
        gifts_per_gifter_minute=w.gifts_per_gifter_minute, gift_excitation=w.gift_excitation,
        gift_shock_lift=w.gift_shock_lift, streak_mean=w.streak_mean,
        reply_share=w.reply_share, reply_gifter_bias=w.reply_gifter_bias,
        reply_moment_lift=w.reply_moment_lift, thank_share=w.thank_share,
        reply_gift_lift=w.reply_gift_lift,
        reply_lift_steps=max(1, round(w.reply_lift_minutes * per_minute)),
        excitation_decay=float(np.exp(-step_min / w.excitation_minutes)),
        memory=float(1.0 - np.exp(-step_min / w.visibility_memory_minutes)),
        heart_window=max(2, round(w.steadiness_minutes * per_minute)),
        heart_power=1.0 / (1.0 + w.steadiness_penalty),
        heart_weight=w.heart_weight, comment_weight=w.comment_weight,
        share_weight=w.share_weight, gift_weight=w.gift_weight,
        retention_weight=w.retention_weight,
        norm_hearts=NORMS.tap_sessions_per_minute * NORMS.taps_per_batch_mean,
        norm_comments=NORMS.comments_per_minute, norm_shares=NORMS.shares_per_minute,
        norm_gifts=NORMS.gifter_share * NORMS.gifts_per_gifter_minute,
        norm_retention=float(np.exp(-step_min / NORMS.stay_minutes_mean)),
        signal_cap=SIGNAL_CAP,
    )


def heart_ratio(world: World, hearts: np.ndarray, audience_minutes: np.ndarray) -> np.ndarray:
    """One step's hearts against the norm, ``((hearts + 1) / (expected + 1)) ** (1 / (1 + k))``.

    ``expected`` is what the norms expect of ``audience_minutes`` viewer-minutes and ``k`` is
    ``world.steadiness_penalty``. With ``k = 0`` the ratio is linear, so only the number of
    hearts in the window counts; with ``k > 0`` it is concave, so the same hearts spread
    evenly over the window score higher than the same hearts in one burst (Jensen's
    inequality): claim C15.
    """
    r = rates(world)
    return np.array([kernel.heart_ratio(r, float(h), float(m))
                     for h, m in zip(np.ravel(hearts), np.ravel(audience_minutes), strict=True)])


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
    Each signal is its excess over the expectation, ``(observed - expected) / (expected + 1)``,
    capped at :data:`SIGNAL_CAP`; the index is their sum weighted by the world's weights: 0 for
    a LIVE that engages steadily at the norms.
    """
    r = rates(world)
    means = np.asarray(heart_ratios, dtype=float).mean(axis=1)
    return np.array([
        kernel.engagement_index(r, *map(float, row)) for row in zip(
            means, comments, shares, gifts, stayed, present_before, audience_minutes, strict=True)
    ])
