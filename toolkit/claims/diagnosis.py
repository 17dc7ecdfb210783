"""The diagnosis of every claim test: what it estimates, how well, and how often it errs.

In the manner of DeclareDesign's ``diagnose_design`` (Blair, Coppock & Humphreys 2019): for
each test, in every world of its matrix (where the claim holds, the *null worlds* where it is
false, each adding a realistic mechanism the test was not tuned on, and where the opposite
holds) and at several sample sizes, simulate many datasets, run the test on each and report

- the **estimand** (the value the world implies; the claim's null value in a null world),
  the mean estimate, **bias** and **RMSE** against it, and the **coverage** of the 95 %
  interval;
- the share of each **verdict** ("supported", "contradicted", "not supported") with its Monte
  Carlo standard error; in a world where the claim holds, the share "supported" is the
  **power**;
- the **minimum detectable effect**: ``(1.96 + 0.84) x`` the spread of the estimates in the
  null world, the true effect the test would find four times in five.

A verdict is one-sided, so its errors are checked one-sided: false "supported" (in a null or
opposite world) and false "contradicted" (in a null or holding world) must each stay at most
2.5 % plus two Monte Carlo standard errors, and coverage at least 90 % where the estimand is
known. :func:`failures` lists the tests that break this; :func:`toolkit.claims.run_claims`
then reads them as "inconclusive".

This module reads and summarises; :mod:`toolkit.claims.diagnosis_runs` simulates the
datasets (``toolkit diagnose``). The stored table is ``data/calibration/diagnosis.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from toolkit import _paths
from toolkit._checks import Interval
from toolkit.claims.registry import CLAIMS, claim
from toolkit.stats.estimates import proportion_interval

__all__ = [
    "SIZES", "CREATOR_SIZES", "CREATOR_CLAIMS", "DAYS", "LIMIT", "Plan", "design_matrix",
    "estimand", "summarise", "order_rows", "limit", "failures", "power_at", "worst_null",
    "stored_diagnosis", "stored_runs", "false_support", "errors_by_world", "claim_overview",
    "diagnosis_summary", "power_table", "worst_errors",
]

#: Sessions per dataset at which every test is diagnosed.
SIZES: tuple[int, ...] = (25, 100, 400, 2000)
#: Creators per dataset (over :data:`DAYS` days) for the creator-level claims.
CREATOR_SIZES: tuple[int, ...] = (10, 30, 100, 200)
CREATOR_CLAIMS: tuple[str, ...] = ("C4", "C8")
DAYS = 14
#: The nominal one-sided error rate of a verdict.
LIMIT = 0.025
Z_POWER = 1.959964 + 0.841621  # two-sided 5 % test, 80 % power


@dataclass(frozen=True)
class Plan:
    """How many datasets at each size (the i-th count goes with the i-th size).

    Attributes
    ----------
    holds : tuple of int
        Datasets per size in the worlds where the claim holds (power, bias, coverage).
    null : tuple of int
        Datasets per size in the null and opposite worlds (error rates); 0 skips a size.
    """

    holds: tuple[int, ...] = (200, 500, 200, 100)
    null: tuple[int, ...] = (0, 500, 0, 0)

    def __post_init__(self) -> None:
        for name in ("holds", "null"):
            counts = getattr(self, name)
            if not (isinstance(counts, tuple) and len(counts) == len(SIZES)
                    and all(Interval(0, None, whole=True).accepts(c) for c in counts)):
                raise ValueError(f"The {name!r} field of Plan must be {len(SIZES)} whole numbers "
                                 f">= 0, one per size {SIZES}. Got {counts!r} instead.")

    def scaled(self, factor: float) -> Plan:
        """The same plan with every count multiplied by ``factor`` (at least 1 where > 0)."""
        if not Interval(0, math.inf, closed="neither").accepts(factor):
            raise ValueError(f"The scale of a Plan must be a finite number > 0. Got {factor!r} "
                             "instead.")
        def scale(counts: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(max(1, round(c * factor)) if c else 0 for c in counts)
        return Plan(scale(self.holds), scale(self.null))


def design_matrix(ids: Iterable[str] | None = None) -> pl.DataFrame:
    """Every diagnosed test and world: ``claim``, ``world``, ``role`` and ``sign``.

    ``role`` is ``holds`` (sign +1), ``null`` (0) or ``opposite`` (-1), from the registry's
    ``holds_in``, ``fails_in`` and ``opposite_in``.
    """
    chosen = set(ids) if ids is not None else None
    diagnosed = {c.id for c in CLAIMS if c.test is not None and c.fails_in}
    if chosen is not None and chosen - diagnosed:
        raise ValueError(f"claims {sorted(chosen - diagnosed)} have no diagnosis (no test, or no "
                         f"world where they fail); the diagnosed claims are "
                         f"{', '.join(c.id for c in CLAIMS if c.id in diagnosed)}")
    rows = []
    for entry in CLAIMS:
        if entry.test is None or not entry.fails_in or (chosen and entry.id not in chosen):
            continue
        for role, sign, names in (("holds", 1, entry.holds_in), ("null", 0, entry.fails_in),
                                  ("opposite", -1, entry.opposite_in)):
            rows += [{"claim": entry.id, "world": name, "role": role, "sign": sign}
                     for name in names]
    return pl.DataFrame(rows, schema={"claim": pl.String, "world": pl.String,
                                      "role": pl.String, "sign": pl.Int8})


def estimand(claim_id: str, sign: int, truth: float = math.nan) -> float:
    """The true value of a test's estimate in a world: ``truth`` when the simulation knew it
    (from the model's parameters, :data:`toolkit.claims.diagnosis_runs.TRUTHS`, or, for an
    association where it holds, the population value:
    :func:`toolkit.claims.diagnosis_runs.populations`), else the claim's null value in a null
    world, else NaN (not known on the estimate's scale; the diagnosis then reports no bias,
    RMSE or coverage there)."""
    if truth is not None and not math.isnan(truth):
        return truth
    null = claim(claim_id).null_value
    if sign == 0 and null is not None:
        return null
    return math.nan


def summarise(runs: pl.DataFrame) -> pl.DataFrame:
    """The diagnosis table: one row per claim, world and size (see the module docstring).

    Columns: ``claim``, ``world``, ``role``, ``size``, ``unit``, ``datasets``, ``estimand``,
    ``mean_estimate``, ``bias``, ``rmse``, ``coverage``, ``supported``, ``contradicted``,
    ``not_supported`` (shares of datasets) with their Monte Carlo standard errors
    (``*_se``), ``mde`` (the minimum detectable effect, in null worlds) and ``status``
    ("ok" or why the test fails there).
    """
    matrix = design_matrix()
    joined = runs.join(matrix, on=["claim", "world"], how="inner")
    if "truth" not in joined.columns:
        joined = joined.with_columns(truth=pl.lit(math.nan))
    keys = joined.group_by("claim", "world", "sign").agg(truth=pl.col("truth").first())
    keys = keys.with_columns(estimand=pl.Series(
        [estimand(c, s, t) for c, _, s, t in keys.iter_rows()], dtype=pl.Float64)).drop("truth")
    joined = joined.join(keys, on=["claim", "world", "sign"], how="left")
    finite = pl.col("estimate").is_finite()
    covered = (pl.col("low") <= pl.col("estimand")) & (pl.col("estimand") <= pl.col("high"))
    share = {name: (pl.col("verdict") == verdict).mean() for name, verdict in
             (("supported", "supported"), ("contradicted", "contradicted"),
              ("not_supported", "not supported"))}
    table = joined.group_by("claim", "world", "role", "sign", "size").agg(
        datasets=pl.len(),
        estimand=pl.col("estimand").first(),
        mean_estimate=pl.col("estimate").filter(finite).mean(),
        sd_estimate=pl.col("estimate").filter(finite).std(),
        rmse=((pl.col("estimate") - pl.col("estimand")) ** 2).filter(finite).mean().sqrt(),
        coverage=covered.filter(finite & pl.col("low").is_finite()
                                & pl.col("estimand").is_finite()).mean(),
        **share,
    ).with_columns(
        bias=pl.col("mean_estimate") - pl.col("estimand"),
        mde=pl.when(pl.col("sign") == 0).then(Z_POWER * pl.col("sd_estimate")),
        unit=pl.when(pl.col("claim").is_in(list(CREATOR_CLAIMS))).then(pl.lit("creators"))
        .otherwise(pl.lit("sessions")),
        **{f"{name}_se": (pl.col(name) * (1 - pl.col(name)) / pl.col("datasets")).sqrt()
           for name in share},
    )
    status = [_status(r) for r in table.iter_rows(named=True)]
    return order_rows(table.with_columns(status=pl.Series(status, dtype=pl.String))).select(
        "claim", "world", "role", "size", "unit", "datasets", "estimand", "mean_estimate",
        "bias", "rmse", "coverage", "supported", "supported_se", "contradicted",
        "contradicted_se", "not_supported", "not_supported_se", "mde", "status")


def order_rows(table: pl.DataFrame) -> pl.DataFrame:
    """Rows in registry order of the claims, then holds, null, opposite worlds, then size."""
    order = {c.id: i for i, c in enumerate(CLAIMS)}
    roles = {"holds": 0, "null": 1, "opposite": 2}
    return table.sort(pl.col("claim").replace_strict(order, return_dtype=pl.Int64),
                      pl.col("role").replace_strict(roles, return_dtype=pl.Int64), "world",
                      "size")


def limit(datasets: int) -> float:
    """The highest acceptable one-sided error rate over ``datasets`` datasets: 2.5 % + 2 SE."""
    return LIMIT + 2 * math.sqrt(LIMIT * (1 - LIMIT) / max(datasets, 1))


def _status(row: dict[str, Any]) -> str:
    """"ok", or why the test fails its diagnosis in this world at this size."""
    n, sign = int(row["datasets"]), int(row["sign"])
    top = limit(n)
    supported, contradicted = float(row["supported"]), float(row["contradicted"])
    problems = []
    if sign <= 0 and supported > top:
        problems.append(f"false 'supported' {100 * supported:.1f} %")
    if sign >= 0 and contradicted > top:
        problems.append(f"false 'contradicted' {100 * contradicted:.1f} %")
    coverage = row["coverage"]
    if sign == 0 and coverage is not None and not math.isnan(coverage) and coverage < 0.90:
        problems.append(f"coverage {100 * coverage:.0f} %")
    if not problems:
        return "ok"
    return "fails: " + ", ".join(problems) + f" (limit {100 * top:.1f} %, coverage 90 %)"


def failures(table: pl.DataFrame) -> dict[str, str]:
    """Claim id -> why its test fails its diagnosis: the failing world and size with the
    highest one-sided wrong-verdict rate, as in :func:`worst_null` (then the lowest
    coverage, for a world that fails on coverage alone)."""
    out: dict[str, str] = {}
    failing = _wrong_rates(table.filter(pl.col("status") != "ok")).with_columns(
        shortfall=1 - pl.col("coverage").fill_null(1.0).fill_nan(1.0))
    for row in failing.sort("worst", "shortfall", "datasets", descending=True,
                            maintain_order=True).iter_rows(named=True):
        out.setdefault(row["claim"], f"in {row['world']} at {row['size']} {row['unit']}: "
                                     f"{row['status'].removeprefix('fails: ')}")
    order = {c.id: i for i, c in enumerate(CLAIMS)}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def power_at(table: pl.DataFrame, claim_id: str, n: int) -> float:
    """Power of a claim's test at ``n`` units in its first holding world (interpolated on
    log n between the diagnosed sizes; NaN when the claim has no diagnosis)."""
    entry = claim(claim_id)
    if not entry.holds_in or n <= 0:
        return math.nan
    rows = table.filter((pl.col("claim") == claim_id) & (pl.col("world") == entry.holds_in[0])
                        ).sort("size")
    if rows.is_empty():
        return math.nan
    sizes = np.log(rows["size"].to_numpy().astype(float))
    return float(np.interp(math.log(n), sizes, rows["supported"].to_numpy()))


def worst_null(table: pl.DataFrame, claim_id: str) -> dict[str, object]:
    """The world and size where the claim's test errs most: the highest one-sided wrong
    verdict rate (false "supported" in a null or opposite world, false "contradicted" in a
    null or holding world), with both rates in that world and size."""
    rows = _wrong_rates(table.filter(pl.col("claim") == claim_id))
    if rows.is_empty():
        return {"world": None, "size": None, "false_supported": None,
                "false_contradicted": None}
    top = rows.with_columns(shortfall=1 - pl.col("coverage").fill_null(1.0).fill_nan(1.0)).sort(
        "worst", "shortfall", "datasets", descending=True, maintain_order=True).row(0, named=True)
    return {"world": top["world"], "size": top["size"],
            "false_supported": top["wrong_supported"],
            "false_contradicted": top["wrong_contradicted"]}


def _wrong_rates(table: pl.DataFrame) -> pl.DataFrame:
    """The table with ``wrong_supported``, ``wrong_contradicted`` (0 where that verdict is
    right) and ``worst`` (the larger)."""
    signs = {"holds": 1, "null": 0, "opposite": -1}
    sign = pl.col("role").replace_strict(signs, return_dtype=pl.Int8)
    return table.with_columns(
        wrong_supported=pl.when(sign <= 0).then(pl.col("supported")).otherwise(0.0),
        wrong_contradicted=pl.when(sign >= 0).then(pl.col("contradicted")).otherwise(0.0),
    ).with_columns(worst=pl.max_horizontal("wrong_supported", "wrong_contradicted"))


def stored_diagnosis(folder: str | Path | None = None) -> pl.DataFrame:
    """The stored diagnosis table (empty when it has not been made)."""
    path = Path(folder or _paths.calibration_dir()) / "diagnosis.csv"
    if not path.is_file():
        return pl.DataFrame()
    return pl.read_csv(path)


def diagnosis_summary(table: pl.DataFrame) -> dict[str, str]:
    """Claim id -> one line on its diagnosis ("ok in 8 worlds; power 62 % at 100 sessions"
    or "FAILS in <world> at <size>: <why>"), for the claims page."""
    out: dict[str, str] = {}
    if table.is_empty():
        return out
    failing = failures(table)
    for claim_id in table["claim"].unique(maintain_order=True).to_list():
        rows = table.filter(pl.col("claim") == claim_id)
        if claim_id in failing:
            out[claim_id] = f"FAILS {failing[claim_id]}"
            continue
        holds = rows.filter(pl.col("world") == claim(claim_id).holds_in[0]).sort("size")
        power = "; ".join(f"power {100 * r['supported']:.0f} % at {r['size']:,}"
                          for r in holds.iter_rows(named=True))
        out[claim_id] = f"ok in {rows['world'].n_unique()} worlds" + (f"; {power}" if power else "")
    return out


def stored_runs(folder: str | Path | None = None) -> pl.DataFrame:
    """Every dataset's result behind the stored diagnosis (``diagnosis_runs.parquet``)."""
    return pl.read_parquet(Path(folder or _paths.calibration_dir()) / "diagnosis_runs.parquet")


