"""Speed and memory of the LIVE analytics (``make bench``).

Prints, on this machine:

1. (the simulator: ``benchmarks/bench_simulator.py``)
2. the LIVE analytics pipeline (``toolkit.analytics.summary.live_summary``, polars, lazy) against an
   idiomatic pandas implementation of the same aggregates, the same in DuckDB SQL and a bare
   scan of the five columns the summary reads, on the same parquet file: times and peak
   memory, after checking that pandas and DuckDB give the same table;
3. the pipeline on a 100-million-event file in polars' streaming mode, with its peak memory.

Each measured run happens in a fresh Python process, so its peak resident memory (VmHWM)
is its own. Targets (docs/performance.md): pandas / polars time >= 10, polars / pandas peak
memory <= 1/3, and 100 million events analysed in under 4 GiB.

Usage: python benchmarks/bench_analytics.py [--small N] [--large N] [--work DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _run import run

POLARS_RUN = r"""
import json, resource, sys, time
import polars as pl
from toolkit import analytics
path, engine = sys.argv[1], sys.argv[2]
start = time.perf_counter()
table = analytics.live_summary(pl.scan_parquet(path)).collect(engine=engine)
seconds = time.perf_counter() - start
table.write_parquet(sys.argv[3])
PEAK
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": table.height}))
"""

BARE_SCAN_RUN = r"""
import json, sys, time
import polars as pl
path = sys.argv[1]
start = time.perf_counter()
# the five columns the summary reads, decoded, with the least work that uses every value
table = pl.scan_parquet(path).select(
    pl.col("session_id").str.len_bytes().sum(), pl.col("kind").to_physical().sum(),
    pl.col("user_id").str.len_bytes().sum(), pl.col("count").sum(), pl.col("coins").sum(),
).collect(engine="streaming")
seconds = time.perf_counter() - start
PEAK
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": table.height}))
"""

DUCKDB_RUN = r"""
import json, sys, time
import duckdb
path, out = sys.argv[1], sys.argv[2]
SQL = '''
    WITH e AS (SELECT session_id, CAST(kind AS VARCHAR) AS kind, user_id, "count", coins
               FROM read_parquet(?))
    SELECT session_id,
           count(*) FILTER (WHERE kind = 'viewers') AS duration_minutes,
           coalesce(max("count") FILTER (WHERE kind = 'viewers'), 0) AS peak_viewers,
           CAST(coalesce(sum("count") FILTER (WHERE kind = 'viewers'), 0) AS BIGINT) AS watch_minutes,
           count(DISTINCT user_id) FILTER (WHERE kind = 'join') AS unique_viewers,
           CAST(coalesce(sum("count") FILTER (WHERE kind = 'heart'), 0) AS BIGINT) AS hearts,
           count(*) FILTER (WHERE kind = 'comment') AS comments,
           count(*) FILTER (WHERE kind = 'share') AS shares,
           count(*) FILTER (WHERE kind = 'follow') AS new_followers,
           count(DISTINCT user_id) FILTER (WHERE kind = 'gift') AS gifters,
           CAST(coalesce(sum("count") FILTER (WHERE kind = 'gift'), 0) AS BIGINT) AS gifts,
           CAST(coalesce(sum(coins) FILTER (WHERE kind = 'gift'), 0) AS BIGINT) AS coins
    FROM e GROUP BY session_id ORDER BY session_id'''
start = time.perf_counter()
table = duckdb.connect().execute(SQL, [path]).to_arrow_table()
seconds = time.perf_counter() - start
import polars as pl
frame = pl.from_arrow(table).with_columns(
    average_viewers=pl.col("watch_minutes") / pl.col("duration_minutes"),
    average_watch_minutes=pl.col("watch_minutes") / pl.col("unique_viewers"),
    diamonds=pl.col("coins"), payout_micro_usd=pl.col("coins") * 5000,
    gifts_per_minute=pl.col("gifts") / pl.col("duration_minutes"),
    gifter_conversion=pl.col("gifters") / pl.col("unique_viewers"))
frame.write_parquet(out)
PEAK
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": frame.height}))
"""

PANDAS_RUN = r"""
import json, resource, sys, time
import pandas as pd
path = sys.argv[1]
start = time.perf_counter()
events = pd.read_parquet(path)
kind = events["kind"].astype(str)
per = events.assign(kind=kind)
viewers = per[per["kind"] == "viewers"].groupby("session_id")["count"].agg(
    duration_minutes="size", peak_viewers="max", average_viewers="mean", watch_minutes="sum")
joins = per[per["kind"] == "join"].groupby("session_id")["user_id"].nunique().rename("unique_viewers")
hearts = per[per["kind"] == "heart"].groupby("session_id")["count"].sum().rename("hearts")
simple = per[per["kind"].isin(["comment", "share", "follow"])].pivot_table(
    index="session_id", columns="kind", values="count", aggfunc="size", fill_value=0)
simple = simple.rename(columns={"comment": "comments", "share": "shares", "follow": "new_followers"})
gift = per[per["kind"] == "gift"].groupby("session_id").agg(
    gifters=("user_id", "nunique"), gifts=("count", "sum"), coins=("coins", "sum"))
