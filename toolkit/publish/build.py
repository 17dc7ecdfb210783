"""Execute the notebooks in reading order and build the explainer site from them.

``make run`` calls :func:`build`. Each notebook runs top to bottom in a fresh kernel; a
failing cell stops the build with the notebook's name and the error. The executed notebooks
go to ``build/notebooks`` and the site to ``build/site`` (:mod:`toolkit.publish.site`). With
``in_place=True`` the executed notebooks also replace the ones in ``notebooks/`` (this
refreshes the stored outputs that the notebook tests compare against).
"""

from __future__ import annotations

import shutil
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


def build(out: Path, in_place: bool = False, only: str | None = None) -> list[Path]:
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

    Returns
    -------
    list of Path
        The site's pages.
    """
    from toolkit.publish.site import build_site

    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for path in notebook_paths():
        if only and only not in path.name:
            if not (target / path.name).exists():
                shutil.copy(path, target / path.name)
            continue
        print(f"executing {path.name} ...", flush=True)
        notebook = execute_notebook(path)
        if in_place:
            nbformat.write(notebook, path)
        nbformat.write(notebook, target / path.name)
    pages = build_site(target, out / "site")
    print(f"wrote {len(pages)} pages; open {out / 'site' / 'index.html'}")
    return pages
