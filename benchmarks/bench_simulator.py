"""Speed of the LIVE simulator beside its previous version, on one core (``make bench``).

Prints, for the same 2,000 sessions of the ``baseline`` world (one batch):

1. the previous version (numpy over all sessions, a Python loop over 10-second steps,
   ``tests/reference/previous_engine.py``): events per second, tables built;
2. the compiled kernel alone (``toolkit.simulation.kernel.play_sessions``: the arrays of
   events, minutes and viewers) and the whole of ``toolkit.simulation.simulate`` (kernel and
   polars tables): events per second, and the speed-up;

then ``toolkit.simulation.store.write_simulation`` of ``--write`` sessions (about 1,000 events
each) to parquet (zstd level 3): events per second including writing; and the same sessions
written as a partitioned dataset (``toolkit.simulation.partitioned``, zstd level 1) by 1 and
``--workers`` processes.

Each figure is the best of ``--repeat`` runs in a fresh Python process with one thread
(``POLARS_MAX_THREADS``, ``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS`` = 1), after one run
that loads the compiled kernel from numba's cache. Targets (issue 16, docs/performance.md):
5 million events per second simulating, 2 million including writing.

Usage: python benchmarks/bench_simulator.py [--write N] [--repeat K] [--work DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _run import ONE_THREAD, run

ROOT = Path(__file__).resolve().parent.parent

RUN = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[2])
from toolkit.simulation import engine, worlds
from toolkit.simulation.schedule import draw_sessions
what, repeat = sys.argv[1], int(sys.argv[3])
world = worlds.world("baseline")
sessions = draw_sessions(world, 2000, np.random.default_rng(1))
if what == "previous":
    from reference import previous_engine
    run = lambda: previous_engine._simulate_chunk(world, sessions, np.random.default_rng(2))
    count = lambda data: data.table("events").height
elif what == "kernel":
    captured = {}
    tables = engine._tables
    def keep(sessions, events, *rest):
        captured["events"] = events.shape[1]  # fields x events
        return None
    engine._tables = keep
    run = lambda: engine._simulate_chunk(world, sessions, np.random.default_rng(2))
    count = lambda data: captured["events"]
else:  # one batch: simulate_sessions less the concatenation of batches
    run = lambda: engine._simulate_chunk(world, sessions, np.random.default_rng(2))
    count = lambda data: data.table("events").height
if what != "previous":
    run()  # load the compiled kernel (numba's cache) outside the timing
best = float("inf")
for _ in range(repeat):
    start = time.perf_counter()
    data = run()
    best = min(best, time.perf_counter() - start)
print(json.dumps({"seconds": best, "events": count(data)}))
"""

WRITE = r"""
import json, sys, tempfile, time
import polars as pl
from toolkit.simulation import store, worlds
world, n = worlds.world("baseline"), int(sys.argv[1])
with tempfile.TemporaryDirectory(dir=sys.argv[2]) as out:
    store.write_simulation(out, world, 50, 1)  # load the compiled kernel outside the timing
    start = time.perf_counter()
    paths = store.write_simulation(out, world, n, 3)
    seconds = time.perf_counter() - start
    events = pl.scan_parquet(paths["events"]).select(pl.len()).collect().item()
print(json.dumps({"seconds": seconds, "events": events}))
"""

PARTITIONED = r"""
import json, os, sys, tempfile, time
os.environ["POLARS_MAX_THREADS"] = "1"
from toolkit.simulation import partitioned, worlds
world, n, workers = worlds.world("baseline"), int(sys.argv[1]), int(sys.argv[3])
if __name__ == "__main__":
    with tempfile.TemporaryDirectory(dir=sys.argv[2]) as out:
        partitioned.write_partitioned_simulation(out + "/warm", world, 50, 1)  # numba's cache
        start = time.perf_counter()
        events = partitioned.write_partitioned_simulation(out + "/sim", world, n, 3,
                                                          workers=workers)
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "events": events}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=int, default=20_000, help="sessions written to parquet")
    parser.add_argument("--workers", type=int, default=2, help="processes, partitioned")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    parser.add_argument("--work", type=Path, default=Path("build/bench"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    tests = str(ROOT / "tests")
    repeat = str(args.repeat)

    print("== simulator, 2,000 baseline sessions, one thread (best of "
          f"{args.repeat} runs)")
    previous = run(RUN, "previous", tests, repeat, env=ONE_THREAD)
    kernel = run(RUN, "kernel", tests, repeat, env=ONE_THREAD)
    whole = run(RUN, "simulate", tests, repeat, env=ONE_THREAD)
    rate = {name: r["events"] / r["seconds"] for name, r in
            [("previous", previous), ("kernel", kernel), ("simulate", whole)]}
    print(f"previous version (numpy step loop), tables built: {previous['events']:,} events "
          f"in {previous['seconds']:.2f} s: {rate['previous']:,.0f} events/s")
    print(f"compiled kernel alone (arrays):                   {kernel['events']:,} events "
          f"in {kernel['seconds']:.2f} s: {rate['kernel']:,.0f} events/s")
    print(f"simulate() (kernel and polars tables):            {whole['events']:,} events "
          f"in {whole['seconds']:.2f} s: {rate['simulate']:,.0f} events/s "
          f"({rate['simulate'] / rate['previous']:.1f}x the previous version; target 5,000,000)")
    print(f"building the tables: {whole['seconds'] - kernel['seconds']:.2f} s of "
          f"{whole['seconds']:.2f} s")

    print(f"== writing {args.write:,} sessions to parquet (zstd 3), one thread")
    written = run(WRITE, str(args.write), str(args.work), env=ONE_THREAD)
    print(f"{written['events']:,} events in {written['seconds']:.1f} s: "
          f"{written['events'] / written['seconds']:,.0f} events/s including writing "
          "(target 2,000,000)")
    print(f"== the same sessions partitioned (zstd 1), batches on 1 and {args.workers} processes")
    for workers in sorted({1, args.workers}):
        parts = run(PARTITIONED, str(args.write), str(args.work), str(workers))
        print(f"{workers} process(es): {parts['events']:,} events in {parts['seconds']:.1f} s: "
              f"{parts['events'] / parts['seconds']:,.0f} events/s including writing")


if __name__ == "__main__":
    main()
