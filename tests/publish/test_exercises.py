"""Exercise checks accept the right answer and explain a wrong one without giving it away."""

from __future__ import annotations

import polars as pl
import pytest

from toolkit import simulation
from toolkit.publish import exercises


@pytest.mark.parametrize(
    ("function", "right", "wrong", "hint"),
    [
        (exercises.exercise_0_1, ("u03", 95), ("u03", 3), "add up the `count` column"),
        (exercises.exercise_0_2, (9, 5), (12, 7), "counts comments, not viewers"),
        (exercises.exercise_1_1, 3, 30, "platform's rule"),
        (exercises.exercise_1_3, 0.97, 0.53, "divide live_hearts by 100"),
        (exercises.exercise_2_1, 0.473, 0.354, "in-app share"),
        (exercises.exercise_2_2, (2_000, 20_000), (10, 100), "minimum in Diamonds"),
        (exercises.exercise_2_3, 0.007071, 99.99 / 2 / 7_000, "cheapest way to buy"),
    ],
)
def test_checks(function, right, wrong, hint, capsys: pytest.CaptureFixture[str]) -> None:
    assert function(right) is True
    assert capsys.readouterr().out.startswith("Right")
    assert function(wrong) is False
    message = capsys.readouterr().out
    assert hint in message
    for value in (right if isinstance(right, tuple) else (right,)):
        assert str(value) not in message.replace(",", "")  # the hint never gives the answer


def test_streak_share_check(capsys: pytest.CaptureFixture[str]) -> None:
    gifts = simulation.bundled().events.filter(pl.col("kind") == "gift").collect()
    share = (gifts["count"] > 1).mean()
    assert exercises.exercise_3_3(round(share, 3)) and exercises.exercise_3_3(100 * share)
    assert not exercises.exercise_3_3(0.5)
    assert "count > 1" in capsys.readouterr().out


def test_a_malformed_answer_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert exercises.exercise_0_1("u03") is False
    assert "as a pair" in capsys.readouterr().out
