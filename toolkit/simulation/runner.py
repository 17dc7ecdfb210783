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

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from toolkit._checks import check_count
from toolkit._parallel import map_in_order

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
        (module-level functions or ``functools.partial`` of them); see
        :func:`toolkit._parallel.map_in_order`, which runs them.
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
    return map_in_order(partial(_task, make, statistic), range(n), workers=workers,
                        progress=progress, scheduler=scheduler)
