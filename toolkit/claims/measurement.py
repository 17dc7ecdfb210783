"""What a recording does to the tests: each ``<world>@recorded`` row of the diagnosis beside
the same world's row on the simulator's own events.

A recorded world's datasets are recordings of its simulated world's very datasets (same
seeds, :mod:`toolkit.claims.diagnosis_runs`), so the two rows differ by the measurement
alone: like messages that hold at most 15 taps and get lost on busy LIVEs, lost streak ends,
late and repeated messages, viewer counts once a minute.
"""

from __future__ import annotations

import polars as pl

from toolkit.claims.diagnosis import limit
from toolkit.claims.registry import CLAIMS
from toolkit.stats.estimates import proportion_interval

__all__ = ["RECORDED", "simulated_world", "through_recording", "verdicts_changed"]

#: The suffix of a world whose datasets are recordings of its simulated world's datasets.
RECORDED = "@recorded"


def simulated_world(name: str) -> tuple[str, bool]:
    """The simulator's world of a diagnosis world name, and whether its data are recorded.

    >>> simulated_world("passive_hearts@recorded")
    ('passive_hearts', True)
    """
    base, mark, rest = name.partition("@")
    if mark and "@" + rest != RECORDED:
        raise ValueError(f"world {name!r}: the only measurement suffix is {RECORDED!r}")
    return base, bool(mark)

_MEASURED = ("simulated events", "recording")
_ORDER = {c.id: i for i, c in enumerate(CLAIMS)}


def through_recording(table: pl.DataFrame, size: int = 100) -> pl.DataFrame:
    """For every test with a recorded world, its wrong-verdict rate on simulated events and
    on their recordings.

    Parameters
    ----------
    table : polars.DataFrame
        The diagnosis table (:func:`toolkit.claims.diagnosis.stored_diagnosis`).
    size : int
        Sessions per dataset.

    Returns
    -------
    polars.DataFrame
        Two rows per claim and recorded world, ``measured`` = ``"simulated events"`` then
        ``"recording"``: ``claim``, ``world`` (the simulated world), ``role``, ``error`` (the
        wrong verdict counted: the one more frequent on the recording), ``effect`` (its rate, %),
        ``low``, ``high`` (Wilson 95 %, %), ``limit`` (%), ``datasets``, ``mean_estimate``,
        ``estimand`` (missing where the diagnosis has none), ``coverage`` and ``label``
        ("C15 bursts_equal: recording"), ready for :func:`toolkit.publish.charts.effects`.
    """
    rows = table.filter(pl.col("size") == size)
    out = []
    for recorded in rows.filter(pl.col("world").str.ends_with(RECORDED)).iter_rows(named=True):
        base, _ = simulated_world(recorded["world"])
        plain = rows.filter((pl.col("claim") == recorded["claim"]) & (pl.col("world") == base))
        if plain.is_empty():
            continue
        wrong = [v for v, bad in (("supported", recorded["role"] != "holds"),
                                  ("contradicted", recorded["role"] != "opposite")) if bad]
        error = max(wrong, key=lambda v: recorded[v])
        for measured, row in zip(_MEASURED, (plain.row(0, named=True), recorded), strict=True):
            n = int(row["datasets"])
            share = proportion_interval(round(row[error] * n), n)
            out.append({
                "claim": row["claim"], "world": base, "role": row["role"], "measured": measured,
                "error": f"false '{error}'", "effect": 100 * share["estimate"],
                "low": 100 * share["low"], "high": 100 * share["high"],
                "limit": 100 * limit(n), "datasets": n,
                "mean_estimate": row["mean_estimate"], "estimand": row["estimand"],
                "coverage": row["coverage"], "label": f"{row['claim']} {base}: {measured}"})
    # an estimand the diagnosis does not know (an opposite world) is missing, not NaN
    return pl.DataFrame(out, infer_schema_length=None).with_columns(
        pl.col("estimand").fill_nan(None)) if out else pl.DataFrame()


def verdicts_changed(runs: pl.DataFrame, size: int = 100) -> pl.DataFrame:
    """How often recording changed a dataset's verdict: the datasets of each recorded world
    paired with the simulated datasets they record (same world, size and replicate).

    Returns
    -------
    polars.DataFrame
        ``claim``, ``world`` (simulated), ``datasets`` (pairs), ``changed`` (share whose
        verdict differs), ``became_supported`` (share "supported" only on the recording) and
        ``estimate_shift`` (mean of recorded minus simulated estimate, the estimate's units),
        in the registry's order of claims.
    """
    runs = runs.filter(pl.col("size") == size)
    recorded = runs.filter(pl.col("world").str.ends_with(RECORDED)).with_columns(
        pl.col("world").str.strip_suffix(RECORDED))
    pairs = recorded.join(runs, on=["claim", "world", "size", "replicate"], suffix="_simulated")
    return (pairs.group_by("claim", "world", maintain_order=True)
            .agg(datasets=pl.len(),
                 changed=(pl.col("verdict") != pl.col("verdict_simulated")).mean(),
                 became_supported=((pl.col("verdict") == "supported")
                                   & (pl.col("verdict_simulated") != "supported")).mean(),
                 estimate_shift=(pl.col("estimate") - pl.col("estimate_simulated")).mean())
            .sort(pl.col("claim").replace_strict(_ORDER, default=len(_ORDER)), "world"))
