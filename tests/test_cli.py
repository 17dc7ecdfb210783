"""The ``toolkit`` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from toolkit.cli import main

PROJECT = Path(__file__).resolve().parent.parent


def test_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "100"]) == 0
    assert "buy 2 x 70 coins = 140 coins for $1.98 (40 left over)" in capsys.readouterr().out


def test_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flow", "1000", "--rates", "two_coins_per_diamond"]) == 0
    out = capsys.readouterr().out
    assert "525 Diamonds" in out and "$       2.625" in out


def test_gifts_search(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gifts", "--search", "lion"]) == 0
    out = capsys.readouterr().out
    assert "29999" in out and "Leon and Lion" in out


def test_validate_counts_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["validate", str(PROJECT / "data/example/session.csv")]) == 0
    assert "rows read 70 = loaded 70 + rejected 0" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("session_id,ts,kind,user_id,count,gift_id,coins\n"
                   "s,2026-01-01T00:00:00Z,heart,u,-2,,0\n")
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", str(bad), "--rejected", str(rejected)]) == 1
    assert "rows read 1 = loaded 0 + rejected 1" in capsys.readouterr().out
    assert "must be at least 1" in rejected.read_text()


def test_bad_input_is_an_error_message_not_a_traceback(capsys) -> None:
    assert main(["cost", "-5"]) == 2
    assert "toolkit cost: error: coins must not be negative" in capsys.readouterr().err


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "toolkit", "cost", "70"],
                          capture_output=True, text=True, check=True)
    assert "$0.99" in done.stdout


def test_simulate_writes_the_tables(tmp_path: Path, capsys) -> None:
    assert main(["simulate", "--world", "passive_hearts", "--sessions", "20", "--seed", "3",
                 "--out", str(tmp_path)]) == 0
    assert "world 'passive_hearts'" in capsys.readouterr().out
    for name in ("events", "platform", "sessions", "viewers"):
        assert (tmp_path / f"{name}.parquet").is_file()
    assert '"heart_weight": 0.0' in (tmp_path / "world.json").read_text()


def test_simulate_creators_over_days(tmp_path: Path) -> None:
    assert main(["simulate", "--creators", "10", "--days", "3", "--seed", "3",
                 "--out", str(tmp_path)]) == 0
    assert (tmp_path / "videos.parquet").is_file() and (tmp_path / "creators.parquet").is_file()
    recorded = json.loads((tmp_path / "world.json").read_text())
    assert (recorded["n_creators"], recorded["n_days"], recorded["seed"]) == (10, 3, 3)
    assert recorded["command"] == ("toolkit simulate --world baseline --creators 10 --days 3 --seed 3 "
                                   "--compression-level 3")


def test_simulate_refuses_an_unknown_world(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--world", "utopia", "--seed", "1", "--out", "x"])
    error = capsys.readouterr().err
    assert "argument --world: world must be one of" in error and "got 'utopia'" in error


def test_simulate_refuses_a_compression_level_zstd_has_not(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["simulate", "--compression-level", "23", "--seed", "1", "--out", "x"])
    assert "a zstd level is a whole number from 1 to 22, not '23'" in capsys.readouterr().err


def test_simulate_partitioned_then_summary(tmp_path: Path, capsys) -> None:
    assert main(["simulate", "--sessions", "30", "--seed", "3", "--partitioned", "--workers",
                 "1", "--out", str(tmp_path / "sim")]) == 0
    assert "(partitioned)" in capsys.readouterr().out
    assert (tmp_path / "sim" / "events" / "batch=00000" / "part.parquet").is_file()
    assert main(["summary", "--data", str(tmp_path / "sim"), "--out",
                 str(tmp_path / "summary.parquet")]) == 0
    assert pl.read_parquet(tmp_path / "summary.parquet").height == 30
    assert main(["summary", "--data", str(tmp_path / "sim"), "--out",
                 str(tmp_path / "summary.csv")]) == 2
    assert "give a .parquet file name" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    assert main(["simulate", "--sessions", "5", "--seed", "3", "--partitioned",
                 "--out", str(tmp_path / "mine")]) == 2
    assert "not a partitioned simulation" in capsys.readouterr().err


def test_summary_never_writes_into_the_dataset(tmp_path: Path, capsys) -> None:
    assert main(["simulate", "--sessions", "5", "--seed", "3", "--partitioned",
                 "--out", str(tmp_path / "sim")]) == 0
    part = tmp_path / "sim" / "events" / "batch=00000" / "part.parquet"
    before = part.read_bytes()
    assert main(["summary", "--data", str(tmp_path / "sim"), "--out", str(part)]) == 2
    assert "inside the dataset folder" in capsys.readouterr().err
    assert part.read_bytes() == before
    (tmp_path / "folder.parquet").mkdir()
    assert main(["summary", "--data", str(tmp_path / "sim"), "--out",
                 str(tmp_path / "folder.parquet")]) == 2
    assert "is a folder" in capsys.readouterr().err
