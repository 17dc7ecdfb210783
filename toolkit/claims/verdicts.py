"""Verdicts on one dataset, read against the tests' diagnosis.

:func:`run_claims` runs every claim's test on one dataset and turns the results into verdicts
a referee could sign:

1. A test that fails its diagnosis (:mod:`toolkit.claims.diagnosis`: a one-sided error rate
   above 2.5 % + 2 Monte Carlo SE, or coverage below 90 %, in any null world of its matrix, at
   any diagnosed size) gives **inconclusive**, with the failing world in the note, and leaves
   the multiple-testing family. So does a test with no stored diagnosis.
2. The p-values of the other tests are adjusted together (Benjamini-Hochberg); an adjusted
   p-value of 5 % or more turns "supported" or "contradicted" into "not supported".
3. Every row carries the test's **power** at the data's size (interpolated from the
   diagnosis, in the claim's first holding world), so a "not supported" with little power
   reads as "too little data to tell", and the **worst null world** with its false
   "supported" rate.
4. On simulated data from one of the claim's null worlds, ``truth`` is the claim's null value;
   from another world of its matrix, the estimand the diagnosis stored for that world (from
   the model's parameters, or the population value of an association): the estimate beside
   the truth.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import polars as pl

from toolkit.claims.diagnosis import failures, power_at, stored_diagnosis, worst_null
from toolkit.claims.evidence import Evidence, skipped
from toolkit.claims.registry import CLAIMS, Claim
from toolkit.events.dataset import Dataset
from toolkit.stats.estimates import adjust_p_values

__all__ = ["ALPHA", "ENOUGH_POWER", "run_claims", "VERDICT_SCHEMA"]

ALPHA = 0.05
#: Power below which "not supported" reads as "too little data to tell".
ENOUGH_POWER = 0.8
_TESTS = ("supported", "contradicted", "not supported")

VERDICT_SCHEMA: dict[str, pl.DataType] = {
    "claim": pl.String(), "kind": pl.String(), "verdict": pl.String(),
    "test_verdict": pl.String(),
    "estimate": pl.Float64(), "low": pl.Float64(), "high": pl.Float64(),
    "truth": pl.Float64(), "p_value": pl.Float64(), "p_adjusted": pl.Float64(),
    "n": pl.Int64(), "power": pl.Float64(), "worst_world": pl.String(),
    "false_supported": pl.Float64(), "false_contradicted": pl.Float64(),
    "diagnosis": pl.String(), "estimand": pl.String(), "measure": pl.String(),
    "note": pl.String(),
}


def _world_of(data: Dataset) -> str | None:
    """The simulated world the data come from (None for recordings)."""
    if data.source != "simulated" or data.sessions is None:
        return None
    if "world" not in data.sessions.collect_schema().names():
        return None
    worlds = data.sessions.select(pl.col("world").unique()).collect()["world"].to_list()
    return worlds[0] if len(worlds) == 1 else None


def _truth(entry: Claim, world_name: str | None, table: pl.DataFrame) -> float:
    """The true value of the claim's estimate in the simulated world (nan when not known)."""
    if world_name is None:
        return math.nan
    if world_name in entry.fails_in and entry.null_value is not None:
        return entry.null_value
    if table.is_empty() or "estimand" not in table.columns:
        return math.nan
    known = table.filter((pl.col("claim") == entry.id) & (pl.col("world") == world_name)
                         & pl.col("estimand").is_not_null() & pl.col("estimand").is_not_nan())
    return float(known["estimand"][0]) if known.height else math.nan


def _recording_note(table: pl.DataFrame, claim: str) -> str:
    """What the diagnosis says about this test on recordings."""
    recorded = sorted(w for w in (table.filter(pl.col("claim") == claim)["world"].unique()
                                  if not table.is_empty() else [])
                      if w.endswith("@recorded"))
    if recorded:
        return (" Its diagnosis includes simulated LIVEs sent through the recording pipeline "
                f"(sampled likes, lost and late messages): {', '.join(recorded)}.")
    return (" The diagnosis behind this verdict was measured on simulated events, not through "
            "the recording pipeline (sampled likes, lost messages).")


