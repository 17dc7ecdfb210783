"""Many datasets, one statistic each: the runner behind every error rate and power figure.

False-positive rates, power, the herding test's rejection rate and the bot detector's
verdict rates are all the same computation: make dataset ``i`` (usually by simulating it
from its own seed), compute a statistic on it, collect the statistics in order.
:func:`run_datasets` does exactly that: in this process, in worker processes of this machine,
or on a Dask cluster (``scheduler="local"`` starts one here; ``"tcp://host:8786"`` uses a
running one, say on an HPC batch system through ``dask-jobqueue``: ``docs/performance.md``).

Reproducibility: dataset ``i`` must depend on ``i`` alone (its own seed or its own spawned
stream, never a generator shared between datasets), so the results are the same, to the
byte, whatever the number of workers.

>>> from toolkit.simulation.runner import run_datasets
>>> run_datasets(lambda i: i * 10, lambda data, i: data + i, 3)
[0, 11, 22]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

from toolkit._checks import check_count

__all__ = ["run_datasets"]

D = TypeVar("D")
R = TypeVar("R")


def _task(make: Callable[[int], D], statistic: Callable[[D, int], R], index: int) -> R:
    return statistic(make(index), index)


def run_datasets(
    make: Callable[[int], D], statistic: Callable[[D, int], R], n_datasets: int, *,
    workers: int = 1, progress: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
) -> list[R]:
    """``statistic(make(i), i)`` for ``i`` in ``0 .. n_datasets - 1``, in order.

    Parameters
    ----------
    make : callable
        ``make(i)`` returns dataset ``i`` (a :class:`toolkit.events.Dataset` or any object the
        statistic reads); it must depend on ``i`` only.
    statistic : callable
        ``statistic(dataset, i)`` returns the result for that dataset.
    n_datasets : int
        How many datasets.
    workers : int
        Processes to use; with more than one, ``make`` and ``statistic`` must be picklable
        (module-level functions or ``functools.partial`` of them). Processes are spawned, not
        forked: polars' thread pool does not survive a fork. Each worker's polars uses its
        share of the machine's cores (``POLARS_MAX_THREADS``), so that the workers' threads
        together do not outnumber the cores.
    progress : callable, optional
        Called as ``progress(done, n_datasets)`` after each dataset.
    scheduler : str, optional
        Run on Dask (the ``distributed`` package, the ``cluster`` extra): ``"local"`` starts a
        cluster of ``workers`` one-thread processes on this machine; an address
        (``"tcp://host:8786"``) sends the datasets to a running cluster, whose workers need
        this package and ``make`` and ``statistic`` importable. The results are the same as
        with ``workers=1``, in the same order.

    Returns
    -------
    list
        The statistics, dataset 0 first.
    """
    n = check_count(n_datasets, "n_datasets")
    workers = check_count(workers, "workers")
    task = partial(_task, make, statistic)
    if scheduler is not None:
        return _on_dask(task, n, workers, scheduler, progress)
    out: list[R] = []
    if workers <= 1:
        results: Iterable[R] = map(task, range(n))
        for done, result in enumerate(results, start=1):
            out.append(result)
            if progress is not None:
                progress(done, n)
        return out
    before = os.environ.get("POLARS_MAX_THREADS")
    if not before:  # spawned workers inherit it; a value the user set is kept
        os.environ["POLARS_MAX_THREADS"] = _threads_per_worker(workers)
    try:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            for done, result in enumerate(pool.map(task, range(n), chunksize=1), start=1):
                out.append(result)
                if progress is not None:
                    progress(done, n)
    finally:
        if before is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = before
    return out


def _threads_per_worker(workers: int) -> str:
    """Polars threads for each of ``workers`` processes: their share of this machine's cores."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)
    return str(max(1, cores // workers))


def _on_dask(task: Callable[[int], R], n: int, workers: int, scheduler: str,
             progress: Callable[[int, int], None] | None) -> list[R]:
    """The datasets as Dask tasks, one each; the results in dataset order."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as error:  # pragma: no cover - the extra is installed in the tests
        raise ImportError("a Dask scheduler needs the distributed package: pip install "
                          "'live-engagement-toolkit[cluster]'") from error
    cluster = None
    if scheduler == "local":
        env = {"POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS")
               or _threads_per_worker(workers)}
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, env=env)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(task, range(n), pure=False)
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
