"""Which signals move a LIVE's reach: hearts, comments and gifts against the joins that follow.

An outside observer never sees the visibility score, only its consequence: people joining.
So the tests here ask, minute by minute inside each session, whether a minute with more
hearts per viewer than *that session's own usual* is followed by more joins, holding the
other signals of the same minutes fixed (claims C7, C11, C13, and C2, C14 for the other
signals). Comparing a session with itself (fixed effects) removes everything that does not
change during a LIVE: the creator's popularity, content quality, follower count. What it does
not remove is anything that changes during the LIVE and moves hearts and joins together
without passing through visibility; the calibration runs (:mod:`toolkit.claims.calibration`)
measure how much that matters in worlds where hearts do nothing.

The panel (:func:`minute_panel`) has, for session ``s`` and minute ``t``: the log of viewers
present, the log-rates per viewer of hearts, comments, gifts and shares over the three
minutes ending at ``t`` (the platform's own memory in the model is about three minutes), and
the log of joins in minute ``t + 1`` (``next_joins``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from toolkit.analytics.minutes import live_minutes
from toolkit.claims.evidence import Evidence, claim_test, skipped, verdict_from_test
from toolkit.events.dataset import Dataset
from toolkit.stats.regression import demean, mediation, ols

__all__ = [
    "SIGNALS", "minute_panel", "signal_effects", "test_c2", "test_c7", "test_c11", "test_c13",
    "test_c14", "next_minute_slopes"]

#: Observable signals per viewer, in the panel as ``log_<name>``.
SIGNALS: tuple[str, ...] = ("hearts", "comments", "gifts", "shares")
WINDOW_MINUTES = 3
CONTROLS = ("log_viewers", "log_joins", "log_joins_1", "log_joins_2", "log_joins_3")


def complete_minutes(data: Dataset) -> pl.DataFrame:
    """The dataset's complete minute table, ``live_minutes(events, complete=True)``,
    computed once per dataset for every test that reads it."""
    return data.derived("live_minutes", lambda: live_minutes(data.events, complete=True))


def minute_panel(events: pl.DataFrame | pl.LazyFrame, window: int = WINDOW_MINUTES,
                 minutes: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per session and minute with the signals of the last ``window`` minutes.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table.
    window : int
        Minutes summed for each signal (ending at the row's minute).
    minutes : polars.DataFrame, optional
        ``live_minutes(events, complete=True)``, when the caller has it already.

    Returns
    -------
    polars.DataFrame
        ``session_id``, ``minute``, ``log_viewers`` (log of 1 + viewers at the start of the
        minute), ``log_joins`` (log of 1 + joins in the minute), ``log_<signal>`` for each of
        :data:`SIGNALS` (log of (1 + count over the window) / (1 + viewer-minutes over the
        window)), ``next_joins`` (log of 1 + joins in the next minute) and ``next_gifts``
        (log of 1 + gift events in the next three minutes). Minutes missing from the
        recording count as zero; the first ``max(3, window - 1)`` minutes of each session
        (they lack the lagged joins or a full window) and its last minute are dropped.
    """
    full = (live_minutes(events, complete=True) if minutes is None else minutes
            ).rename({"gift_events": "gift_count"})
    if full.is_empty():
        return pl.DataFrame()
    roll = {name: pl.col(name).cast(pl.Float64).rolling_sum(window).over("session_id")
            for name in ("hearts", "heart_events", "comments", "shares", "gift_count",
                         "viewers")}
    exposure = (1 + roll["viewers"]).log()
    ahead = pl.col("gift_count").shift(-1).over("session_id")
    return (
        full.with_columns(
            log_viewers=(1 + pl.col("viewers").cast(pl.Float64)).log(),
            log_joins=(1 + pl.col("joins").cast(pl.Float64)).log(),
            log_joins_1=(1 + pl.col("joins").shift(1).over("session_id").cast(pl.Float64)).log(),
            log_joins_2=(1 + pl.col("joins").shift(2).over("session_id").cast(pl.Float64)).log(),
            log_joins_3=(1 + pl.col("joins").shift(3).over("session_id").cast(pl.Float64)).log(),
            log_hearts=(1 + roll["hearts"]).log() - exposure,
            log_heart_events=(1 + roll["heart_events"]).log() - exposure,
            batch=pl.when(roll["heart_events"] > 0)
            .then(roll["hearts"] / roll["heart_events"]),
            log_comments=(1 + roll["comments"]).log() - exposure,
            log_gifts=(1 + roll["gift_count"]).log() - exposure,
            log_shares=(1 + roll["shares"]).log() - exposure,
            next_joins=(1 + pl.col("joins").shift(-1).over("session_id").cast(pl.Float64)).log(),
            next_gifts=(1 + (ahead + pl.col("gift_count").shift(-2).over("session_id")
                             + pl.col("gift_count").shift(-3).over("session_id"))
                        .cast(pl.Float64)).log(),
        )
        .drop_nulls(["log_hearts", "next_joins", "log_joins_3"])
        .with_columns(pl.col("next_gifts").fill_null(pl.col("next_gifts").mean()),
                      # taps per heart event over the window, relative to the data's mean
                      # (0 when nobody tapped): chance alone sets it in the simulator
                      batch_excess=(pl.col("batch") / pl.col("batch").mean() - 1).fill_null(0.0))
        .select("session_id", "minute", *CONTROLS, *(f"log_{s}" for s in SIGNALS),
                "log_heart_events", "batch_excess", "next_joins", "next_gifts")
    )


