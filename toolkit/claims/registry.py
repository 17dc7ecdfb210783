"""The claims registry: every claim C1..C26 (and the research question R1) in one table.

Each :class:`Claim` states the claim in the project's words, its kind, what an observer can
measure, the test that measures it (a function ``test(Dataset, rng) -> Evidence``, named as
``"module:function"`` so the registry loads quickly), the worlds where it holds and where it
fails, and the notebook that explains it. :func:`toolkit.claims.verdicts.run_claims` runs
every test on one dataset and reads its verdicts against the tests' diagnosis
(:mod:`toolkit.claims.diagnosis`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import polars as pl

from toolkit._checks import Finite, Flag, OneOf, Rule, Text, check_fields, check_relation
from toolkit.claims.evidence import Evidence
from toolkit.events.dataset import Dataset

__all__ = ["Claim", "CLAIMS", "claim", "registry_table"]

KINDS = ("identity", "causal", "association", "design", "research")
ALPHA = 0.05


@dataclass(frozen=True)
class Claim:
    """One claim and how the toolkit tests it.

    Attributes
    ----------
    id : str
        ``"C1"`` .. ``"C26"`` (see ``docs/claims.md``), ``"R1"`` for a research question.
    statement : str
        The claim in the project's words.
    kind : str
        identity, causal, association, design or research.
    source : str
        The article (or papers) it comes from.
    measure : str
        What an outside observer can measure for it.
    test : str or None
        ``"module:function"`` of the test in :mod:`toolkit.claims` (``"signals:test_c13"``);
        None when the model does not
        cover the claim (``untested`` says why).
    holds_in, fails_in, opposite_in : tuple of str
        Worlds (presets, or presets joined by ``+``: see :func:`toolkit.simulation.world`)
        where the claim holds, where it is false (no effect: the *null worlds* of the
        diagnosis, each adding a realistic mechanism the test must survive) and where the
        opposite holds. The first of ``holds_in`` gives the power quoted beside a verdict.
    estimand : str
        The quantity the test estimates, in words and units.
    null_value : float or None
        The value of the estimate when the claim is false (0, or 1 for a ratio); None when
        the estimate has no such value (the diagnosis then checks no coverage).
    notebook : str
        The notebook that explains it.
    platform_only : bool
        The test needs what only the platform (or the creator) knows; the test itself skips
        on recordings (``Dataset.has`` is false for hidden tables there), this flag says so
        in the registry.
    untested : str
        Why there is no test (empty when there is one).
    """

    id: str
    statement: str
    kind: str
    source: str
    measure: str
    test: str | None
    holds_in: tuple[str, ...] = ()
    fails_in: tuple[str, ...] = ()
    notebook: str = ""
    platform_only: bool = False
    untested: str = ""
    opposite_in: tuple[str, ...] = ()
    estimand: str = ""
    null_value: float | None = 0.0

    RULES: ClassVar[dict[str, Rule]] = {
        "id": Text(), "statement": Text(), "kind": OneOf(KINDS), "source": Text(),
        "measure": Text(), "notebook": Text(empty=True), "platform_only": Flag(),
        "untested": Text(empty=True), "estimand": Text(empty=True),
    }

    def __post_init__(self) -> None:
        check_fields(self)
        check_relation(self, self.test is None or (isinstance(self.test, str)
                                                   and self.test.count(":") == 1), "test",
                       'None or "module:function" of toolkit.claims')
        for name in ("holds_in", "fails_in", "opposite_in"):
            worlds = getattr(self, name)
            check_relation(self, isinstance(worlds, tuple)
                           and all(isinstance(w, str) and w for w in worlds), name,
                           "a tuple of world names")
        check_relation(self, self.null_value is None or Finite().accepts(self.null_value),
                       "null_value", "None or a finite number")
        check_relation(self, (self.test is None) != (not self.untested), "untested",
                       f"empty when claim {self.id} has a test, and say why when it has none")

    def function(self) -> Callable[[Dataset, np.random.Generator], Evidence] | None:
        """The test function (imported on first use)."""
        if self.test is None:
            return None
        module, name = self.test.split(":")
        return getattr(importlib.import_module(f"toolkit.claims.{module}"), name)


_A1, _A2, _A3, _A4, _A5 = ("why-live-likes-dont-count", "paid-for-likes", "paid-for-hearts",
                           "a-quoi-servent-les-jaime", "importance-of-likes")
_LOOP = ("hearts_feed_visibility", "baseline")
#: The null worlds of the hearts-visibility loop (C7, C11, C13): hearts do nothing for
#: visibility, alone and with each mechanism that could fake their effect.
_PASSIVE = ("passive_hearts", *(f"passive_hearts+{m}" for m in (
    "tap_speed_batches", "strong_long_moments", "herding", "crowding_out", "bought_hearts",
    "unequal_tapping")), "passive_hearts@recorded")

CLAIMS: tuple[Claim, ...] = (
    Claim("C1", "Hearts tapped during a LIVE are not added to the creator's profile like "
          "total; likes on regular videos are.", "identity", _A1,
          "profile likes added by LIVE hearts", "accounting:test_c1",
          notebook="01-two-like-counts"),
    Claim("C2", "For LIVE, watch time, comments, shares and gifts weigh more than hearts.",
          "causal", _A1, "comments vs hearts elasticity of next-minute joins",
          "signals:test_c2", holds_in=("baseline", "passive_hearts"),
          fails_in=("equal_weights",),
          opposite_in=("hearts_only", "hearts_feed_visibility", "hearts_only@recorded"),
          estimand="elasticity of next-minute joins to comments per viewer minus that to "
                   "hearts per viewer (log joins per log rate)",
          notebook="06-hearts-visibility-money"),
    Claim("C3", "Adding LIVE hearts to profile totals would distort the picture of creators "
          "who stream a lot.", "design", _A1, "rank agreement with and without LIVE hearts",
          "accounting:test_c3", notebook="01-two-like-counts"),
    Claim("C4", "A successful LIVE sends viewers to the creator's regular videos afterwards.",
          "causal", _A1, "regular-video views the day after a LIVE vs other days",
          "audience:test_c4", holds_in=("baseline",),
          fails_in=("no_live_spillover", "no_live_spillover+live_on_good_days",
                    "no_live_spillover+correlated_views", "no_live_spillover+viral_days"),
          estimand="log ratio of a creator's regular-video views the day after a LIVE to "
                   "their other days, at the same views the day before",
          notebook="09-timing-moments-and-audience"),
    Claim("C5", "LIVE success is best read from unique viewers, watch duration, comments and "
          "gifts.", "association", _A1, "rank correlations of the summary numbers with coins",
          "audience:test_c5", notebook="09-timing-moments-and-audience"),
    Claim("C6", "Hearts earn nothing directly; money comes from gifts (coins, gifts, "
          "Diamonds, cash-out).", "identity", _A2,
          "creator dollars when hearts change", "accounting:test_c6",
          notebook="02-follow-the-money"),
    Claim("C7", "Hearts raise visibility, which brings more viewers, which brings more gifts.",
          "causal", _A2, "indirect effect hearts -> joins -> gifts", "signals:test_c7",
          holds_in=_LOOP, fails_in=_PASSIVE, notebook="06-hearts-visibility-money",
          estimand="indirect effect of twice the usual taps per heart message on log gifts of "
                   "the next 3 minutes, through next-minute joins (log units)"),
    Claim("C8", "Earnings grow with audience size and engagement, quality, how often the "
          "creator goes LIVE, and promotion.", "association", _A2,
          "a creator's weekly coins against their LIVEs that week", "earnings:test_c8",
          holds_in=("baseline",),
          fails_in=("fan_budget", "fan_budget+generous_weeks", "fan_budget+live_on_good_days",
                    "fan_budget+gifter_groups"),
          estimand="elasticity of a creator's expected weekly coins to the number of LIVEs "
                   "they go that week (1: each LIVE earns as much as the others; 0: the "
                   "week's gifts are fixed)",
          notebook="07-whales-and-herding"),
    Claim("C9", "Answering comments makes viewers send more gifts.", "causal", _A2,
          "gifts of viewers the host answers by name, after the reply", "replies:test_c9",
          holds_in=("replies_drive_gifts",),
          fails_in=("replies_inert", "replies_inert+replies_to_gifters",
                    "replies_inert+replies_when_lively", "replies_inert+thanks_for_gifts",
                    "replies_inert@recorded"),
          null_value=1.0,
          estimand="rate ratio of a gifter's gifts in the 5 minutes after the minute the host "
                   "answers them by name to their other minutes (same gifter, same minute of "
                   "the LIVE)",
          notebook="09-timing-moments-and-audience"),
    Claim("C10", "Coins cost money, gifts cost coins, creators cash out; hearts have no cash "
          "value at any step.", "identity", _A3, "coins on heart events",
          "accounting:test_c10", notebook="02-follow-the-money"),
    Claim("C11", "Many hearts mean more engagement, which attracts more gifts.", "causal",
          _A3, "within-session elasticity of later gifts to hearts", "signals:test_c11",
          holds_in=_LOOP, fails_in=_PASSIVE, notebook="06-hearts-visibility-money",
          estimand="change in log gifts of the next 3 minutes when heart messages hold twice "
                   "the usual taps"),
    Claim("C12", "The programme for regular videos pays on views, not on LIVE hearts.",
          "identity", _A3, "rewards for regular-video views", "accounting:test_c12",
          notebook="02-follow-the-money"),
    Claim("C13", "More hearts make the algorithm show the LIVE to more people: an "
          "amplification loop.", "causal", _A4,
          "within-session elasticity of next-minute joins to hearts", "signals:test_c13",
          holds_in=_LOOP, fails_in=_PASSIVE, notebook="06-hearts-visibility-money",
          estimand="change in log next-minute joins when heart messages hold twice the usual "
                   "taps"),
    Claim("C14", "Hearts alone are not enough: watch time, comments, gifts and retention "
          "count too.", "causal", _A4, "joins after comments, hearts held fixed",
          "signals:test_c14", holds_in=("baseline",),
          fails_in=("hearts_only", "inert_hearts_comments", "hearts_only@recorded"),
          estimand="elasticity of next-minute joins to comments per viewer, hearts held fixed",
          notebook="06-hearts-visibility-money"),
    Claim("C15", "A steady flow of hearts is worth more to visibility than the same hearts "
          "in bursts.", "causal", _A4, "joins after hearts that happened to come in bursts",
          "steadiness:test_c15", holds_in=("steady_hearts_win",),
          fails_in=("bursts_equal", *(f"bursts_equal+{m}" for m in (
              "strong_long_moments", "tap_speed_batches", "unequal_tapping")),
              "bursts_equal@recorded"),
          notebook="06-hearts-visibility-money",
          estimand="change in log next-minute joins per doubling of the 10-second slots the "
                   "last 3 minutes' hearts fill, the same heart messages in the same slots"),
    Claim("C16", "Peaks in the heart rate mark the strong moments of a LIVE.", "association",
          _A4, "gifts in heart-peak minutes", "moments:test_c16",
          holds_in=("baseline",),
          fails_in=("no_strong_moments", "no_strong_moments+cta_asks_comments",
                    "no_strong_moments+bought_hearts", "no_strong_moments+unequal_tapping",
                    "no_strong_moments@recorded"),
          estimand="log ratio of gift events in heart-peak minutes to other minutes, same "
                   "viewers",
          notebook="09-timing-moments-and-audience"),
    Claim("C17", "Calls to action raise the heart count within seconds.", "causal", _A4,
          "hearts per comment in call-to-action minutes", "moments:test_c17",
          holds_in=("baseline",),
          fails_in=("cta_ignored", "cta_ignored+cta_when_lively", "cta_ignored+cta_when_dying"),
          estimand="log ratio of hearts per comment in minutes with a call to action to other "
                   "minutes, pooled over sessions",
          notebook="09-timing-moments-and-audience", platform_only=True),
    Claim("C18", "Bought hearts from inauthentic accounts can be detected.", "association",
          _A4, "detector flags against true bot labels", "bots:test_c18",
          holds_in=("bought_hearts",),
          fails_in=("baseline", "heavy_quiet_tappers", "large_rooms"),
          notebook="08-bought-hearts",
          estimand="share of botted sessions the detector flags (recall); with no botted "
                   "session, the share of sessions flagged", null_value=None),
    Claim("C19", "The LIVE heart total stays visible on the replay and in the creator's "
          "statistics.", "identity", _A4, "session heart totals kept",
          "accounting:test_c19", notebook="01-two-like-counts"),
    Claim("C20", "Hearts do not simply follow the follower count; small accounts can get "
          "many.", "association", _A4, "elasticity of a LIVE's hearts to followers",
          "audience:test_c20", holds_in=("baseline",),
          fails_in=("hearts_follow_followers", "hearts_follow_followers+unequal_tapping",
                    "hearts_follow_followers+large_rooms",
                    "hearts_follow_followers+bought_hearts", "hearts_follow_followers@recorded"),
          estimand="1 minus the elasticity of a LIVE's hearts to its creator's followers, "
                   "same length (0 when hearts grow in proportion to followers)",
          notebook="09-timing-moments-and-audience"),
    Claim("C21", "Going LIVE when the audience is most active (evenings) brings more "
          "interaction.", "causal", _A4, "comments in evening sessions vs others",
          "audience:test_c21", holds_in=("baseline",),
          fails_in=("no_evening_peak", "no_evening_peak+quality_by_hour",
                    "no_evening_peak+long_evenings", "no_evening_peak+weekend_evenings",
                    "no_evening_peak@recorded"),
          estimand="log ratio of comments in evening LIVEs (18-24 h) to others, same followers "
                   "and length",
          notebook="09-timing-moments-and-audience"),
    Claim("C22", "Well-liked LIVEs attract more gifts, subscriptions and brand deals.",
          "association", _A4, "coins against hearts at the same watch minutes",
          "earnings:test_c22", holds_in=("baseline",),
          fails_in=("no_strong_moments", "no_strong_moments+unequal_tapping",
                    "no_strong_moments+gifter_groups", "no_strong_moments+gift_battles",
                    "no_strong_moments@recorded"),
          opposite_in=("no_strong_moments+bought_hearts",),
          estimand="elasticity of a LIVE's coins to its hearts at the same watch minutes "
                   "(log coins per log hearts)",
          notebook="07-whales-and-herding"),
    Claim("C23", "Likes on regular videos push them to the For You feed.", "causal", _A5,
          "reach of a video after its likes", None, notebook="09-timing-moments-and-audience",
          untested="the model has no For You feed for regular videos"),
    Claim("C24", "Likes are social proof: a video with many likes draws more engagement.",
          "causal", _A5, "engagement after a video's like count", None,
          notebook="09-timing-moments-and-audience",
          untested="the model does not show like counts to viewers of regular videos"),
    Claim("C25", "Likes tell creators which content their audience prefers.", "association",
          _A5, "likes per view by kind of content", None,
          notebook="09-timing-moments-and-audience",
          untested="the model has no kinds of content"),
    Claim("C26", "More likes bring more brand deals and sponsorships.", "association", _A5,
          "deals against likes", None, notebook="09-timing-moments-and-audience",
          untested="no data on brand deals exist in the model or in a recording"),
    Claim("R1", "Gifts trigger more gifts (herding), or discourage them (crowding out).",
          "research", "Tu 2018; Zhu 2017; Yao, Lu & Chen 2023",
          "excitation of other viewers' gifts after a gift", "herding:test_r1",
          holds_in=("herding",),
          fails_in=("no_gift_feedback", "no_gift_feedback+gift_battles",
                    "no_gift_feedback+strong_long_moments", "no_gift_feedback+gifter_groups",
                    "no_gift_feedback@recorded"),
          opposite_in=("crowding_out",), null_value=1.0,
          estimand="rate ratio of a gifter's gifts in the 120 s after another user's gift "
                   "to their other moments (same gifter, stretch and activity state)",
          notebook="07-whales-and-herding"),
)


def claim(claim_id: str) -> Claim:
    """The registry entry of one claim."""
    for entry in CLAIMS:
        if entry.id == claim_id:
            return entry
    raise ValueError(f"no claim {claim_id!r}; ids are {[c.id for c in CLAIMS]}")


def registry_table() -> pl.DataFrame:
    """The registry as a table (one row per claim)."""
    return pl.DataFrame([{
        "claim": c.id, "kind": c.kind, "statement": c.statement, "measure": c.measure,
        "test": c.test or "", "holds_in": ", ".join(c.holds_in),
        "fails_in": ", ".join(c.fails_in), "notebook": c.notebook, "untested": c.untested,
    } for c in CLAIMS])
