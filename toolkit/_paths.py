"""_paths: split from toolkit.money.reference (docstring to be written)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Return the project's ``data/`` folder.

    The folder sits next to the installed ``toolkit`` package (the project is installed in
    editable mode by ``make``). Set the environment variable ``TOOLKIT_DATA`` to use another
    copy, for example a USB stick in a classroom.
    """
    override = os.environ.get("TOOLKIT_DATA")
    path = Path(override) if override else Path(__file__).resolve().parent.parent / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"data folder not found at {path}; install the project with `make setup` "
            "(editable install) or set TOOLKIT_DATA to the folder that holds reference/"
        )
    return path


PROJECT = Path(__file__).resolve().parent.parent


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The notebooks of ``folder`` (default ``notebooks/``) in reading order (by name)."""
    folder = PROJECT / "notebooks" if folder is None else folder
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


