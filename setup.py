"""One build step that pyproject.toml cannot say: the wheel carries two folders of ``data/``.

The repository keeps one copy of its data, under ``data/``. An installed wheel has no such
folder, yet ``toolkit cost`` needs the reference tables and ``toolkit claims --data FOLDER``
the stored diagnosis. So the build copies ``data/reference/*.csv`` (with its README, which
names the source of every value) and the tables of ``data/calibration`` (not its ``runs/``,
the per-dataset results behind them) into the wheel as
``toolkit/_data/reference`` and ``toolkit/_data/calibration``, where ``toolkit._paths`` looks
when the package sits in no checkout. The simulated datasets, the example LIVE and the
synthetic recordings (about 15 MB) stay out. An editable install (``make setup``) copies
nothing: it reads ``data/`` in place. The sdist carries the same files under ``data/``, so a
wheel built from it is the same.

Why not plain configuration: package data must sit inside a package folder, and a symlink
``toolkit/_data -> ../data`` breaks on Windows and in sdists; mapping ``toolkit._data`` to
``data/`` with ``package-dir`` would need a hand-kept list of every subpackage and would
change how the editable install finds the package. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent

#: Folder of the checkout -> the files of it that the wheel carries, under toolkit/_data/.
PACKAGED = {
    "data/reference": ("*.csv", "README.md"),
    "data/calibration": ("*.csv", "*.json"),
}


def _data_files() -> list[Path]:
    """The packaged files, relative to the project root; refuse to build without them."""
    files = []
    for folder, patterns in PACKAGED.items():
        found = sorted({p for pattern in patterns for p in (HERE / folder).glob(pattern)
                        if p.is_file()})
        if not found:
            raise FileNotFoundError(f"{HERE / folder}: no files to package; the wheel needs "
                                    f"them (build from a checkout or from the sdist)")
        files += [p.relative_to(HERE) for p in found]
    return files


def _in_package(build_lib: str, source: Path) -> Path:
    """``data/reference/x.csv`` -> ``<build_lib>/toolkit/_data/reference/x.csv``."""
    return Path(build_lib, "toolkit", "_data", *source.parts[1:])


class BuildPyWithData(build_py):
    """build_py, then copy the packaged data into the build as toolkit/_data/."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        # Start afresh, so a file removed from data/ does not linger in a reused build/.
        shutil.rmtree(Path(self.build_lib, "toolkit", "_data"), ignore_errors=True)
        for source in _data_files():
            target = _in_package(self.build_lib, source)
            self.mkpath(str(target.parent))
            self.copy_file(str(HERE / source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(_in_package(self.build_lib, s)) for s in _data_files()]
        return outputs


class SdistWithData(sdist):
    """sdist, plus the packaged data under data/ (a wheel built from the sdist needs it)."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        for source in _data_files():
            target = Path(base_dir, source)
            self.mkpath(str(target.parent))
            self.copy_file(str(HERE / source), str(target))


setup(cmdclass={"build_py": BuildPyWithData, "sdist": SdistWithData})