def signal_effects(panel: pl.DataFrame, outcome: str = "next_joins",
                   signals: tuple[str, ...] = SIGNALS, batches: bool = False) -> pl.DataFrame:
    """Within-session regression of ``outcome`` on the signals and the controls.

    With ``batches=True`` the number of heart *events* (tap sessions) is held fixed too, so
    the hearts slope is identified only by how many taps each batch holds: in the simulator
    batch sizes are pure chance, unrelated to strong moments or calls to action, which makes
    this slope immune to those confounders (see docs/statistics.md).

    Returns
    -------
    polars.DataFrame
        One row per term (``log_hearts``, ``log_comments``, ...): ``estimate`` (change in
        the log outcome per unit change in the log-rate, i.e. an elasticity), ``se``,
        ``low``, ``high`` (95 %, errors clustered by session), ``p_value``.
    """
    x = [*(f"log_{s}" for s in signals), *CONTROLS]
    if batches:  # hearts enter as heart events (controls) and taps per event (the slope)
        x = ["batch_excess", "log_heart_events", *(c for c in x if c != "log_hearts")]
    within = demean(panel, "session_id", [outcome, *x])
    return ols(within, outcome, x, cluster="session_id", intercept=False).table()


def next_minute_slopes(plain: pl.DataFrame, by_batches: pl.DataFrame) -> pl.DataFrame:
    """The slopes of :func:`signal_effects` worth charting side by side: each signal per viewer
    (from ``plain``, the joins and viewer controls left out) and the taps per heart batch
    (from ``by_batches``, the C13 test's term).

    Returns
    -------
    polars.DataFrame
        ``label``, ``effect``, ``low``, ``high`` (log next-minute joins per unit of the log
        signal).
    """
    signals = (plain.filter(pl.col("term").str.starts_with("log_")
                            & ~pl.col("term").str.contains("join|viewers"))
               .with_columns(label=pl.col("term").str.replace("log_", "") + " per viewer"))
    batches = by_batches.filter(pl.col("term") == "batch_excess").with_columns(
        label=pl.lit("taps per heart batch (the C13 test)"))
    return pl.concat([signals, batches]).select("label", effect="estimate", low="low",
                                                high="high")


def _panel_or_none(data: Dataset, claim: str, measure: str) -> pl.DataFrame | Evidence:
    """The dataset's minute panel (computed once per dataset), or why it is too small."""
    panel = data.derived("minute_panel",
                         lambda: minute_panel(data.events, minutes=complete_minutes(data)))
    sessions = panel["session_id"].n_unique() if not panel.is_empty() else 0
    if sessions < 10:
        return skipped(claim, measure, f"needs minute-by-minute events of at least 10 sessions, "
                                       f"found {sessions}")
    return panel


def _slope_test(data: Dataset, claim: str, measure: str, term: str, note: str,
                outcome: str = "next_joins", signals: tuple[str, ...] = SIGNALS,
                batches: bool = False) -> Evidence:
    """Evidence from one slope of :func:`signal_effects` on the dataset's minute panel."""
    panel = _panel_or_none(data, claim, measure)
    if isinstance(panel, Evidence):
        return panel
    table = signal_effects(panel, outcome, signals, batches=batches)
    return _from_term(claim, measure, table, term, panel["session_id"].n_unique(), note)