def false_support(table: pl.DataFrame, claim_id: str, size: int = 100) -> pl.DataFrame:
    """For one test at one size, the share of false "supported" verdicts in each world where
    the claim is false or reversed, in per cent, with its Wilson 95 % interval and the limit
    (2.5 % + 2 Monte Carlo SE): ``world``, ``effect``, ``low``, ``high``, ``limit``,
    ``datasets``, ``status``. Ready for :func:`toolkit.publish.charts.effects`."""
    rows = table.filter((pl.col("claim") == claim_id) & (pl.col("size") == size)
                        & (pl.col("role") != "holds"))
    out = []
    for r in rows.iter_rows(named=True):
        n = int(r["datasets"])
        share = proportion_interval(round(r["supported"] * n), n)
        out.append({"world": r["world"], "effect": 100 * share["estimate"],
                    "low": 100 * share["low"], "high": 100 * share["high"],
                    "limit": 100 * limit(n), "datasets": n, "status": r["status"]})
    return pl.DataFrame(out)


def errors_by_world(runs: pl.DataFrame, claim_id: str, size: int = 100) -> pl.DataFrame:
    """Estimate minus the truth, per world of a test where the truth is known: the mean
    (``effect``: the bias) and the middle 95 % of the datasets (``low``, ``high``), in the
    estimate's units. Ready for :func:`toolkit.publish.charts.effects`."""
    matrix = design_matrix([claim_id])
    rows = runs.filter((pl.col("claim") == claim_id) & (pl.col("size") == size)).join(
        matrix, on=["claim", "world"])
    if "truth" not in rows.columns:
        rows = rows.with_columns(truth=pl.lit(math.nan))
    truths = rows.group_by("world", "sign").agg(pl.col("truth").first())
    truths = truths.with_columns(estimand=pl.Series(
        [estimand(claim_id, s, t) for _, s, t in truths.iter_rows()], dtype=pl.Float64))
    error = pl.col("estimate") - pl.col("estimand")
    return (rows.join(truths.drop("truth", "sign"), on="world")
            .filter(pl.col("estimand").is_finite() & pl.col("estimate").is_finite())
            .group_by("world").agg(truth=pl.col("estimand").first(), effect=error.mean(),
                                   low=error.quantile(0.025), high=error.quantile(0.975),
                                   datasets=pl.len())
            .sort("world"))


