"""Where the project's files live: the data folder, the notebooks, the project root.

:func:`data_dir` is the ``data/`` folder (reference tables, bundled datasets, calibration
tables); the environment variable ``TOOLKIT_DATA`` points it elsewhere (a USB stick in a
classroom). :data:`PROJECT` is the checkout the package sits in, and :func:`notebook_paths`
lists its notebooks in reading order.

An installed wheel (``pip install live-engagement-toolkit``, outside a checkout) has no
``data/`` folder. It carries two of its parts, copied in by ``setup.py`` as
``toolkit/_data/reference`` and ``toolkit/_data/calibration`` (:data:`PACKAGED`), so that
``toolkit cost`` and ``toolkit claims --data FOLDER`` work: :func:`reference_dir` and
:func:`calibration_dir` fall back to them. The example LIVE, the simulated datasets and the
synthetic recordings (about 15 MB) are not in the wheel; :func:`data_dir`, which they use,
needs a checkout or ``TOOLKIT_DATA``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

#: The tables a wheel carries (``reference/``, ``calibration/``); absent in a checkout.
PACKAGED = Path(__file__).resolve().parent / "_data"


def _checkout_data() -> Path | None:
    """``<checkout>/data`` when the package sits in a checkout of the project, else None."""
    path = PROJECT / "data"
    return path if (PROJECT / "pyproject.toml").is_file() and path.is_dir() else None


def data_dir() -> Path:
    """Return the project's ``data/`` folder.

    The folder sits next to the installed ``toolkit`` package (the project is installed in
    editable mode by ``make``). Set the environment variable ``TOOLKIT_DATA`` to use another
    copy, for example a USB stick in a classroom. An installed wheel has no such folder: use
    :func:`reference_dir` and :func:`calibration_dir` for the tables it carries.
    """
    override = os.environ.get("TOOLKIT_DATA")
    if override:
        path = Path(override)
        if not path.is_dir():
            raise FileNotFoundError(
                f"data folder not found at {path} (TOOLKIT_DATA); set TOOLKIT_DATA to the "
                "folder that holds reference/, or unset it to use the project's data/"
            )
        return path
    checkout = _checkout_data()
    if checkout is None:
        raise FileNotFoundError(
            f"data folder not found at {PROJECT / 'data'}; an installed wheel carries only the "
            "reference and calibration tables, and the example LIVE, the simulated datasets and "
            "the recordings come with a checkout of the project: clone it and install it with "
            "`make setup` (editable install), or set TOOLKIT_DATA to a copy of its data/ folder"
        )
    return checkout


def _tables(name: str) -> Path:
    """``data/<name>`` of :func:`data_dir` when there is one, else the wheel's copy."""
    if os.environ.get("TOOLKIT_DATA") or _checkout_data() is not None:
        return data_dir() / name
    path = PACKAGED / name
    if not path.is_dir():
        raise FileNotFoundError(
            f"{name} tables not found: no data folder at {PROJECT / 'data'} and none packaged "
            f"at {path}; install the project with `make setup` (editable install) or from its "
            f"wheel, or set TOOLKIT_DATA to the folder that holds {name}/"
        )
    return path


def reference_dir() -> Path:
    """The reference tables (``data/reference``, or the copy in an installed wheel)."""
    return _tables("reference")


def calibration_dir() -> Path:
    """The stored calibration tables (``data/calibration``, or the copy in a wheel)."""
    return _tables("calibration")


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The notebooks of ``folder`` (default ``notebooks/``) in reading order (by name)."""
    folder = PROJECT / "notebooks" if folder is None else folder
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