def _from_term(claim: str, measure: str, table: pl.DataFrame, term: str, n: int, note: str
               ) -> Evidence:
    row = table.filter(pl.col("term") == term).row(0, named=True)
    return Evidence(claim, measure, row["estimate"], row["low"], row["high"], row["p_value"], n,
                    verdict_from_test(row["estimate"], row["p_value"]), note)


@claim_test
def test_c13(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C13: more hearts make the platform show the LIVE to more people.

    Within sessions, the slope of next-minute joins on how many taps the last three minutes'
    heart batches held (at the same number of tap sessions, comments, gifts, shares, viewers
    and recent joins).
    """
    return _slope_test(
        data, "C13",
        "change in log next-minute joins when heart batches hold twice the usual taps",
        "batch_excess",
        "Above 0: at the same number of tap sessions, extra taps are followed by more joins. "
        "This leans on batch sizes being chance, true in the model; in real LIVEs keen "
        "tappers may differ (n = sessions).",
        batches=True)


@claim_test
def test_c11(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C11: more hearts bring more gifts (the total effect, through whatever path)."""
    return _slope_test(
        data, "C11",
        "change in log gifts of the next 3 minutes when heart batches hold twice the usual taps",
        "batch_excess",
        "Above 0: at the same number of tap sessions, extra taps are followed by more gifts in "
        "the same LIVE, by whatever path (n = sessions).",
        outcome="next_gifts", signals=("hearts", "comments", "shares"), batches=True)


@claim_test
def test_c7(data: Dataset, rng: np.random.Generator, n_resamples: int = 499) -> Evidence:
    """C7: hearts -> more viewers -> more gifts, the indirect path (mediation)."""
    measure = "indirect effect hearts -> next-minute joins -> later gifts (log units)"
    panel = _panel_or_none(data, "C7", measure)
    if isinstance(panel, Evidence):
        return panel
    controls = ["log_heart_events", "log_comments", "log_shares", *CONTROLS]
    within = demean(panel, "session_id",
                    ["batch_excess", "next_joins", "next_gifts", *controls])
    result = mediation(within, "batch_excess", "next_joins", "next_gifts", controls,
                       "session_id", rng, n_resamples=n_resamples, intercept=False)
    return Evidence(
        "C7", measure, result.indirect, result.low, result.high, result.p_value,
        result.clusters, verdict_from_test(result.indirect, result.p_value),
        f"The path through joins is a x b = {result.a:.3f} x {result.b:.3f}; the direct "
        f"part is {result.direct:.3f}. Mediation assumes nothing else drives both joins and "
        "gifts in the same minute (n = sessions).",
    )


@claim_test
def test_c14(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C14: hearts alone are not enough; comments count too (holding hearts fixed)."""
    return _slope_test(
        data, "C14",
        "elasticity of next-minute joins to comments per viewer, hearts held fixed",
        "log_comments",
        "Above 0: at the same hearts, more comments are followed by more joins, so hearts are "
        "not the whole story; watch time and retention are not observed per minute and are "
        "not tested here (n = sessions).")


@claim_test
def test_c2(data: Dataset, rng: np.random.Generator) -> Evidence:
    """C2: active signals (comments) weigh more than passive ones (hearts) for reach."""
    measure = "comments elasticity minus hearts elasticity of next-minute joins"
    panel = _panel_or_none(data, "C2", measure)
    if isinstance(panel, Evidence):
        return panel
    n = panel["session_id"].n_unique()
    # the difference of two slopes: regress on (comments) and (hearts + comments), whose
    # coefficient on comments is then beta_comments - beta_hearts
    shifted = panel.with_columns(log_sum=pl.col("log_hearts") + pl.col("log_comments"))
    x = ["log_comments", "log_sum", "log_gifts", "log_shares", *CONTROLS]
    within = demean(shifted, "session_id", ["next_joins", *x])
    table = ols(within, "next_joins", x, cluster="session_id", intercept=False).table()
    return _from_term("C2", measure, table, "log_comments", n,
                      "Above 0: a 1 % rise in comments per viewer goes with more extra joins "
                      "than a 1 % rise in hearts; it compares per-cent changes, not the worth "
                      "of one comment against one heart (n = sessions).")

