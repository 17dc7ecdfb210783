"""What a recording does to the tests: recorded worlds beside their simulated worlds."""

from __future__ import annotations

import math

import polars as pl
import pytest

from toolkit.claims import diagnosis, diagnosis_runs, measurement


def _runs(world: str, verdicts: list[str], estimates: list[float]) -> pl.DataFrame:
    n = len(verdicts)
    return pl.DataFrame({
        "claim": ["C16"] * n, "world": [world] * n, "size": [100] * n,
        "replicate": list(range(n)), "estimate": estimates,
        "low": [e - 0.1 for e in estimates], "high": [e + 0.1 for e in estimates],
        "p_value": [0.5] * n, "verdict": verdicts, "truth": [math.nan] * n,
    }, schema=diagnosis_runs.ROW_SCHEMA)


@pytest.fixture
def runs() -> pl.DataFrame:
    plain = _runs("no_strong_moments", ["not supported"] * 95 + ["supported"] * 5,
                  [0.0] * 100)
    recorded = _runs("no_strong_moments@recorded",
                     ["not supported"] * 80 + ["supported"] * 20, [0.5] * 100)
    holds = _runs("baseline", ["supported"] * 100, [1.0] * 100)
    return pl.concat([plain, recorded, holds])


def test_each_recorded_world_sits_beside_its_simulated_world(runs: pl.DataFrame) -> None:
    rows = measurement.through_recording(diagnosis.summarise(runs))
    assert rows["measured"].to_list() == ["simulated events", "recording"]
    assert set(rows["world"]) == {"no_strong_moments"}
    assert rows["effect"].to_list() == pytest.approx([5.0, 20.0])
    assert (rows["low"] < rows["effect"]).all() and (rows["effect"] < rows["high"]).all()
    assert rows["error"].to_list() == ["false 'supported'"] * 2
    assert rows["mean_estimate"].to_list() == pytest.approx([0.0, 0.5])


def test_paired_datasets_show_how_often_recording_changed_the_verdict(
        runs: pl.DataFrame) -> None:
    changed = measurement.verdicts_changed(runs).row(0, named=True)
    assert changed["world"] == "no_strong_moments" and changed["datasets"] == 100
    # replicates 80-94 turn "supported" on the recording; 95-99 are "supported" in both
    assert changed["changed"] == pytest.approx(0.15)
    assert changed["became_supported"] == pytest.approx(0.15)
    assert changed["estimate_shift"] == pytest.approx(0.5)


def test_a_table_without_recorded_worlds_gives_no_rows(runs: pl.DataFrame) -> None:
    table = diagnosis.summarise(runs.filter(~pl.col("world").str.ends_with("@recorded")))
    assert measurement.through_recording(table).is_empty()
