"""Analytics past one process: a billion simulated events, part by part on Dask (``make bench``).

Prints, on this machine:

1. the partitioned dataset (``toolkit.simulation.partitioned``, 2,000 sessions a part): its
   events, and when it is simulated now, the events per second including writing;
2. the LIVE summary of every session computed part by part on a local Dask cluster
   (``toolkit.analytics.partitioned.by_part``) with 1 and with ``--workers`` workers (one
   thread each, polars on one thread), beside a bare scan of the same five columns on the same
   workers (``bare_scan``): seconds, the ratio to the bare scan, the scaling from 1 worker,
   and each run's peak resident memory per worker (the worker process, Dask included).

Targets (issue 16, docs/performance.md): 1 billion events within 2 GiB per worker and within
1.5x the time of the bare scan. The dataset (about 5.5 GB at zstd level 1) is made once in
``--work`` and reused.

Usage: python benchmarks/bench_scale.py [--events N] [--workers K] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

EVENTS_PER_SESSION = 1_045  # baseline world, about; the sessions asked for follow from it
COLUMNS = ("session_id", "kind", "user_id", "count", "coins")  # what the summary reads


def _peak_bytes() -> int:
    """This process's peak resident memory (VmHWM), bytes; run on each Dask worker."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) * 1024


def _warm() -> None:
    """Import what the tasks need (run on each Dask worker before timing)."""
    import toolkit.analytics.partitioned  # noqa: F401


def ensure_dataset(folder: Path, events: int, workers: int) -> tuple[int, float]:
    """Simulate (once) a partitioned dataset of about ``events`` events; its events and the
    seconds it took now (NaN when it was there already)."""
    world_file = folder / "world.json"
    if world_file.is_file():
        recorded = json.loads(world_file.read_text())
        if recorded.get("events", 0) >= 0.95 * events:
            return int(recorded["events"]), float("nan")
    from toolkit.simulation import worlds
    from toolkit.simulation.partitioned import write_partitioned_simulation

    start = time.perf_counter()
    made = write_partitioned_simulation(folder, worlds.world("baseline"),
                                        events // EVENTS_PER_SESSION + 1, 11, workers=workers)
    return made, time.perf_counter() - start


def measure(folder: Path, workers: int, what: str) -> tuple[float, int, object]:
    """Seconds, the largest worker peak (bytes) and the result of ``what`` on a fresh cluster."""
    from distributed import Client, LocalCluster

    from toolkit.analytics.partitioned import bare_scan, by_part

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, env={"POLARS_MAX_THREADS": "1"}) as cluster, \
            Client(cluster) as client:
        client.run(_warm)  # imports on every worker, outside the timing
        start = time.perf_counter()
        if what == "summary":
            result: object = by_part(folder, scheduler=cluster.scheduler_address)
        else:
            result = bare_scan(folder, COLUMNS, scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - start
        peaks = client.run(_peak_bytes)
    return seconds, max(peaks.values()), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    args = parser.parse_args()
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    folder = args.work / ("billion" if args.events == 1_000_000_000 else f"events-{args.events}")
    gib = 2**30

    print(f"== {args.events:,} events, partitioned, part by part on Dask")
    events, made = ensure_dataset(folder, args.events, args.workers)
    parts = len(list((folder / "events").glob("*/part.parquet")))
    size = sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 1e9
    print(f"{events:,} events in {parts} parts ({size:.2f} GB, all tables)")
    if made == made:
        print(f"simulated and written now in {made:.0f} s on {args.workers} processes: "
              f"{events / made:,.0f} events/s including writing")
    timings: dict[int, float] = {}
    for workers in sorted({1, args.workers}):
        bare, bare_peak, rows = measure(folder, workers, "bare")
        summary, peak, table = measure(folder, workers, "summary")
        timings[workers] = summary
        assert rows == events, (rows, events)
        print(f"{workers} worker(s): summary of {table.height:,} sessions in {summary:.0f} s "  # type: ignore[attr-defined]
              f"({events / summary:,.0f} events/s), peak {peak / gib:.2f} GiB per worker "
              f"(target <= 2); bare scan {bare:.0f} s, peak {bare_peak / gib:.2f} GiB; "
              f"summary / bare scan {summary / bare:.2f}x (target <= 1.5)")
    if args.workers > 1:
        print(f"scaling: {args.workers} workers {timings[1] / timings[args.workers]:.2f}x "
              "as fast as 1")


if __name__ == "__main__":
    main()
