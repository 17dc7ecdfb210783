"""Commands killed at random points leave the previous output intact, never a mix (issue 18).

Each command is run in a process killed (SIGKILL: no clean-up runs) after a delay drawn from
a seeded generator, spread over the run's own length. Afterwards the folder must read as the
previous output or as the new one, or be refused as interrupted (only possible in the few
renames at the very end); it must never read as something else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from toolkit import recordings
from toolkit.events.dataset import Dataset

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")


def run(arguments: list[str], kill_after: float | None = None) -> float:
    """Run ``toolkit ARGUMENTS``; kill it after ``kill_after`` s; the seconds it ran."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "toolkit", *arguments],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        assert process.wait(timeout=300) == 0
    else:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    return time.perf_counter() - started


def state(folder: Path) -> pl.DataFrame | str:
    """The events the folder reads as, or the reader's refusal."""
    try:
        return Dataset.from_folder(folder).table("events")
    except (ValueError, FileNotFoundError) as error:
        return str(error)


def check_kills(folder: Path, first: list[str], second: list[str], seed: int) -> None:
    run(first)
    old = state(folder)
    assert isinstance(old, pl.DataFrame)
    scratch = folder.parent / "whole"
    length = run([*second[:-1], str(scratch)])  # the same run, uninterrupted, elsewhere
    new = state(scratch)
    assert isinstance(new, pl.DataFrame) and not new.equals(old)
    rng = np.random.default_rng(seed)
    refused = 0
    for delay in sorted(rng.uniform(0.3, 1.0, 3) * length):
        run(second, kill_after=float(delay))
        now = state(folder)
        if isinstance(now, str):  # killed in the renames at the very end (milliseconds)
            assert "interrupted" in now, now
            refused += 1
        else:
            assert now.equals(old) or now.equals(new), f"a mix after {delay:.2f} s"
        run(first)  # back to the previous output for the next kill
        assert state(folder).equals(old)
    assert refused <= 1  # a kill while the command works leaves the previous output readable


def test_ingest_killed_at_random_points(tmp_path: Path) -> None:
    files = [str(p) for p in recordings.bundled_files() if p.name.startswith("live-")]
    out = tmp_path / "out"
    salt = ["--salt-file", str(tmp_path / "salt")]
    check_kills(out, ["ingest", files[0], *salt, "--out", str(out)],
                ["ingest", *files, *salt, "--out", str(out)], seed=18)


def test_simulate_killed_at_random_points(tmp_path: Path) -> None:
    out = tmp_path / "out"
    check_kills(out, ["simulate", "--sessions", "5", "--seed", "1", "--out", str(out)],
                ["simulate", "--sessions", "400", "--seed", "2", "--out", str(out)], seed=18)