table = pd.concat([viewers, joins, hearts, simple, gift], axis=1).fillna(0)
for column in ["unique_viewers", "hearts", "comments", "shares", "new_followers", "gifters",
               "gifts", "coins", "duration_minutes", "peak_viewers", "watch_minutes"]:
    table[column] = table[column].astype("int64")
table["average_watch_minutes"] = table["watch_minutes"] / table["unique_viewers"]
table["diamonds"] = table["coins"]  # 1 Diamond per coin, the reference rate
table["payout_micro_usd"] = table["diamonds"] * 5000  # $0.005 per Diamond, in micro-dollars
table["gifts_per_minute"] = table["gifts"] / table["duration_minutes"]
table["gifter_conversion"] = table["gifters"] / table["unique_viewers"]
table = table.reset_index().rename(columns={"index": "session_id"}).sort_values("session_id")
seconds = time.perf_counter() - start
table.to_parquet(sys.argv[2], index=False)
PEAK
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "rows": len(table)}))
"""


def ensure_dataset(folder: Path, sessions: int, seed: int) -> tuple[Path, int, float]:
    """Simulate (once) a dataset of ``sessions`` sessions; return its events file and size."""
    events = folder / "events.parquet"
    seconds = float("nan")
    if not events.is_file():
        from toolkit.simulation.store import write_simulation
        from toolkit.simulation.worlds import world

        start = time.perf_counter()
        write_simulation(folder, world("baseline"), sessions, seed)
        seconds = time.perf_counter() - start
    import polars as pl

    n = pl.scan_parquet(events).select(pl.len()).collect().item()
    return events, n, seconds


def same_results(polars_file: Path, pandas_file: Path) -> bool:
    """The two implementations agree on every column (payout compared in micro-dollars)."""
    import polars as pl

    fast = pl.read_parquet(polars_file).with_columns(
        payout_micro_usd=(pl.col("payout_usd") * 1_000_000).cast(pl.Int64)).drop("payout_usd")
    slow = pl.read_parquet(pandas_file).select(fast.columns)
    slow = slow.cast(dict(fast.schema))  # type: ignore[arg-type]
    return fast.sort("session_id").equals(slow.sort("session_id"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000, help="sessions for the comparison")
    parser.add_argument("--large", type=int, default=100_000_000, help="events for streaming")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    gib = 2**30

    print("== 2. LIVE analytics: polars (lazy) vs pandas, same parquet")
    small, n_small, _ = ensure_dataset(args.work / "small", args.small, seed=7)
    eager = run(POLARS_RUN, str(small), "in-memory", str(args.work / "polars-eager.parquet"))
    fast = run(POLARS_RUN, str(small), "streaming", str(args.work / "polars.parquet"))
    slow = run(PANDAS_RUN, str(small), str(args.work / "pandas.parquet"))
    duck = run(DUCKDB_RUN, str(small), str(args.work / "duckdb.parquet"))
    bare = run(BARE_SCAN_RUN, str(small))
    equal = same_results(args.work / "polars.parquet", args.work / "pandas.parquet")
    equal_duck = same_results(args.work / "polars.parquet", args.work / "duckdb.parquet")
    print(f"{n_small:,} events, {fast['rows']:,} sessions; results equal: pandas {equal}, "
          f"DuckDB {equal_duck}")
    print(f"polars, in-memory engine {eager['seconds']:.2f} s, "
          f"peak {eager['peak_bytes'] / gib:.2f} GiB")
    print(f"polars, streaming engine {fast['seconds']:.2f} s, "
          f"peak {fast['peak_bytes'] / gib:.2f} GiB")
    print(f"pandas {slow['seconds']:.2f} s, peak {slow['peak_bytes'] / gib:.2f} GiB")
    print(f"DuckDB SQL {duck['seconds']:.2f} s, peak {duck['peak_bytes'] / gib:.2f} GiB")
    print(f"bare scan of the same five columns (polars, streaming) {bare['seconds']:.2f} s, "
          f"peak {bare['peak_bytes'] / gib:.2f} GiB")
    print(f"summary / bare scan {fast['seconds'] / bare['seconds']:.2f}x (target <= 1.2); "
          f"DuckDB / summary {duck['seconds'] / fast['seconds']:.2f}x (target > 1)")
    print("ratios against the streaming engine, the pipeline's mode for files:")
    print(f"time ratio pandas/polars {slow['seconds'] / fast['seconds']:.1f}x (target >= 10); "
          f"memory ratio polars/pandas {fast['peak_bytes'] / slow['peak_bytes']:.2f} "
          f"(target <= 0.33)")

    print("== 3. streaming on a large file")
    per_session = n_small / args.small
    sessions = int(args.large / per_session) + 1
    large, n_large, made = ensure_dataset(args.work / "large", sessions, seed=8)
    if made == made:  # not NaN: it was simulated now
        print(f"simulated {n_large:,} events in {made:.0f} s ({n_large / made:,.0f} events/s)")
    stream = run(POLARS_RUN, str(large), "streaming", str(args.work / "large-summary.parquet"))
    print(f"{n_large:,} events, {stream['rows']:,} sessions in {stream['seconds']:.1f} s, "
          f"peak {stream['peak_bytes'] / gib:.2f} GiB (target < 4 GiB)")


if __name__ == "__main__":
    main()
