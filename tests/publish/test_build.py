"""The notebook build: notebooks run in separate kernels, outputs written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from toolkit.publish import build as build_module


def _notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)
    return path


def test_a_notebook_is_executed_and_written_to_every_target(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "good.ipynb", "print(6 * 7)")
    targets = [tmp_path / "a.ipynb", tmp_path / "b.ipynb"]
    seconds = build_module._execute_to(source, targets)
    assert seconds > 0
    for target in targets:
        outputs = nbformat.read(target, as_version=4).cells[0].outputs
        assert outputs[0]["text"] == "42\n"
    assert not list(tmp_path.glob(".*.partial"))


def test_a_failing_notebook_is_named_and_leaves_the_previous_output_whole(tmp_path: Path) -> None:
    source = _notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('boom')")
    previous = tmp_path / "out.ipynb"
    previous.write_text("the previous build's notebook")
    with pytest.raises(RuntimeError, match=r"(?s)bad\.ipynb: .*boom"):
        build_module._execute_to(source, [previous])
    assert previous.read_text() == "the previous build's notebook"


def test_timings_that_cannot_be_read_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / ".timings.json"
    assert build_module._read_timings(path) == {}
    path.write_text("[1, 2")
    assert build_module._read_timings(path) == {}
    path.write_text('{"08-bought-hearts.ipynb": 62.5}')
    assert build_module._read_timings(path) == {"08-bought-hearts.ipynb": 62.5}
