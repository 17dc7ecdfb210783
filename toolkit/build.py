"""Execute the notebooks in reading order and write them, with HTML pages, to a build folder.

``make run`` calls :func:`build`. Each notebook runs top to bottom in a fresh kernel; a
failing cell stops the build with the notebook's name and the error. With ``in_place=True``
the executed notebooks replace the ones in ``notebooks/`` (this refreshes the stored outputs
that the notebook tests compare against).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

__all__ = ["notebook_paths", "execute_notebook", "build"]

PROJECT = Path(__file__).resolve().parent.parent


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The notebooks of ``folder`` (default ``notebooks/``) in reading order (by name)."""
    folder = PROJECT / "notebooks" if folder is None else folder
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


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


def _title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build(out: Path, in_place: bool = False, only: str | None = None) -> list[Path]:
    """Execute every notebook and write ``out/notebooks/*.ipynb`` and ``*.html``.

    Parameters
    ----------
    out : Path
        Build folder; ``out/index.html`` lists the notebooks in reading order.
    in_place : bool
        Also save the executed notebooks over the sources in ``notebooks/``.
    only : str, optional
        Run only the notebooks whose file name contains this text.

    Returns
    -------
    list of Path
        The HTML pages written.
    """
    target = out / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    pages, entries = [], []
    for path in notebook_paths():
        if only and only not in path.name:
            continue
        print(f"executing {path.name} ...", flush=True)
        notebook = execute_notebook(path)
        if in_place:
            nbformat.write(notebook, path)
        nbformat.write(notebook, target / path.name)
        body, _ = exporter.from_notebook_node(notebook)
        page = target / path.with_suffix(".html").name
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        entries.append((page.name, _title(notebook, path.stem)))
    data = PROJECT / "data"
    if data.is_dir():  # the example and reference tables, for readers of the pages
        shutil.copytree(data, out / "data", dirs_exist_ok=True)
    items = "\n".join(
        f'<li><a href="notebooks/{html.escape(name)}">{html.escape(title)}</a></li>'
        for name, title in entries
    )
    (out / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Live-stream engagement economics</title>"
        "<h1>Live-stream engagement economics</h1><p>The notebooks, in reading order:</p>"
        f"<ol>{items}</ol>\n",
        encoding="utf-8",
    )
    print(f"wrote {len(pages)} notebook page(s) and {out / 'index.html'}")
    return pages
