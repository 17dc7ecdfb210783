"""One function applied to many items, in order: here, in worker processes, or on Dask.

The one place the package runs work in parallel: the simulation runner (every error rate and
power figure), partitioned simulations and the per-partition analytics all call
:func:`map_in_order`. ``scheduler="local"`` starts a Dask cluster on this machine;
``"tcp://host:8786"`` uses a running one (say, on an HPC batch system through
``dask-jobqueue``: ``docs/performance.md``).

Reproducibility is the caller's: result ``i`` must depend on item ``i`` alone (its own seed
or spawned stream), so the results are the same, to the byte, whatever the number of workers.

>>> map_in_order(abs, [-2, 3, -4])
[2, 3, 4]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

__all__ = ["map_in_order", "threads_per_worker"]

T = TypeVar("T")
R = TypeVar("R")


def map_in_order(
    function: Callable[[T], R], items: Sequence[T], *, workers: int = 1,
    progress: Callable[[int, int], None] | None = None, scheduler: str | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, computed by ``workers`` processes or on Dask.

    Parameters
    ----------
    function : callable
        With more than one worker, picklable (a module-level function or a
        ``functools.partial`` of one); on Dask, importable by the workers.
    items : sequence
        One task each, sent to the worker that runs it.
    workers : int
        Processes (spawned, not forked: polars' thread pool does not survive a fork), each
        with polars limited to its share of the cores (``POLARS_MAX_THREADS``, unless set).
    progress : callable, optional
        Called as ``progress(done, len(items))`` after each item.
    scheduler : str, optional
        ``"local"`` (a Dask cluster of ``workers`` one-thread processes here) or the address of
        a running Dask scheduler; needs the ``distributed`` package (the ``cluster`` extra).

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    n = len(items)
    if scheduler is not None:
        return _on_dask(function, items, workers, scheduler, progress)
    out: list[R] = []
    if workers <= 1 or n <= 1:
        results: Iterable[R] = map(function, items)
        for done, result in enumerate(results, start=1):
            out.append(result)
            if progress is not None:
                progress(done, n)
        return out
    before = os.environ.get("POLARS_MAX_THREADS")
    if not before:  # spawned workers inherit it; a value the user set is kept
        os.environ["POLARS_MAX_THREADS"] = threads_per_worker(workers)
    try:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            for done, result in enumerate(pool.map(function, items, chunksize=1), start=1):
                out.append(result)
                if progress is not None:
                    progress(done, n)
    finally:
        if before is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = before
    return out


def threads_per_worker(workers: int) -> str:
    """Polars threads for each of ``workers`` processes: their share of this machine's cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    return str(max(1, cores // workers))


def _on_dask(function: Callable[[T], R], items: Sequence[T], workers: int, scheduler: str,
             progress: Callable[[int, int], None] | None) -> list[R]:
    """The items as Dask tasks, one each; the results in the order of the items."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - the extra is installed in the tests
        raise ImportError("a Dask scheduler needs the distributed package: pip install "
                          "'live-engagement-toolkit[cluster]'") from error
    cluster = None
    if scheduler == "local":
        env = {"POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS")
               or threads_per_worker(workers)}
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, env=env)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    n = len(items)
    try:
        futures = client.map(function, list(items), pure=False)
        where = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, R] = {}
        for done, future in enumerate(as_completed(futures), start=1):
            results[where[future.key]] = future.result()
            future.release()
            if progress is not None:
                progress(done, n)
        return [results[i] for i in range(n)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
