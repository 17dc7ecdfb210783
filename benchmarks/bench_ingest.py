"""Speed of ``toolkit ingest`` (``make bench``).

Prints, on this machine:

1. decoding one webcast message: our wire reader (:mod:`toolkit.recordings.wire`) against the
   classes ``tiktoklive`` 7.0.1 decodes with (``TikTokLiveProto``, betterproto2 + pydantic),
   on the same payloads, after checking both read the same fields: time per message and ratio;
2. the whole ingest (read, decode, check, count, pseudonymise) on the bundled recordings read
   ``--copies`` times over (every copy is parsed and decoded; all but the first are rejected as
   duplicate messages): records per second.

Target (docs/performance.md): decoding at least 10 times faster than the library classes, and
an ingest of at least 20,000 records a second, so that a two-hour LIVE of a million messages
takes under a minute.

Usage: python benchmarks/bench_ingest.py [--copies N]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import tempfile
import time
from pathlib import Path

from toolkit import recordings
from toolkit.recordings import wire


def _payloads(limit: int = 5_000) -> list[tuple[str, bytes]]:
    """Raw payloads of the bundled ``toolkit record`` files."""
    found: list[tuple[str, bytes]] = []
    for path in recordings.bundled_files():
        if not path.name.startswith("live-"):
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("raw_b64"):
                    found.append((row["method"], base64.b64decode(row["raw_b64"])))
                if len(found) >= limit:
                    return found
    return found


def bench_decode() -> None:
    from TikTokLive.events import EVENT_MAPPINGS  # the library's own classes

    payloads = _payloads()
    for method, raw in payloads[:200]:  # both read the same fields
        theirs = EVENT_MAPPINGS[method]().parse(raw)
        ours = wire.decode(method, raw)
        assert ours.get("msg_id", 0) == theirs.common.msg_id
        assert ours.get("create_time_ms", 0) == theirs.common.create_time
    timings = {}
    for name, decode in (("protowire", lambda m, r: wire.decode(m, r)),
                         ("TikTokLiveProto", lambda m, r: EVENT_MAPPINGS[m]().parse(r))):
        start = time.perf_counter()
        for method, raw in payloads:
            decode(method, raw)
        timings[name] = (time.perf_counter() - start) / len(payloads)
        print(f"decode, {name:16}: {timings[name] * 1e6:8.1f} µs per message "
              f"({len(payloads):,} messages)")
    print(f"decode ratio (library / ours): {timings['TikTokLiveProto'] / timings['protowire']:.1f}"
          " (target >= 10)")


def _copies(folder: Path, copies: int) -> list[Path]:
    """The bundled recordings ``copies`` times, each copy's bytes made different (a gzip
    header's time, a blank line more) with the same records: ingest reads a file named twice
    once, and rejects a byte-for-byte copy as a whole, so plain repeats would measure less."""
    files = []
    for k in range(copies):
        for path in recordings.bundled_files():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.compress(gzip.decompress(data), mtime=k)
            else:
                data = data + b"\n" * k
            target = folder / f"copy{k}-{path.name}"
            target.write_bytes(data)
            files.append(target)
    return files


def bench_ingest(copies: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = _copies(Path(folder), copies)
        start = time.perf_counter()
        result = recordings.ingest(files, salt=bytes(16))
        seconds = time.perf_counter() - start
    rows = result.report["rows_read"]
    print(f"ingest: {rows:,} records from {len(files)} files in {seconds:.2f} s = "
          f"{rows / seconds:,.0f} records/s (target >= 20,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    bench_decode()
    bench_ingest(args.copies)


if __name__ == "__main__":
    main()