def run_claims(data: Dataset, rng: np.random.Generator, ids: Iterable[str] | None = None,
               alpha: float = ALPHA, diagnosis: pl.DataFrame | None = None) -> pl.DataFrame:
    """Run every claim's test on one dataset and read the verdicts against the diagnosis.

    Parameters
    ----------
    data : Dataset
    rng : numpy.random.Generator
        For bootstrap intervals; each test gets its own child stream (by the claim's place in
        the registry), so adding a test does not change the others' numbers.
    ids : iterable of str, optional
        Only these claims.
    alpha : float
        Level for the verdicts, applied to Benjamini-Hochberg adjusted p-values.
    diagnosis : polars.DataFrame, optional
        The diagnosis table (default: the stored ``data/calibration/diagnosis.csv``).

    Returns
    -------
    polars.DataFrame
        One row per claim (:data:`VERDICT_SCHEMA`): the verdict, what the test alone said
        (``test_verdict``, before the diagnosis and the adjustment), estimate, interval, truth
        (on simulated data from a world whose truth the diagnosis knows), p-values, ``n``,
        ``power`` at ``n``, the worst null world and its error rates, the diagnosis status,
        the estimand in words and a note.
    """
    table = stored_diagnosis() if diagnosis is None else diagnosis
    failing = failures(table) if not table.is_empty() else {}
    diagnosed = set(table["claim"].unique()) if not table.is_empty() else set()
    if ids is not None:
        ids = list(ids)
        unknown = [i for i in ids if i not in {c.id for c in CLAIMS}]
        if unknown:
            raise ValueError(f"unknown claim id(s): {', '.join(unknown)}; the ids are "
                             f"{', '.join(c.id for c in CLAIMS)}")
    chosen = [c for c in CLAIMS if ids is None or c.id in set(ids)]
    streams = rng.spawn(len(CLAIMS))
    results: list[Evidence] = []
    for entry in chosen:
        function = entry.function()
        if function is None:
            results.append(skipped(entry.id, entry.measure, f"not testable: {entry.untested}"))
        else:
            results.append(function(data, streams[CLAIMS.index(entry)]))

    verdicts, notes, statuses = [], [], []
    for entry, result in zip(chosen, results, strict=True):
        verdict, note, status = result.verdict, result.note, "n/a"
        if result.verdict in _TESTS:
            if entry.id in failing:
                verdict, status = "inconclusive", f"fails {failing[entry.id]}"
                note = f"Inconclusive: the test fails its diagnosis {failing[entry.id]}. {note}"
            elif entry.id not in diagnosed:
                verdict, status = "inconclusive", "not diagnosed"
                note = f"Inconclusive: no diagnosis is stored for this test. {note}"
            else:
                worlds = table.filter(pl.col("claim") == entry.id)["world"].n_unique()
                status = f"ok in {worlds} worlds"
            if data.source == "recorded":
                note += _recording_note(table, entry.id)
        verdicts.append(verdict)
        notes.append(note)
        statuses.append(status)
    family = [r.p_value if v != "inconclusive" else None
              for r, v in zip(results, verdicts, strict=True)]
    adjusted = adjust_p_values(family)
    world_name = _world_of(data)
    rows = []
    for entry, result, q, verdict, note, status in zip(chosen, results, adjusted, verdicts,
                                                       notes, statuses, strict=True):
        if q is not None and verdict in ("supported", "contradicted") and not q < alpha:
            # the test chose the direction (its estimate may be a ratio, whose null is 1);
            # the adjustment can only take a verdict back to "not supported"
            verdict = "not supported"
        power = power_at(table, entry.id, result.n) if entry.id in diagnosed else math.nan
        if verdict == "not supported" and not power >= ENOUGH_POWER:
            note = (f"Too little data to tell: the test finds the effect in "
                    f"{100 * power:.0f} % of datasets of this size where it exists. {note}"
                    if not math.isnan(power) else note)
        worst = worst_null(table, entry.id) if entry.id in diagnosed else {}
        rows.append({
            "claim": entry.id, "kind": entry.kind, "verdict": verdict,
            "test_verdict": result.verdict,
            "estimate": result.estimate, "low": result.low, "high": result.high,
            "truth": _truth(entry, world_name, table), "p_value": result.p_value, "p_adjusted": q,
            "n": result.n, "power": power, "worst_world": worst.get("world"),
            "false_supported": worst.get("false_supported"),
            "false_contradicted": worst.get("false_contradicted"), "diagnosis": status,
            "estimand": entry.estimand or result.measure, "measure": result.measure,
            "note": note,
        })
    return pl.DataFrame(rows, schema=VERDICT_SCHEMA)
