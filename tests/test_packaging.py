"""The package a researcher installs and cites: its name, licences, citation, dependency floors,
the runtime lock, and the tables a wheel carries. Fast checks only (no network, no venv); the
slow ones are .ci/wheel-check and .ci/lowest-versions."""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

import toolkit
from toolkit import _paths
from toolkit.claims import diagnosis
from toolkit.money import reference

PROJECT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((PROJECT / "pyproject.toml").read_text())
LOADERS = (reference.coin_packages, reference.gift_catalogue, reference.platform_rates,
           reference.creator_rewards)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _floors() -> dict[str, tuple[int, ...]]:
    """Runtime dependency -> the version after its ``>=``."""
    floors = {}
    for requirement in PYPROJECT["project"]["dependencies"]:
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*>=\s*([0-9.]+)", requirement)
        assert match, f"{requirement!r} has no floor"
        floors[match.group(1).lower()] = _version(match.group(2))
    return floors


def _pins(path: Path) -> dict[str, set[tuple[str, str]]]:
    """Package -> {(version, environment marker)} of a lock file written by uv."""
    pins: dict[str, set[tuple[str, str]]] = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)\s*(?:;\s*(.*))?$", line)
        if match:
            pins.setdefault(match.group(1).lower(), set()).add(
                (match.group(2), match.group(3) or ""))
    return pins


def test_the_distribution_has_a_name_of_its_own() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "live-engagement-toolkit"  # "toolkit" is taken on the index
    assert project["scripts"]["toolkit"] == "toolkit.__main__:run"  # the command keeps its name
    assert "live-engagement-toolkit[notebooks,record,cluster]" in project["optional-dependencies"]["dev"]
    assert not any(r.startswith("toolkit[") for extra in project["optional-dependencies"].values()
                   for r in extra)


def test_licences_and_citation() -> None:
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE", "data/LICENSE.md"]
    licence = (PROJECT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2026 The live-engagement-toolkit authors" in licence
    data = (PROJECT / "data" / "LICENSE.md").read_text()
    assert "CC BY 4.0" in data and "CC0 1.0" in data
    citation = (PROJECT / "CITATION.cff").read_text()
    fields = dict(re.findall(r"^([a-z-]+): *\"?([^\"\n]*)\"?$", citation, flags=re.MULTILINE))
    assert fields["cff-version"] == "1.2.0"
    assert fields["version"] == project["version"] == toolkit.__version__
    assert fields["license"] == "MIT"
    assert fields["date-released"] == "2026-12-01"
    assert '- name: "The live-engagement-toolkit authors"' in citation
    assert "abstract:" in citation


def test_the_floors_are_the_versions_the_code_needs() -> None:
    floors = _floors()
    assert set(floors) == {"polars", "numpy", "scipy", "altair", "numba"}
    assert floors["numba"] >= (0, 68)    # the bundled datasets reproduce (its Generator draws)
    assert floors["scipy"] >= (1, 15)    # stats.bootstrap(..., rng=...)
    assert floors["altair"] >= (5, 5)    # alt.theme.register
    assert floors["polars"] >= (1, 36)   # a window inside a window (recordings.counting)
    assert floors["numpy"] >= (2, 0)
    altair = next(r for r in PYPROJECT["project"]["dependencies"] if r.startswith("altair"))
    assert "<6" in altair  # Vega-Lite 5, which JupyterLab draws offline


def test_the_runtime_lock_is_the_full_lock_without_the_test_tools() -> None:
    full = _pins(PROJECT / "requirements.lock")
    run = _pins(PROJECT / "requirements-run.lock")
    for left_out in ("pytest", "hypothesis", "nbval", "playwright", "statsmodels", "tiktoklive",
                     "tiktokliveproto"):
        assert left_out in full and left_out not in run, left_out
    for needed in ("polars", "numpy", "scipy", "altair", "jupyterlab", "ipykernel", "nbclient",
                   "nbconvert", "vl-convert-python", "mistune"):
        assert needed in run, needed
    assert set(run) <= set(full)
    assert {name: run[name] for name in run} == {name: full[name] for name in run}


@pytest.fixture
def wheel_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The package as a wheel installs it: no checkout around it, the tables in _data/."""
    site = tmp_path / "site-packages"   # no pyproject.toml, no data/ beside the package
    packaged = site / "toolkit" / "_data"
    for folder in ("reference", "calibration"):
        shutil.copytree(PROJECT / "data" / folder, packaged / folder,
                        ignore=shutil.ignore_patterns("runs"))
    monkeypatch.delenv("TOOLKIT_DATA", raising=False)
    monkeypatch.setattr(_paths, "PROJECT", site)
    monkeypatch.setattr(_paths, "PACKAGED", packaged)
    for loader in LOADERS:
        loader.cache_clear()
    yield packaged
    for loader in LOADERS:
        loader.cache_clear()


def test_a_wheel_reads_the_tables_it_carries(wheel_layout: Path) -> None:
    assert _paths.reference_dir() == wheel_layout / "reference"
    assert _paths.calibration_dir() == wheel_layout / "calibration"
    assert reference.coin_packages().height > 0 and reference.gift_catalogue().height > 0
    assert diagnosis.stored_diagnosis().height > 0  # the verdicts read the tests' diagnosis
    # The bundled datasets are not in a wheel: the error says where to get them.
    with pytest.raises(FileNotFoundError, match=r"checkout.*TOOLKIT_DATA"):
        _paths.data_dir()


def test_toolkit_data_wins_over_the_packaged_tables(wheel_layout: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "usb" / "data"
    shutil.copytree(PROJECT / "data" / "reference", elsewhere / "reference")
    monkeypatch.setenv("TOOLKIT_DATA", str(elsewhere))
    assert _paths.reference_dir() == elsewhere / "reference"
    assert _paths.data_dir() == elsewhere


def test_no_tables_anywhere_is_explained(wheel_layout: Path) -> None:
    shutil.rmtree(wheel_layout)
    with pytest.raises(FileNotFoundError, match=r"reference tables not found.*TOOLKIT_DATA"):
        _paths.reference_dir()


def test_a_checkout_reads_its_own_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOLKIT_DATA", raising=False)
    assert _paths.data_dir() == PROJECT / "data"
    assert _paths.reference_dir() == PROJECT / "data" / "reference"
    assert _paths.calibration_dir() == PROJECT / "data" / "calibration"


def test_ci_runs_the_packaging_checks() -> None:
    run = (PROJECT / ".ci" / "run").read_text()
    commands = [line for line in run.splitlines() if line and not line.startswith(("#", " "))]
    assert commands[-1] == "make test", "CI ends with the README's test command"
    assert run.index(".ci/wheel-check") < run.index(".ci/lowest-versions") < run.index("\nmake test")
    for script in ("wheel-check", "lowest-versions"):
        assert "\nset -euo pipefail\n" in (PROJECT / ".ci" / script).read_text(), script


def test_the_build_packages_what_the_lookup_falls_back_to() -> None:
    tree = ast.parse((PROJECT / "setup.py").read_text())
    packaged = next(ast.literal_eval(node.value) for node in tree.body
                    if isinstance(node, ast.Assign)
                    and any(getattr(t, "id", None) == "PACKAGED" for t in node.targets))
    assert packaged == {"data/reference": ("*.csv", "README.md"), "data/calibration": ("*.csv", "*.json")}
    assert _paths.PACKAGED == Path(_paths.__file__).resolve().parent / "_data"
