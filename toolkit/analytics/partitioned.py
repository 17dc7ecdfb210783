"""Per-session tables of a dataset too large for one process: one part at a time, combined.

A partitioned dataset (``events/batch=00000/part.parquet``, ...: see
:mod:`toolkit.simulation.partitioned`) keeps all the rows of a session in one part, so a
per-session table is the concatenation of the tables of the parts. :func:`by_part` computes
one table per part in worker processes or on Dask workers (each reads only its part, so its
memory is bounded by the largest part) and stacks them.

>>> from toolkit.analytics.partitioned import event_parts
>>> event_parts("data/simulated/baseline")  # a one-file dataset is one part
[PosixPath('data/simulated/baseline/events.parquet')]
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal

import polars as pl

from toolkit._parallel import map_in_order
from toolkit.analytics.minutes import live_minutes
from toolkit.analytics.summary import live_summary
from toolkit.events.dataset import table_parts

__all__ = ["event_parts", "by_part", "bare_scan", "TABLES_BY_PART"]

#: The per-session tables :func:`by_part` can compute, by name.
TABLES_BY_PART: dict[str, Callable[[pl.LazyFrame], pl.LazyFrame]] = {
    "live_summary": live_summary,
    "live_minutes": live_minutes,
}


def event_parts(folder: str | Path) -> list[Path]:
    """The events files of a dataset folder, in order (``events.parquet`` if not partitioned)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    parts = table_parts(folder, "events")
    if parts:
        return parts
    if (folder / "events.parquet").is_file():
        return [folder / "events.parquet"]
    raise FileNotFoundError(f"{folder}: no events.parquet and no events/batch=*/ parts")


def _one_part(table: str, path: Path) -> pl.DataFrame:
    """``table`` of one part, with the streaming engine; a part that cannot be read is named."""
    try:
        events = pl.scan_parquet(path, glob=False, hive_partitioning=False)
        return TABLES_BY_PART[table](events).collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ValueError(f"{path}: cannot compute {table} of this part: {error}") from None


def _scan_part(columns: tuple[str, ...], path: Path) -> int:
    """Decode ``columns`` of one part with the least work that uses every value; its rows."""
    events = pl.scan_parquet(path, glob=False, hive_partitioning=False)
    schema = events.collect_schema()
    touch = [pl.col(c).str.len_bytes().sum() if schema[c] == pl.String
             else pl.col(c).to_physical().sum() for c in columns]
    return int(events.select(pl.len(), *touch).collect(engine="streaming").item(0, 0))


def by_part(
    folder: str | Path, table: Literal["live_summary", "live_minutes"] = "live_summary", *,
    workers: int = 1, scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """A per-session table of a (partitioned) dataset, computed part by part and stacked.

    Parameters
    ----------
    folder : path
        A dataset folder (partitioned or not).
    table : {"live_summary", "live_minutes"}
        :func:`toolkit.analytics.live_summary` or :func:`toolkit.analytics.live_minutes`.
    workers : int
        Processes (or Dask workers, with ``scheduler="local"``).
    scheduler : str, optional
        ``"local"`` or a Dask scheduler's address (see :func:`toolkit._parallel.map_in_order`);
        the workers must be able to read ``folder``.
    progress : callable, optional
        Called as ``progress(parts_done, parts)``.

    Returns
    -------
    polars.DataFrame
        The table, equal to computing it on the whole events table (sorted by session, then
        minute for the minute table).
    """
    if table not in TABLES_BY_PART:
        raise ValueError(f"table must be one of {', '.join(TABLES_BY_PART)}, got {table!r}")
    parts = map_in_order(partial(_one_part, table), event_parts(folder), workers=workers,
                         scheduler=scheduler, progress=progress)
    keys = ["session_id"] if table == "live_summary" else ["session_id", "minute"]
    return pl.concat(parts).sort(keys)


def bare_scan(folder: str | Path, columns: tuple[str, ...], *, workers: int = 1,
              scheduler: str | None = None) -> int:
    """Decode ``columns`` of every part (a byte length or a sum of each, nothing else) and
    count the rows: the floor :func:`by_part` is measured against in ``make bench``."""
    return sum(map_in_order(partial(_scan_part, columns), event_parts(folder), workers=workers,
                            scheduler=scheduler))