def claim_overview(table: pl.DataFrame) -> pl.DataFrame:
    """One row per diagnosed test: the world and size where it errs most
    (:func:`worst_null`) with its false "supported" and false "contradicted" rates there,
    the lowest coverage in a null world, power in its first holding world at each size, and
    whether it passes."""
    failing = failures(table)
    rows = []
    for claim_id in table["claim"].unique(maintain_order=True).to_list():
        rows_of = table.filter(pl.col("claim") == claim_id)
        worst = worst_null(table, claim_id)
        holds = rows_of.filter(pl.col("world") == claim(claim_id).holds_in[0]).sort("size")
        nulls = rows_of.filter(pl.col("role") == "null")
        rows.append({
            "claim": claim_id, "worlds": rows_of["world"].n_unique(),
            "worst_world": worst["world"], "size": worst["size"],
            "false_supported": worst["false_supported"],
            "false_contradicted": worst["false_contradicted"],
            "lowest_coverage": nulls["coverage"].min(),
            **{f"power_{s}": p for s, p in zip(holds["size"], holds["supported"], strict=True)},
            "verdicts": "inconclusive" if claim_id in failing else "as the test says",
        })
    return pl.DataFrame(rows, infer_schema_length=None)


def power_table(table: pl.DataFrame, size: int | None = None) -> pl.DataFrame:
    """Power of each test in its first holding world: one row per claim and size
    (``claim``, ``world``, ``unit``, ``size``, ``power``), or only ``size``."""
    first = {c.id: c.holds_in[0] for c in CLAIMS if c.holds_in}
    rows = table.filter(pl.col("role") == "holds").filter(
        pl.col("world") == pl.col("claim").replace_strict(first, default=None))
    if size is not None:
        rows = rows.filter(pl.col("size") == size)
    return rows.select("claim", "world", "unit", "size", power=pl.col("supported"))


def worst_errors(table: pl.DataFrame) -> pl.DataFrame:
    """Per diagnosed test, its highest one-sided error rate anywhere in its matrix (the world
    of :func:`worst_null`), in per cent with its Wilson 95 % interval and the limit:
    ``label`` ("C13 in <world> (size)"), ``error`` (which verdict), ``effect``, ``low``,
    ``high``, ``limit``. Ready for :func:`toolkit.publish.charts.effects`."""
    rows = _wrong_rates(table)
    out = []
    for claim_id in rows["claim"].unique(maintain_order=True).to_list():
        top = rows.filter(pl.col("claim") == claim_id).sort(
            "worst", "datasets", descending=True).row(0, named=True)
        which = ("supported" if top["wrong_supported"] >= top["wrong_contradicted"]
                 else "contradicted")
        n = int(top["datasets"])
        share = proportion_interval(round(top["worst"] * n), n)
        out.append({"label": f"{claim_id} in {top['world']} ({top['size']:,})",
                    "claim": claim_id, "error": f"false '{which}'",
                    "effect": 100 * share["estimate"], "low": 100 * share["low"],
                    "high": 100 * share["high"], "limit": 100 * limit(n), "datasets": n})
    return pl.DataFrame(out)
