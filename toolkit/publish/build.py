"""Execute the notebooks in reading order and build the explainer site from them.

``make run`` calls :func:`build`. Each notebook runs top to bottom in a fresh kernel, several
at a time (one per core by default: a notebook's kernel is mostly one Python thread); a failing
cell stops the build with the notebook's name and the error. The executed notebooks go to
``build/notebooks`` and the site to ``build/site`` (:mod:`toolkit.publish.site`). Each
notebook is written to a temporary file and renamed into place, so an interrupted build
leaves every earlier output whole. With ``in_place=True`` the executed notebooks also replace
the ones in ``notebooks/`` (this refreshes the stored outputs that the notebook tests compare
against).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from toolkit._paths import notebook_paths

__all__ = ["execute_notebook", "build"]


def execute_notebook(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh ``python3`` kernel and return it executed."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def _write_atomic(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write ``notebook`` to ``path`` through a temporary file in the same folder."""
    partial = path.with_name(f".{path.name}.partial")
    nbformat.write(notebook, partial)
    os.replace(partial, path)


def _execute_to(path: Path, targets: list[Path]) -> float:
    """Execute ``path`` and write it to each of ``targets``; the seconds it took."""
    began = time.perf_counter()
    try:
        notebook = execute_notebook(path)
    except Exception as error:  # the kernel's traceback, as text (it crosses processes)
        raise RuntimeError(f"{path.name}: {error}") from None
    for target in targets:
        _write_atomic(notebook, target)
    return time.perf_counter() - began


def _read_timings(path: Path) -> dict[str, float]:
    """The seconds each notebook took in the last build (empty when unknown or unreadable)."""
    try:
        data = json.loads(path.read_text())
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def build(out: Path, in_place: bool = False, only: str | None = None,
          jobs: int | None = None) -> list[Path]:
    """Execute every notebook into ``out/notebooks`` and build the site in ``out/site``.

    Parameters
    ----------
    out : Path
        Build folder. ``out/site/index.html`` is the explainer site (see :mod:`toolkit.publish.site`).
    in_place : bool
        Also save the executed notebooks over the sources in ``notebooks/``.
    only : str, optional
        Run only the notebooks whose file name contains this text (the site then uses the
        stored outputs of the others).
    jobs : int, optional
        Notebooks executed at once, each in its own process and kernel (default: the number
        of cores, at most 4). Every notebook runs in a fresh kernel whatever the number, so
        the outputs do not depend on it.

    Returns
    -------
    list of Path
        The site's pages.
    """
    from toolkit.publish.site import build_site

    if only and not any(only in path.name for path in notebook_paths()):
        raise ValueError(f"--only {only!r}: no notebook's name contains it (the notebooks are "
                         f"{', '.join(p.stem for p in notebook_paths())})")
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    todo: list[Path] = []
    for path in notebook_paths():
        if only and only not in path.name:
            if not (target / path.name).exists():
                shutil.copy(path, target / path.name)
            continue
        todo.append(path)
    # the longest first (as long as the last build's times say), so no long one runs alone at the end
    timings_file = target / ".timings.json"
    timings = _read_timings(timings_file)
    todo.sort(key=lambda p: -timings.get(p.name, float("inf")))
    jobs = max(1, min(jobs or min(os.cpu_count() or 1, 4), len(todo) or 1))
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running: dict[Future[float], Path] = {}
        for path in todo:
            targets = [target / path.name] + ([path] if in_place else [])
            running[pool.submit(_execute_to, path, targets)] = path
        print(f"executing {len(todo)} notebooks, {jobs} at a time (the longest first) ...",
              flush=True)
        pending = set(running)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f].name):
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                seconds = future.result()  # a failed notebook's error, with its name
                print(f"  {running[future].name} ({seconds:.0f} s)", flush=True)
                timings[running[future].name] = round(seconds, 1)
    print(f"executed in {time.perf_counter() - began:.0f} s", flush=True)
    partial = timings_file.with_name(".timings.json.partial")
    partial.write_text(json.dumps(timings, indent=1, sort_keys=True) + "\n")
    os.replace(partial, timings_file)
    pages = build_site(target, out / "site")
    print(f"wrote {len(pages)} pages; open {out / 'site' / 'index.html'}")
    return pages
