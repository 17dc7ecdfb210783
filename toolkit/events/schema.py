"""The canonical events table: one row per observable event of a LIVE.

Everything meets here: the simulator writes this table, the ingester of real recordings
writes it, and every analysis reads it. The columns (see ``docs/data-dictionary.md``):

==========  ====================  ==========================================================
column      type                  meaning
==========  ====================  ==========================================================
session_id  String                one LIVE session
ts          Datetime(ms, UTC)     server time of the event
kind        Enum                  join, heart, comment, share, follow, gift, viewers
user_id     String                pseudonymous viewer id; null only for ``viewers`` rows
count       Int64                 taps in a heart batch, gifts in a streak, viewers in a
                                  snapshot; 1 for join, comment, share, follow
gift_id     Int64                 gift catalogue id; null unless ``kind == "gift"``
coins       Int64                 coin value of the event (price x count); 0 unless a gift
==========  ====================  ==========================================================

:func:`validate` reports *every* violation (row, column, value, problem) instead of stopping
at the first; :func:`read_events_csv` turns a CSV file into the table and either raises an
error naming file, line and field, or quarantines the bad rows with their reasons, so that
rows read = rows loaded + rows rejected.
"""

from __future__ import annotations

import polars as pl

from toolkit.money import reference

__all__ = ["KINDS", "EventKind", "EVENTS_SCHEMA", "empty_events", "validate"]

#: The kinds of event, in the order of the Enum.
KINDS: tuple[str, ...] = ("join", "heart", "comment", "share", "follow", "gift", "viewers")
EventKind = pl.Enum(list(KINDS))

EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "session_id": pl.String(),
    "ts": pl.Datetime("ms", "UTC"),
    "kind": EventKind,
    "user_id": pl.String(),
    "count": pl.Int64(),
    "gift_id": pl.Int64(),
    "coins": pl.Int64(),
}

VIOLATIONS_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "problem": pl.String,
}


def empty_events() -> pl.DataFrame:
    """An events table with no rows and the canonical schema."""
    return pl.DataFrame(schema=EVENTS_SCHEMA)


def _rule(frame: pl.LazyFrame, mask: pl.Expr, column: str, problem: str) -> pl.LazyFrame:
    """Rows where ``mask`` holds, as violations of ``column`` (``frame`` has a ``row`` index)."""
    return (
        frame.filter(mask.fill_null(False))
        .select(
            pl.col("row").cast(pl.Int64),
            pl.lit(column).alias("column"),
            pl.col(column).cast(pl.String).fill_null("null").alias("value"),
            pl.lit(problem).alias("problem"),
        )
    )


_INT64_MAX = 2**63 - 1


def validate(events: pl.DataFrame, catalogue: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every violation of the canonical schema and its rules, one row each.

    Parameters
    ----------
    events : polars.DataFrame
        A table meant to follow :data:`EVENTS_SCHEMA`.
    catalogue : polars.DataFrame, optional
        Gift catalogue (``gift_id``, ``coins``); default: :func:`reference.gift_catalogue`.
        Gift ids must be in it and ``coins`` must equal price x count.

    Returns
    -------
    polars.DataFrame
        ``row`` (0-based, null for a problem with a whole column), ``column``, ``value`` (as
        text) and ``problem``. Empty when the table is valid.
    """
    found: list[pl.DataFrame] = []
    for column, dtype in EVENTS_SCHEMA.items():
        if column not in events.columns:
            problem = f"missing column (expected {dtype})"
        elif events.schema[column] != dtype:
            problem = f"has type {events.schema[column]}, expected {dtype}"
        else:
            continue
        found.append(pl.DataFrame([[None, column, None, problem]], schema=VIOLATIONS_SCHEMA,
                                  orient="row"))
    if found:  # row rules need the right columns and types
        return pl.concat(found)

    catalogue = reference.gift_catalogue() if catalogue is None else catalogue
    kind, count, coins, gift = pl.col("kind"), pl.col("count"), pl.col("coins"), pl.col("gift_id")
    is_gift = kind == "gift"
    price = gift.replace_strict(
        catalogue["gift_id"], catalogue["coins"], default=None, return_dtype=pl.Int64
    )
    priced = events.with_columns(_price=price)
    rules = [
        *(
            (pl.col(c).is_null(), c, "missing value")
            for c in ("session_id", "ts", "kind", "count", "coins")
        ),
        (pl.col("user_id").is_null() & (kind != "viewers"), "user_id",
         "missing value (only viewers snapshots have no user)"),
        ((count < 1) & (kind != "viewers"), "count", "must be at least 1"),
        ((count < 0) & (kind == "viewers"), "count", "viewer count must not be negative"),
        (coins < 0, "coins", "must not be negative"),
        (~is_gift & (coins != 0), "coins", "must be 0 unless kind is gift"),
        (~is_gift & gift.is_not_null(), "gift_id", "must be null unless kind is gift"),
        (is_gift & gift.is_null(), "gift_id", "missing for a gift"),
        (is_gift & gift.is_not_null() & pl.col("_price").is_null(), "gift_id",
         "unknown gift id (not in the gift catalogue)"),
        (is_gift & (pl.col("_price") > 0) & (count > _INT64_MAX // pl.col("_price")),
         "count", "price x count is beyond a 64-bit integer"),
        (is_gift & pl.col("_price").is_not_null() & (count <= _INT64_MAX // pl.col("_price"))
         & (coins != pl.col("_price") * count),
         "coins", "does not equal the gift's price x count"),
        (pl.col("ts") < pl.col("ts").shift(1).over("session_id"), "ts",
         "earlier than the previous event of the same session (out of order)"),
    ]
    indexed = priced.with_row_index("row").lazy()  # indexed once, shared by every rule
    violations = [_rule(indexed, mask, column, problem) for mask, column, problem in rules]
    table = pl.concat(violations).sort("row", "column", nulls_last=False).collect()
    totals = events.select(pl.col("count", "coins").cast(pl.Int128).sum()).row(0)
    overflow = [pl.DataFrame([[None, column, str(total),
                               "the column's total is beyond a 64-bit integer (sums overflow)"]],
                             schema=VIOLATIONS_SCHEMA, orient="row")
                for column, total in zip(("count", "coins"), totals, strict=True)
                if total is not None and abs(total) > _INT64_MAX]
    return pl.concat([*overflow, table]) if overflow else table


