"""Bought hearts (claim C18): features of each viewer, a transparent detector, its evaluation.

The detector reads only the canonical events table, so it runs on simulations and on
recordings alike; only its evaluation needs the simulator's true labels (``viewers.is_bot``,
``sessions.botted``), which a recording never has. It is a rule, so every flag can be explained:

- an **account is suspected** when it is *quiet* (no comment, share, follow or gift), sent at
  least ``min_heart_events`` heart events, tapped at least ``min_taps_per_minute`` while present
  and in batches of at least ``min_mean_batch`` taps on average, and was seen for at least
  ``min_present_minutes`` (first to last event);
- a **session is flagged** when at least ``min_suspected`` of its accounts are suspected and
  they are more than ``session_share`` of the accounts seen.

Thresholds are chosen on simulated training data (:func:`fit_detector`) and measured on other
seeds (:func:`evaluate`). The rule is designed for the model's bots (they tap often, in big
batches, stay long, never talk); bots that behave more like people escape it (notebook 08).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import ClassVar, TypedDict

import numpy as np
import polars as pl
from scipy import stats

from toolkit._checks import FrameT, Interval, Rule, check_fields, to_float
from toolkit.claims.evidence import Evidence, claim_test, skipped
from toolkit.events.dataset import Dataset
from toolkit.stats.estimates import proportion_interval

__all__ = [
    "SOCIAL_KINDS", "Detector", "DETECTOR", "viewer_features", "suspect", "session_flags",
    "proportion", "DetectionRates", "detection_rates", "fit_detector", "evaluate", "DatasetTest",
    "dataset_test", "test_c18",
]

#: Kinds of event a bot of the model never sends: any of them makes an account "not quiet".
SOCIAL_KINDS: tuple[str, ...] = ("comment", "share", "follow", "gift")


@dataclass(frozen=True)
class Detector:
    """Thresholds of the bought-hearts rule (see the module docstring).

    The defaults are what :func:`fit_detector` chooses on the training data of notebook 08
    (``bought_hearts``, 1,000 sessions, seed 1801; ``baseline``, 2,000 sessions, seed 1802).

    Attributes
    ----------
    min_heart_events, min_taps_per_minute, min_present_minutes, min_mean_batch : float
        An account is suspected when it is quiet and reaches all four: heart events (batches
        of taps), taps per minute present, minutes from first to last event, taps per batch.
    min_suspected : int
        Suspected accounts a session needs before it can be flagged.
    session_share : float
        A session is flagged when its share of suspected accounts is above this (0..1).
    session_false_alarm : float
        Share of sessions flagged in the no-bot training world (``baseline``): the design
        false-alarm rate per session, used by :func:`dataset_test`.
    """

    min_heart_events: int = 4
    min_taps_per_minute: float = 4.0
    min_present_minutes: float = 2.0
    min_mean_batch: float = 0.0
    min_suspected: int = 3
    session_share: float = 5 / 82
    session_false_alarm: float = 0.049

    RULES: ClassVar[dict[str, Rule]] = {
        "min_heart_events": Interval(0, None, whole=True),
        "min_taps_per_minute": Interval(0, math.inf, closed="left"),
        "min_present_minutes": Interval(0, math.inf, closed="left"),
        "min_mean_batch": Interval(0, math.inf, closed="left"),
        "min_suspected": Interval(0, None, whole=True),
        "session_share": Interval(0, 1),
        "session_false_alarm": Interval(0, 1),
    }

    def __post_init__(self) -> None:
        check_fields(self)

    def rule(self) -> pl.Expr:
        """The per-account rule as a polars expression over :func:`viewer_features` columns."""
        return (
            pl.col("quiet")
            & (pl.col("heart_events") >= self.min_heart_events)
            & (pl.col("taps_per_minute") >= self.min_taps_per_minute)
            & (pl.col("present_minutes") >= self.min_present_minutes)
            & (pl.col("mean_batch") >= self.min_mean_batch)
        )


def viewer_features(events: FrameT) -> FrameT:
    """One row per account and session, from observable events only.

    Parameters
    ----------
    events : polars.DataFrame or LazyFrame
        The canonical events table (rows without ``user_id``, the viewer counts, are ignored).

    Returns
    -------
    Same kind of frame, sorted by ``session_id``, ``user_id``, with ``events`` (all of the
    account's events), ``heart_events``, ``taps`` (hearts), ``mean_batch`` and ``max_batch``
    (taps per heart event; 0 without hearts), ``heart_share`` (share of the account's events
    that are hearts), ``comments``, ``social_events`` (comments, shares, follows, gifts),
    ``quiet`` (no social event), ``present_minutes`` (first to last event, minutes) and
    ``taps_per_minute`` (taps / max(present_minutes, 1): an account seen for less than a
    minute counts as one minute, so one early batch is not a huge rate).
    """
    heart = pl.col("kind") == "heart"
    return (
        events.filter(pl.col("user_id").is_not_null())
        .group_by("session_id", "user_id")
        .agg(
            events=pl.len().cast(pl.Int64),
            heart_events=heart.sum().cast(pl.Int64),
            taps=pl.col("count").filter(heart).sum().cast(pl.Int64),
            max_batch=pl.col("count").filter(heart).max().fill_null(0).cast(pl.Int64),
            comments=(pl.col("kind") == "comment").sum().cast(pl.Int64),
            social_events=pl.col("kind").is_in(SOCIAL_KINDS).sum().cast(pl.Int64),
            present_minutes=(pl.col("ts").max() - pl.col("ts").min()).dt.total_milliseconds()
            / 60_000.0,
        )
        .with_columns(
            mean_batch=pl.when(pl.col("heart_events") > 0)
            .then(pl.col("taps") / pl.col("heart_events")).otherwise(0.0),
            heart_share=pl.col("heart_events") / pl.col("events"),
            quiet=pl.col("social_events") == 0,
            taps_per_minute=pl.col("taps") / pl.col("present_minutes").clip(lower_bound=1.0),
        )
        .sort("session_id", "user_id")
    )


def suspect(features: FrameT, detector: Detector | None = None) -> FrameT:
    """:func:`viewer_features` with a boolean ``suspected`` column (the detector's rule)."""
    detector = DETECTOR if detector is None else detector
    return features.with_columns(suspected=detector.rule())


def session_flags(events: FrameT, detector: Detector | None = None) -> FrameT:
    """One row per session: accounts seen, suspected accounts, their share, and the flag.

    Returns
    -------
    Same kind of frame: ``session_id``, ``accounts``, ``suspected``, ``suspected_share``,
    ``hearts`` (taps), ``comments``, ``hearts_per_comment`` (taps per comment, the
    journalistic "count out of line with chat" signal; comments + 1 in the denominator) and
    ``flagged`` (at least ``min_suspected`` suspected, share above ``session_share``).
    """
    return _flag(viewer_features(events), DETECTOR if detector is None else detector)


def _flag(features: FrameT, detector: Detector) -> FrameT:
    """:func:`session_flags` from the accounts' features."""
    return (
        suspect(features, detector)
        .group_by("session_id")
        .agg(
            accounts=pl.len().cast(pl.Int64),
            suspected=pl.col("suspected").sum().cast(pl.Int64),
            hearts=pl.col("taps").sum().cast(pl.Int64),
            comments=pl.col("comments").sum().cast(pl.Int64),
        )
        .with_columns(
            suspected_share=pl.col("suspected") / pl.col("accounts"),
            hearts_per_comment=pl.col("hearts") / (pl.col("comments") + 1),
        )
        .with_columns(
            flagged=(pl.col("suspected") >= detector.min_suspected)
            & (pl.col("suspected_share") > detector.session_share)
        )
        .sort("session_id")
    )


def proportion(k: int, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """``k / n`` with its Wilson interval (``nan`` for all three when ``n`` is 0).

    A tuple form of :func:`toolkit.stats.proportion_interval`, for tables of rates.
    """
    if n == 0:
        return (math.nan, math.nan, math.nan)
    share = proportion_interval(int(k), int(n), confidence)
    return (share["estimate"], share["low"], share["high"])


class DetectionRates(TypedDict):
    """The result of :func:`detection_rates`: counts of the confusion table, rates with intervals."""

    n: int
    tp: int
    fp: int
    fn: int
    tn: int
    precision: float
    precision_low: float
    precision_high: float
    recall: float
    recall_low: float
    recall_high: float
    false_alarm: float
    false_alarm_low: float
    false_alarm_high: float
    f1: float
    f1_low: float
    f1_high: float


def detection_rates(predicted: np.ndarray, actual: np.ndarray,
                    rng: np.random.Generator | None = None,
                    confidence: float = 0.95, n_resamples: int = 2_000) -> DetectionRates:
    """Precision, recall, F1 and false-alarm rate of boolean flags against true labels.

    ``predicted`` and ``actual`` are boolean arrays over the same units (accounts or
    sessions). Returns ``n``, ``tp``, ``fp``, ``fn``, ``tn``; ``precision``, ``recall`` and
    ``false_alarm`` (fp / (fp + tn)), each with a Wilson interval (``*_low``, ``*_high``); and
    ``f1`` with a percentile-bootstrap interval from ``rng`` (the confusion table resampled as
    a multinomial; ``nan`` without ``rng``).
    """
    p, a = np.asarray(predicted, dtype=bool), np.asarray(actual, dtype=bool)
    if p.shape != a.shape or p.ndim != 1:
        raise ValueError(f"predicted and actual must be 1-D, one length: {p.shape}, {a.shape}")
    tp, fp = int((p & a).sum()), int((p & ~a).sum())
    fn, tn = int((~p & a).sum()), int((~p & ~a).sum())
    precision = proportion(tp, tp + fp, confidence)
    recall = proportion(tp, tp + fn, confidence)
    false_alarm = proportion(fp, fp + tn, confidence)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    f1_low = f1_high = math.nan
    if rng is not None and len(p) and tp + fp + fn:
        cells = rng.multinomial(len(p), np.array([tp, fp, fn, tn]) / len(p), size=n_resamples)
        with np.errstate(invalid="ignore", divide="ignore"):
            resampled = 2 * cells[:, 0] / (2 * cells[:, 0] + cells[:, 1] + cells[:, 2])
        tail = (1 - confidence) / 2
        f1_low, f1_high = (float(q) for q in np.nanquantile(resampled, [tail, 1 - tail]))
    return {"n": len(p), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": precision[0], "precision_low": precision[1],
            "precision_high": precision[2],
            "recall": recall[0], "recall_low": recall[1], "recall_high": recall[2],
            "false_alarm": false_alarm[0], "false_alarm_low": false_alarm[1],
            "false_alarm_high": false_alarm[2],
            "f1": f1, "f1_low": f1_low, "f1_high": f1_high}


#: Thresholds :func:`fit_detector` tries (every combination).
GRID: dict[str, tuple[float, ...]] = {
    "min_heart_events": (1, 2, 3, 4, 5, 6),
    "min_taps_per_minute": (0.0, 2.0, 4.0, 6.0, 8.0, 10.0),
    "min_present_minutes": (0.0, 1.0, 2.0, 3.0, 5.0),
    "min_mean_batch": (0.0, 6.0, 8.0, 10.0),
}


_FEATURE = {"min_heart_events": "heart_events", "min_taps_per_minute": "taps_per_minute",
            "min_present_minutes": "present_minutes", "min_mean_batch": "mean_batch"}


def _labelled(simulation: Dataset) -> pl.DataFrame:
    """Viewer features of a simulation with the true ``is_bot`` label."""
    labels = simulation.table("viewers").select("session_id", "user_id", "is_bot")
    return viewer_features(simulation.table("events")).join(
        labels, on=["session_id", "user_id"], how="left").with_columns(
        pl.col("is_bot").fill_null(False))


def fit_detector(train: Dataset, null: Dataset, false_alarm: float = 0.05,
                 min_suspected: int = 3, grid: dict[str, tuple[float, ...]] | None = None,
                 ) -> Detector:
    """Choose the thresholds on training data (never on the data you measure them on).

    Parameters
    ----------
    train : toolkit.events.Dataset
        A simulation with bots (``bought_hearts``): the per-account thresholds are the
        combination of :data:`GRID` with the highest F1 against ``viewers.is_bot``.
    null : toolkit.events.Dataset
        A simulation without bots (``baseline``): ``session_share`` is the share of suspected
        accounts that at most ``false_alarm`` of its sessions exceed.
    false_alarm : float
        Design false-alarm rate per session (0..1).
    """
    grid = GRID if grid is None else grid
    everyone = _labelled(train)
    n_bots = int(everyone["is_bot"].sum())
    table = everyone.filter(pl.col("quiet"))  # the rule never flags a talking account
    # level of an account on each axis = grid values it reaches; it passes thresholds i when
    # every level > i: a histogram of levels summed from the top counts every combination
    levels = [np.searchsorted(np.asarray(values, dtype=float), table[_FEATURE[name]].to_numpy(),
                              side="right") for name, values in grid.items()]
    shape = tuple(len(v) + 1 for v in grid.values())
    flagged, caught = np.zeros(shape), np.zeros(shape)
    np.add.at(flagged, tuple(levels), 1)
    np.add.at(caught, tuple(levels), table["is_bot"].to_numpy().astype(float))
    for axis in range(len(shape)):
        flagged = np.flip(np.cumsum(np.flip(flagged, axis), axis), axis)
        caught = np.flip(np.cumsum(np.flip(caught, axis), axis), axis)
    inner = tuple(slice(1, None) for _ in shape)  # level > index  <=>  cumulated from index + 1
    f1 = 2 * caught[inner] / np.maximum(flagged[inner] + n_bots, 1)
    best = np.unravel_index(int(np.argmax(f1)), f1.shape)  # first best in grid order
    defaults = Detector()  # each threshold keeps the type (int or float) of its default
    chosen = {name: type(getattr(defaults, name))(grid[name][int(i)])
              for name, i in zip(grid, best, strict=True)}
    detector = Detector(**chosen, min_suspected=min_suspected, session_share=0.0)
    null_features = viewer_features(null.table("events"))
    flags = _flag(null_features, detector)
    eligible = flags.select(pl.when(pl.col("suspected") >= min_suspected)
                            .then(pl.col("suspected_share")).otherwise(0.0))
    share = float(np.quantile(eligible.to_series().to_numpy(), 1 - false_alarm, method="higher"))
    detector = replace(detector, session_share=share)
    rate = to_float(_flag(null_features, detector)["flagged"].mean())
    return replace(detector, session_false_alarm=rate)


def evaluate(simulation: Dataset, rng: np.random.Generator,
             detector: Detector | None = None) -> pl.DataFrame:
    """Precision, recall, F1 and false alarms per account and per session, with intervals.

    ``simulation`` has the true labels (simulate it with other seeds than the training data);
    ``rng`` draws the F1 bootstrap. Two rows (``level`` = ``accounts``, ``sessions``) with the
    columns of :func:`detection_rates`; recall is ``nan`` where there is nothing to find (no bots).
    """
    detector = DETECTOR if detector is None else detector
    features = _labelled(simulation)
    accounts = suspect(features, detector)
    sessions = _flag(features, detector).join(
        simulation.table("sessions").select("session_id", "botted"), on="session_id", how="right",
    ).with_columns(pl.col("flagged").fill_null(False))
    rows = [{"level": "accounts", **detection_rates(accounts["suspected"].to_numpy(),
                                          accounts["is_bot"].to_numpy(), rng)},
            {"level": "sessions", **detection_rates(sessions["flagged"].to_numpy(),
                                          sessions["botted"].to_numpy(), rng)}]
    return pl.DataFrame(rows)


class DatasetTest(TypedDict):
    """The result of :func:`dataset_test`."""

    sessions: int
    flagged: int
    share: float
    low: float
    high: float
    expected: float
    p_value: float


def dataset_test(flags: pl.DataFrame, detector: Detector | None = None) -> DatasetTest:
    """Label-free test of "these data contain bought hearts", from :func:`session_flags`.

    With no bought hearts each session is flagged at the design false-alarm rate (measured in
    ``baseline``): a one-sided exact binomial test of "more flagged sessions than that". It is
    only as good as that rate: real viewers less like the model's (more quiet heavy tappers)
    would raise it, and the test would find "bought hearts" that are not there. Returns
    ``sessions``, ``flagged``, ``share`` with its Wilson interval ``low``, ``high``,
    ``expected`` (the design rate) and ``p_value`` (one-sided).
    """
    detector = DETECTOR if detector is None else detector
    n, k = flags.height, int(flags["flagged"].sum())
    share, low, high = proportion(k, n)
    p = stats.binomtest(k, n, detector.session_false_alarm, alternative="greater").pvalue \
        if n else math.nan
    return {"sessions": n, "flagged": k, "share": share, "low": low, "high": high,
            "expected": detector.session_false_alarm, "p_value": float(p)}


MEASURE = "share of botted sessions flagged (session recall), design false-alarm rate 5 %"
MEASURE_UNLABELLED = "share of sessions flagged as having bought hearts"


@claim_test
def test_c18(data: Dataset, rng: np.random.Generator, alpha: float = 0.05) -> Evidence:
    """C18, "bought hearts from inauthentic accounts can be detected", on one dataset.

    - **Labels with botted and clean sessions** (simulations with bought hearts): the
      estimate is the session recall of :data:`DETECTOR` (Wilson interval); the test is
      Fisher's exact test (two-sided) of flags against ``sessions.botted``; supported when
      flags and labels agree more than chance.
    - **Labels, but no botted session** (``baseline``, the calibration null world): there is
      nothing to detect, so the label test is undefined; the verdict comes from the label-free
      :func:`dataset_test` (one-sided), and "supported" there is a false alarm.
    - **No labels** (recordings): the same label-free numbers, verdict "described": without
      labels the precision cannot be known.

    ``rng`` is not used (the tests are exact); it is there for the common signature.
    """
    del rng
    missing = {"session_id", "ts", "kind", "user_id", "count"} - set(data.events.collect_schema())
    if missing:
        return skipped("C18", MEASURE, f"the events lack {sorted(missing)}")
    flags = session_flags(data.events, DETECTOR).collect()
    if flags.height == 0:
        return skipped("C18", MEASURE, "no viewer events to look at")
    labelled = data.sessions is not None and data.has("viewers", "sessions") \
        and "botted" in data.sessions.collect_schema()
    if labelled and data.sessions is not None:
        truth = data.sessions.select("session_id", "botted").collect()
        both = flags.join(truth, on="session_id", how="right").with_columns(
            pl.col("flagged").fill_null(False))
        flagged, botted = both["flagged"].to_numpy(), both["botted"].to_numpy()
        if 0 < botted.sum() < len(botted):
            r = detection_rates(flagged, botted)
            p = float(stats.fisher_exact([[r["tp"], r["fn"]], [r["fp"], r["tn"]]]).pvalue)
            agree = r["tp"] * r["tn"] - r["fn"] * r["fp"]  # > 0: flags go with the labels
            verdict = "not supported" if math.isnan(p) or p >= alpha else (
                "supported" if agree > 0 else "contradicted")
            note = (f"{r['tp']} of {r['tp'] + r['fn']} botted sessions flagged, "
                    f"{r['fp']} of {r['fp'] + r['tn']} clean ones "
                    f"(precision {r['precision']:.2f}); "
                    "Fisher's exact test of flags against the simulator's labels; the detector "
                    "was designed for the model's bots, so this shows detection in the model only.")
            return Evidence("C18", MEASURE, r["recall"], r["recall_low"], r["recall_high"], p,
                            len(botted), verdict, note)
    test = dataset_test(flags, DETECTOR)
    n_suspected = int(flags["suspected"].sum())
    base = (f"{test['flagged']} of {test['sessions']} sessions flagged ({n_suspected} suspected "
            f"accounts) against {100 * test['expected']:.1f} % expected with no bought hearts "
            "(one-sided binomial test)")
    if labelled:
        verdict = "supported" if test["p_value"] < alpha else "not supported"
        note = base + ("; the labels show no botted session, so 'supported' would be a false "
                       "alarm." if not botted.any() else "; every session is botted.")
    else:
        verdict = "described"
        note = (base + "; without labels the precision cannot be known, and the expected rate "
                "assumes real viewers behave like the model's.")
    return Evidence("C18", MEASURE_UNLABELLED, test["share"], test["low"], test["high"],
                    test["p_value"], test["sessions"], verdict, note)


#: The detector used by :func:`test_c18` (thresholds from notebook 08's training seeds).
DETECTOR = Detector()
