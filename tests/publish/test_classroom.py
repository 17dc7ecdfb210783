"""Student copies are derived from the notebooks, up to date, and hold no solutions."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from toolkit.publish import exercises
from toolkit.publish.classroom import student_copies

PROJECT = Path(__file__).resolve().parents[2]
COPIES = PROJECT / "classroom" / "notebooks"


def test_committed_student_copies_are_up_to_date(tmp_path: Path) -> None:
    fresh = student_copies(PROJECT / "notebooks", tmp_path)
    assert [p.name for p in fresh] == sorted(p.name for p in COPIES.glob("*.ipynb"))
    for path in fresh:
        assert nbformat.read(path, 4) == nbformat.read(COPIES / path.name, 4), (
            f"{path.name} is stale: run `make classroom`")


@pytest.mark.parametrize("path", sorted(COPIES.glob("*.ipynb")), ids=lambda p: p.stem)
def test_student_copies_have_no_outputs_and_no_solutions(path: Path) -> None:
    teacher = nbformat.read(PROJECT / "notebooks" / path.name, 4)
    student = nbformat.read(path, 4)
    assert len(student.cells) == len(teacher.cells)
    solutions = 0
    for mine, theirs in zip(student.cells, teacher.cells, strict=True):
        if mine.cell_type == "code":
            assert mine.outputs == [] and mine.execution_count is None
        if "solution" in theirs.metadata.get("tags", []):
            solutions += 1
            assert "Solution" not in mine.source and mine.source.startswith("# Exercise")
            assert mine.metadata["tags"] == ["exercise"]
            for name in (w for w in mine.source.split() if w.startswith("exercises.exercise")):
                assert hasattr(exercises, name.split("(")[0].removeprefix("exercises."))
        else:
            assert mine.source == theirs.source
    assert solutions >= 3
