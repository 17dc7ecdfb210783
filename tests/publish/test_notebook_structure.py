"""Every notebook follows the house skeleton (see shared style): question, charts that say what
to see, key ideas, exercises with tagged solutions, stored outputs, no models inside."""

from __future__ import annotations

import re

import nbformat
import pytest

from toolkit._paths import notebook_paths

NOTEBOOKS = notebook_paths()
VEGALITE = "application/vnd.vegalite.v5+json"


def test_the_notebooks_are_there_in_order() -> None:
    names = [p.name for p in NOTEBOOKS]
    assert names[:3] == ["00-start-here.ipynb", "01-two-like-counts.ipynb",
                         "02-follow-the-money.ipynb"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request: pytest.FixtureRequest) -> nbformat.NotebookNode:
    return nbformat.read(request.param, as_version=4)


def _is_solution(cell: nbformat.NotebookNode) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def test_opens_with_a_numbered_title_and_a_question(notebook) -> None:
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    assert re.match(r"# \d\d · ", first.source)
    assert "question" in first.source.lower()


def test_ends_with_key_ideas_and_exercises(notebook) -> None:
    text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## Key ideas" in text and "## Exercises" in text
    assert text.index("## Key ideas") < text.index("## Exercises")


def test_solutions_are_tagged_and_come_last(notebook) -> None:
    solutions = [i for i, c in enumerate(notebook.cells) if _is_solution(c)]
    assert solutions, "every notebook has exercises with solutions"
    assert solutions == list(range(solutions[0], len(notebook.cells)))
    for i in solutions:
        assert notebook.cells[i].source.startswith("# Solution")


def test_outputs_are_stored_and_in_order(notebook) -> None:
    code = [c for c in notebook.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "run top to bottom in a fresh kernel"
    for cell in code:
        assert not any(o.output_type == "error" for o in cell.outputs)


def test_every_chart_has_a_title_a_picture_and_a_reading(notebook) -> None:
    cells = notebook.cells
    for i, cell in enumerate(cells):
        charts = [o for o in cell.get("outputs", []) if VEGALITE in o.get("data", {})]
        for output in charts:
            spec = output["data"][VEGALITE]
            assert spec.get("title"), f"cell {i}: chart without a title"
            assert "image/png" in output["data"], f"cell {i}: no static picture"
        if charts and not _is_solution(cell):
            following = cells[i + 1]
            assert following.cell_type == "markdown" and "What to see" in following.source, (
                f"cell {i}: a chart must be followed by a sentence on what to see in it"
            )


def test_no_models_or_downloads_inside(notebook) -> None:
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert len(re.findall(r"^\s*(def|class) ", code, re.M)) == 0
    assert "pip install" not in code and "http://" not in code and "https://" not in code
    # randomness only through a seeded Generator made in the notebook, never the global state
    assert not re.search(r"np\.random\.(seed|rand|randn|randint|choice|normal)\(", code)
