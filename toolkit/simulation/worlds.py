"""Worlds: every parameter of the LIVE simulator in one frozen dataclass, with named presets.

The articles behind the claims disagree (do hearts feed visibility? do gifts trigger gifts?),
so the simulator does not pick a side once and for all: each side is a *world*, a parameter
set of the same model. Presets differ from ``baseline`` only in the parameters their claim
is about (see :data:`PRESETS`), so comparing two worlds isolates one assumption.

Units are in the field names: ``_per_minute`` is a rate per present viewer per minute,
``_minutes`` a duration, ``_share`` or ``_probability`` a number in [0, 1]. Each field's
rationale and source are in the docstring of :class:`World`; the sources are the fact sheet
summarised in ``data/reference/README.md`` and ``docs/simulator.md``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from functools import cache

__all__ = ["World", "PRESETS", "MECHANISMS", "CTA_TIMINGS", "world", "world_names",
           "describe_world", "mimic_bots"]

from toolkit._checks import (
    Divides,
    Finite,
    Interval,
    OneOf,
    Rule,
    Text,
    check_fields,
    check_relation,
)


@dataclass(frozen=True)
class World:
    """Parameters of the LIVE simulator (see ``docs/simulator.md`` for the model).

    Sessions
    --------
    step_seconds : int
        Length of one simulation step (10 s). Events get millisecond times inside their step.
    session_minutes_median, session_minutes_sigma : float
        Log-normal LIVE length (median 40 min). Streams of 30 min or more are advised by
        third-party guides; no published distribution was found.
    session_minutes_min, session_minutes_max : int
        Bounds on the length (5 to 240 minutes).
    followers_median, followers_sigma : float
        Log-normal follower count of the creator (median 5,000). Hosts need >= 1,000
        followers (official), enforced as a floor.
    quality_sd : float
        Spread of content quality (a standard normal scaled by this), which raises joining
        and staying.
    evening_lift : float
        Extra audience activity at the evening peak (20:00 local): impressions are multiplied
        by ``1 + evening_lift`` at the peak and by 1 at the 05:00 trough (C21).

    Exposure and staying
    --------------------
    impressions_per_follower_minute : float
        People shown the LIVE per minute per follower^elasticity at visibility 0.
    follower_elasticity : float
        Impressions grow as followers ** elasticity (< 1: big accounts reach a smaller share).
    join_probability : float
        Share of impressions who join at average quality.
    visibility_sensitivity : float
        Impressions are multiplied by ``exp(visibility_sensitivity x score)``: the loop gain.
    visibility_link : {"exponential", "linear"}
        How the score multiplies impressions: ``exp(sensitivity x score)`` (default), or
        ``max(0, 1 + sensitivity x score)``. The exponential is convex, so a score that swings
        more brings more impressions on average at the same mean score (Jensen's inequality):
        bursts of hearts then gain viewers even where only their number counts. The linear
        link removes that, for the null world of C15 (``bursts_equal``).
    stay_minutes_mean : float
        Mean time a viewer stays (exponential), at average quality.
    quality_stay_elasticity : float
        Stay time is multiplied by ``exp(elasticity x quality)``.

    Engagement (per present viewer)
    -------------------------------
    tap_sessions_per_minute : float
        Mean rate of tap sessions; each viewer's own rate is log-normal around it
        (``tap_taste_sigma``).
    taps_per_batch_mean : float
        Mean taps reported in one heart event (geometric, >= 1). The clients report hearts in
        per-user batches (sample message: 5 taps).
    comments_per_minute, shares_per_minute : float
        Mean rates per viewer.
    follow_probability : float
        Chance a viewer follows during their stay.
    cta_per_hour, cta_minutes, cta_tap_lift : float
        Calls to action ("let's reach 10,000 hearts"): how often, how long, and the factor on
        tap rates while one runs (C17).
    moments_per_hour, moment_minutes, moment_lift : float
        Strong moments of the stream: factor on taps, comments and gifts (C16).

    Gifts
    -----
    gifter_share : float
        Share of viewers who ever gift (Douyu: about 10 % of mobile users pay per quarter;
        Inke: 20 % of viewers give 97 % of gifts).
    gifts_per_gifter_minute : float
        Base rate of gift events per present gifter.
    gift_coins_median, gift_coins_sigma : float
        Each gifter's typical gift price is log-normal (median 5 coins: 1- and 5-coin gifts
        dominate by volume); a large sigma gives the heavy tail of whales.
    streak_mean : float
        Mean gifts in a streak for streakable gifts (geometric, >= 1).
    gift_excitation : float
        Each gift in a session multiplies every gifter's rate there by ``1 + excitation`` for
        a while (decaying): > 0 herding (Tu 2018, Zhu 2017), < 0 crowding out (Yao, Lu & Chen
        2023), 0 none.
    excitation_minutes : float
        Decay time of that effect.

    The host's replies (C9)
    -----------------------
    reply_share : float
        Chance that the host answers a viewer's comment by name (an @-mention in the chat),
        in the step after it; 0 (default): no replies, and no replies table.
    reply_gift_lift : float
        Factor on an answered gifter's gift rate for ``reply_lift_minutes`` from the reply
        (1: answering changes nothing; C9 says > 1).
    reply_lift_minutes : float
        How long that lasts.
    reply_gifter_bias : float
        The host answers a gifter's comments this many times as often (at most always):
        hosts see gifters' badges and answer them first. A confounder of C9.
    reply_moment_lift : float
        The host answers this many times as often in strong moments, when everyone gifts
        more. A confounder of C9.
    thank_share : float
        Chance that the host thanks a gift by name, in the step after it (a reply that
        follows a gift rather than causing one). A confounder of C9.

    Visibility (what only the platform knows)
    -----------------------------------------
    Every signal is compared with the platform's *norms*: the rates of the default (baseline)
    world, the same in every world, so that a LIVE that engages more than a typical one
    gains visibility whatever world it is in.

    visibility_memory_minutes : float
        The score is an exponentially weighted average of the engagement index with this
        memory.
    heart_weight, comment_weight, share_weight, gift_weight, retention_weight : float
        Weights of each signal in the engagement index (each signal is its excess over what
        the platform's norms expect of the same audience, capped; see
        :mod:`toolkit.simulation.visibility`). ``heart_weight = 0`` makes hearts passive (C2);
        > 0 lets them feed visibility (C7, C13).
    steadiness_penalty : float
        Concavity of the hearts signal: each step's hearts-to-norm ratio is raised to the
        power ``1 / (1 + penalty)`` before it is averaged over the last
        ``steadiness_minutes``. 0 means only the number of hearts counts; > 0 means the same
        hearts count for less when they come in bursts (C15).
    steadiness_minutes : float
        Window over which the hearts signal is averaged.
    heart_bunch_seconds : int
        0 (default) or a multiple of ``step_seconds``: every heart message is sent in the
        middle step of its block of this many seconds (from the session's start) instead of
        when it was tapped, within the viewer's stay, so the same messages and taps arrive
        in bursts, on average no earlier and no later. The experiment of C15: it changes
        the timing of hearts and nothing else.

    Creators over days (C4, C8, C20, C21)
    -------------------------------------
    lives_per_week_median : float
        How often a creator goes LIVE (log-normal across creators, sigma 0.6).
    gift_budget_split : float
        0..1: how far a creator's audience splits a weekly gifting budget over that week's
        LIVEs (C8). Each LIVE's gift rate is multiplied by ``(usual / k) ** split``, where
        ``k`` is the number of LIVEs the creator goes in that week (weeks of 7 days from the
        first day) and ``usual`` its expected number: 0 (default) for LIVEs that each draw
        gifts as if they were the only one, 1 for a week's gifts that do not grow with its
        LIVEs. When this or ``generous_week_sd`` is above 0, each creator plans a week's LIVEs
        on its first day (a different order of draws from the day-by-day default).
    video_views_per_follower_day : float
        Daily views of a creator's regular videos per follower^elasticity.
    live_to_video_views : float
        Extra regular-video views the next day per unique LIVE viewer (C4); 0 for none.
    video_like_probability : float
        Share of regular-video views that end in a like.

    Bought hearts (C18)
    -------------------
    botted_session_share : float
        Share of sessions whose creator bought hearts (bots join them).
    bot_share : float
        In such a session, bots joining per real viewer joining.
    bot_taps_per_minute, bot_taps_per_batch, bot_stay_minutes : float
        Bots tap often, in big batches, stay long, and never comment, share, follow or gift.

    Realistic mechanisms a test must survive (all off in ``baseline``)
    ------------------------------------------------------------------
    These add something real LIVEs plausibly have and the tests were not tuned on; the
    diagnosis (:mod:`toolkit.claims.diagnosis`) combines them with each claim's null world.

    batch_follows_tapping : float
        Elasticity of the taps in one heart message to the tapping speed: during a strong
        moment or a call that lifts tapping by ``L``, a message holds ``L ** this`` times the
        usual taps (real clients pack a viewer's taps into one like message). 0 for none.
    max_taps_per_message : int
        Cap on the taps in one heart message (the clients see at most 15); 0 for no cap.
    gift_shocks_per_hour, gift_shock_minutes, gift_shock_lift : float
        Gift battles and gift goals: windows in which only the gift rate is multiplied by
        ``gift_shock_lift`` (0 per hour for none).
    gifter_group_mean : float
        Gifters arrive in groups of this mean size (1: one by one), so gifts cluster in time
        without any gift causing another.
    cta_timing : str
        When calls to action come: ``"random"``, ``"moments"`` (at the start of strong
        moments, when the room is lively) or ``"late"`` (in the last quarter of the LIVE,
        when it is dying).
    cta_comment_lift : float
        Factor on the comment rate during a call (1: calls ask for hearts only).
    heavy_tapper_share : float
        Share of real viewers who tap like bots (bots' rate, batch and stay) and never
        comment, share or gift: quiet fans a bot detector may mistake for bots.
    quality_hour_slope : float
        Content quality rises by this times the audience activity of the start hour (0..1):
        better creators go LIVE in the evening.
    evening_minutes_lift : float
        LIVEs are ``1 + lift x activity(hour)`` times longer: longer evening sessions.
    weekend_lift : float
        Impressions are ``1 + lift`` times higher on Saturdays and Sundays, and weekend LIVEs
        start in the evening more often (hour weights squared).
    view_shock_sd, view_shock_memory : float
        Day-to-day shocks to a creator's regular-video views (log-normal sd) and their
        autocorrelation from one day to the next (serially correlated views).
    live_on_high_view_days : float
        Log-odds lift of going LIVE per unit of the day's view shock: creators go LIVE on
        their good days.
    viral_day_probability, viral_day_lift : float
        Chance that a creator's videos go viral on a day, and the factor on that day's views.
    generous_week_sd : float
        Weeks when a creator's audience gives more (paydays, holidays) and the creator, seeing
        it, goes LIVE more: each creator-week draws a standard score ``z``; the week's gift
        rates are multiplied by ``exp(sd z - sd^2 / 2)`` and its log-odds of going LIVE on a
        day rise by ``z``. A confounder of C8's frequency test; 0 for none.
    """

    name: str = "baseline"
    step_seconds: int = 10
    session_minutes_median: float = 40.0
    session_minutes_sigma: float = 0.5
    session_minutes_min: int = 5
    session_minutes_max: int = 240
    followers_median: float = 5_000.0
    followers_sigma: float = 1.2
    quality_sd: float = 0.5
    evening_lift: float = 0.6
    impressions_per_follower_minute: float = 0.02
    follower_elasticity: float = 0.8
    join_probability: float = 0.15
    visibility_sensitivity: float = 1.0
    stay_minutes_mean: float = 4.0
    quality_stay_elasticity: float = 0.5
    tap_sessions_per_minute: float = 0.3
    tap_taste_sigma: float = 1.0
    taps_per_batch_mean: float = 8.0
    comments_per_minute: float = 0.08
    shares_per_minute: float = 0.005
    follow_probability: float = 0.04
    cta_per_hour: float = 2.0
    cta_minutes: float = 1.0
    cta_tap_lift: float = 4.0
    moments_per_hour: float = 3.0
    moment_minutes: float = 2.0
    moment_lift: float = 2.5
    gifter_share: float = 0.1
    gifts_per_gifter_minute: float = 0.2
    gift_coins_median: float = 5.0
    gift_coins_sigma: float = 1.6
    streak_mean: float = 4.0
    gift_excitation: float = 0.2
    excitation_minutes: float = 1.0
    visibility_memory_minutes: float = 3.0
    heart_weight: float = 0.5
    comment_weight: float = 1.0
    share_weight: float = 0.5
    gift_weight: float = 0.5
    retention_weight: float = 1.0
    steadiness_penalty: float = 0.0
    steadiness_minutes: float = 3.0
    lives_per_week_median: float = 3.0
    gift_budget_split: float = 0.0
    video_views_per_follower_day: float = 0.3
    live_to_video_views: float = 0.5
    video_like_probability: float = 0.06
    botted_session_share: float = 0.0
    bot_share: float = 0.3
    bot_taps_per_minute: float = 1.0
    bot_taps_per_batch: float = 10.0
    bot_stay_minutes: float = 10.0
    batch_follows_tapping: float = 0.0
    max_taps_per_message: int = 0
    gift_shocks_per_hour: float = 0.0
    gift_shock_minutes: float = 3.0
    gift_shock_lift: float = 4.0
    gifter_group_mean: float = 1.0
    cta_timing: str = "random"
    cta_comment_lift: float = 1.0
    heavy_tapper_share: float = 0.0
    quality_hour_slope: float = 0.0
    evening_minutes_lift: float = 0.0
    weekend_lift: float = 0.0
    view_shock_sd: float = 0.0
    view_shock_memory: float = 0.0
    live_on_high_view_days: float = 0.0
    viral_day_probability: float = 0.0
    viral_day_lift: float = 5.0
    visibility_link: str = "exponential"
    heart_bunch_seconds: int = 0
    generous_week_sd: float = 0.0
    reply_share: float = 0.0
    reply_gift_lift: float = 1.0
    reply_lift_minutes: float = 5.0
    reply_gifter_bias: float = 1.0
    reply_moment_lift: float = 1.0
    thank_share: float = 0.0

    def __post_init__(self) -> None:
        check_fields(self, _world_rules())
        check_relation(self, self.session_minutes_min <= self.session_minutes_max,
                       "session_minutes_min",
                       f"at most session_minutes_max ({self.session_minutes_max!r})")
        check_relation(self, self.heart_bunch_seconds % self.step_seconds == 0,
                       "heart_bunch_seconds",
                       f"a multiple of step_seconds ({self.step_seconds!r})")

    @property
    def host_answers(self) -> bool:
        """Whether the host answers comments or thanks gifts by name (a replies table)."""
        return self.reply_share > 0 or self.thank_share > 0

    def replace(self, **changes: object) -> World:
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """Every parameter by name (for the JSON written beside simulated data)."""
        return dataclasses.asdict(self)


_SIGNED = {"gift_excitation", "heart_weight", "comment_weight", "share_weight", "gift_weight",
           "retention_weight", "quality_hour_slope", "live_on_high_view_days"}
_PROBABILITIES = ("join_probability", "follow_probability", "gifter_share",
                  "video_like_probability", "botted_session_share", "heavy_tapper_share",
                  "viral_day_probability", "gift_budget_split", "reply_share", "thank_share")
_POSITIVE = ("session_minutes_median", "followers_median",
             "stay_minutes_mean", "visibility_memory_minutes", "excitation_minutes",
             "steadiness_minutes", "cta_minutes", "moment_minutes", "bot_stay_minutes",
             "gift_shock_minutes", "reply_lift_minutes")
_AT_LEAST_ONE = ("taps_per_batch_mean", "streak_mean", "bot_taps_per_batch",
                 "gifter_group_mean", "gift_shock_lift", "cta_comment_lift", "viral_day_lift",
                 "reply_gifter_bias", "reply_moment_lift")
#: When calls to action come (:attr:`World.cta_timing`).
CTA_TIMINGS = ("random", "moments", "late")
#: How the visibility score multiplies impressions (:attr:`World.visibility_link`).
VISIBILITY_LINKS = ("exponential", "linear")


@cache
def _world_rules() -> dict[str, Rule]:
    """The declared rule of every field of :class:`World` (see :func:`toolkit._checks.check_fields`)."""
    rules: dict[str, Rule] = {}
    for f in fields(World):
        if f.name == "name":
            rules[f.name] = Text()
        elif f.name == "step_seconds":
            rules[f.name] = Divides(60)
        elif f.name == "cta_timing":
            rules[f.name] = OneOf(CTA_TIMINGS)
        elif f.name == "visibility_link":
            rules[f.name] = OneOf(VISIBILITY_LINKS)
        elif f.name in ("max_taps_per_message", "heart_bunch_seconds"):
            rules[f.name] = Interval(0, None, whole=True)
        elif f.name == "view_shock_memory":
            rules[f.name] = Interval(0, 1, closed="left")
        elif f.name == "gift_excitation":
            rules[f.name] = Interval(-1, None, closed="neither")
        elif f.name in _SIGNED:
            rules[f.name] = Finite()
        elif f.name in _PROBABILITIES:
            rules[f.name] = Interval(0, 1)
        elif f.name in _POSITIVE:
            rules[f.name] = Interval(0, math.inf, closed="neither")
        elif f.name in _AT_LEAST_ONE:
            rules[f.name] = Interval(1, math.inf, closed="left")
        else:
            rules[f.name] = Interval(0, math.inf, closed="left")
    return rules


#: Named worlds: the changes each makes to ``baseline``, and the claim it is about.
PRESETS: dict[str, tuple[dict[str, object], str]] = {
    "baseline": ({}, "the starting point: public figures where they exist, guesses elsewhere "
                     "(docs/simulator.md); hearts count a little for visibility"),
    "hearts_feed_visibility": ({"heart_weight": 1.5}, "C7, C13: hearts drive visibility"),
    "passive_hearts": ({"heart_weight": 0.0}, "C2: hearts play no part in visibility"),
    "steady_hearts_win": ({"steadiness_penalty": 1.0}, "C15: bursts of hearts count less"),
    "bursts_equal": ({"steadiness_penalty": 0.0, "visibility_link": "linear"},
                     "C15 false: only the number of hearts counts, and a linear link, so "
                     "bursts gain no viewers through the link's curvature either"),
    "herding": ({"gift_excitation": 0.6}, "gifts trigger more gifts"),
    "crowding_out": ({"gift_excitation": -0.4}, "gifts discourage other gifts"),
    "no_gift_feedback": ({"gift_excitation": 0.0}, "gifts do not affect other gifts"),
    "bought_hearts": ({"botted_session_share": 0.3}, "C18: 30 % of creators buy hearts"),
    "hearts_only": ({"heart_weight": 1.5, "comment_weight": 0.0, "share_weight": 0.0,
                     "gift_weight": 0.0, "retention_weight": 0.0},
                    "C2, C14 false: hearts are the only signal of visibility"),
    "cta_ignored": ({"cta_tap_lift": 1.0}, "C17 false: calls to action change nothing"),
    "no_strong_moments": ({"moment_lift": 1.0}, "C16 false: no strong moments"),
    "no_evening_peak": ({"evening_lift": 0.0}, "C21 false: the audience is as active at every hour"),
    "no_live_spillover": ({"live_to_video_views": 0.0},
                          "C4 false: LIVE viewers do not go on to the regular videos"),
    "fan_budget": ({"gift_budget_split": 1.0, "gift_weight": 0.0, "gift_excitation": 0.0},
                   "C8 false for frequency: a creator's audience gives the same each week, "
                   "however many LIVEs share it (and gifts feed neither visibility nor other "
                   "gifts, so that a week's expected coins do not move with its LIVEs at "
                   "all)"),
    "replies_drive_gifts": ({"reply_share": 0.3, "reply_gift_lift": 2.0},
                            "C9: the host answers 30 % of comments by name, and an answered "
                            "gifter gifts twice as often for 5 minutes"),
    "replies_inert": ({"reply_share": 0.3},
                      "C9 false: the host answers 30 % of comments, which changes no gifts"),
    # C2's boundary and C14's second null
    "equal_weights": ({"heart_weight": 1.0, "comment_weight": 1.0},
                      "C2 boundary: hearts and comments weigh the same for visibility"),
    "inert_hearts_comments": ({"heart_weight": 0.0, "comment_weight": 0.0},
                              "C14 false: neither hearts nor comments move visibility"),
    "hearts_follow_followers": ({"follower_elasticity": 1.0, "visibility_sensitivity": 0.0},
                                "C20 false: a LIVE's audience, and so its hearts, grow in "
                                "proportion to the creator's followers (no visibility loop, "
                                "which favours large rooms a little)"),
    # realistic mechanisms, to combine with a null world ("passive_hearts+tap_speed_batches")
    "tap_speed_batches": ({"batch_follows_tapping": 1.0, "max_taps_per_message": 15},
                          "heart messages hold more taps when tapping is fast (at most 15)"),
    "strong_long_moments": ({"moments_per_hour": 4.0, "moment_minutes": 4.0, "moment_lift": 4.0},
                            "more, longer and stronger strong moments"),
    "unequal_tapping": ({"tap_taste_sigma": 2.0}, "very unequal tapping tastes"),
    "gift_battles": ({"gift_shocks_per_hour": 2.0},
                     "gift battles and goals lift gifts only, for 3 minutes, twice an hour"),
    "gifter_groups": ({"gifter_group_mean": 4.0}, "gifters arrive in groups of about 4"),
    "cta_when_lively": ({"cta_timing": "moments"}, "calls to action come in strong moments"),
    "cta_when_dying": ({"cta_timing": "late"}, "calls to action come as the LIVE winds down"),
    "cta_asks_comments": ({"cta_comment_lift": 3.0}, "calls to action also ask for comments"),
    "heavy_quiet_tappers": ({"heavy_tapper_share": 0.05},
                            "5 % of real viewers tap like bots and never talk or gift"),
    "large_rooms": ({"followers_median": 20_000.0}, "four times the followers: large rooms"),
    "quality_by_hour": ({"quality_hour_slope": 1.0}, "better creators go LIVE in the evening"),
    "long_evenings": ({"evening_minutes_lift": 0.8}, "evening LIVEs last longer"),
    "weekend_evenings": ({"weekend_lift": 0.5},
                         "weekends bring more viewers and more evening LIVEs"),
    "live_on_good_days": ({"view_shock_sd": 0.5, "live_on_high_view_days": 2.0},
                          "creators go LIVE on days their videos do well"),
    "correlated_views": ({"view_shock_sd": 0.5, "view_shock_memory": 0.8},
                         "video views have good and bad spells"),
    "viral_days": ({"viral_day_probability": 0.03}, "3 % of creator-days go viral (5 x views)"),
    "generous_weeks": ({"generous_week_sd": 0.5},
                       "weeks when the audience gives more, and creators go LIVE more"),
    "replies_to_gifters": ({"reply_gifter_bias": 3.0},
                           "the host answers gifters' comments three times as often"),
    "replies_when_lively": ({"reply_moment_lift": 3.0},
                            "the host answers three times as often in strong moments"),
    "thanks_for_gifts": ({"thank_share": 0.5}, "the host thanks half the gifts by name"),
}


#: The presets that add a realistic mechanism (to combine with a claim's null world) rather
#: than take a side of a claim.
MECHANISMS: tuple[str, ...] = tuple(PRESETS)[tuple(PRESETS).index("tap_speed_batches"):]


def world_names(mechanisms: bool = True) -> tuple[str, ...]:
    """Names of the preset worlds (without the :data:`MECHANISMS` if ``mechanisms`` is false)."""
    return tuple(n for n in PRESETS if mechanisms or n not in MECHANISMS)


def world(name: str = "baseline") -> World:
    """The preset world called ``name`` (see :data:`PRESETS`), or a combination ``"a+b"``.

    A combination applies each preset's changes to ``baseline`` in turn; two presets that set
    the same parameter to different values cannot be combined.

    >>> w = world("passive_hearts+tap_speed_batches")
    >>> w.heart_weight, w.max_taps_per_message, w.name
    (0.0, 15, 'passive_hearts+tap_speed_batches')
    """
    if not isinstance(name, str):
        raise ValueError(f"world must be one of {world_names()} or several joined by '+', "
                         f"got {name!r}")
    changes: dict[str, object] = {}
    for part in name.split("+"):
        if part not in PRESETS:
            raise ValueError(f"world must be one of {world_names()} or several joined by '+', "
                             f"got {name!r}")
        for key, value in PRESETS[part][0].items():
            if key in changes and changes[key] != value:
                raise ValueError(f"world {name!r} sets {key} twice ({changes[key]!r} and "
                                 f"{value!r}); combine presets that change different things")
            changes[key] = value
    return World().replace(name=name, **changes)


def describe_world(name: str) -> str:
    """What a preset or combination changes, in words ("hearts play no part ...; ...")."""
    world(name)  # checks the name
    return "; ".join(PRESETS[part][1] for part in name.split("+"))


def mimic_bots(level: float, base: World | None = None) -> World:
    """``bought_hearts`` (or ``base``) with bots ``level`` (0..1) of the way to an average person.

    The bots' taps per minute, taps per batch and stay move linearly to a person's means
    (``tap_sessions_per_minute``, ``taps_per_batch_mean``, ``stay_minutes_mean``). Bots still
    never talk or gift: the simulator has no parameter for that.
    """
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"level must be in [0, 1], got {level!r}")
    w = world("bought_hearts") if base is None else base

    def towards(bot: float, person: float) -> float:
        return (1.0 - level) * bot + level * person

    return w.replace(
        name=f"{w.name}_mimic_{level:g}",
        bot_taps_per_minute=towards(w.bot_taps_per_minute, w.tap_sessions_per_minute),
        bot_taps_per_batch=towards(w.bot_taps_per_batch, w.taps_per_batch_mean),
        bot_stay_minutes=towards(w.bot_stay_minutes, w.stay_minutes_mean),
    )
