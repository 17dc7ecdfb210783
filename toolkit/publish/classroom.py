"""Student copies of the notebooks: solutions blanked, outputs cleared, derived by a script.

The notebooks in ``notebooks/`` are the one source of the exercises and their solutions
(cells tagged ``solution`` whose first line is ``# Solution K``). :func:`student_copies`
writes the copies handed to students (``classroom/notebooks/``): every output cleared, every
solution cell replaced by an empty answer cell that names the check function for that
exercise, if there is one. A test fails when the committed copies are stale; refresh them
with ``toolkit classroom`` (or ``make classroom``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from toolkit._paths import notebook_paths
from toolkit.publish import exercises

__all__ = ["student_notebook", "student_copies"]

_SOLUTION = re.compile(r"#\s*Solution\s+(\d+)")


def student_notebook(notebook: nbformat.NotebookNode, number: int) -> nbformat.NotebookNode:
    """The student copy of notebook ``number`` (its ``NN`` prefix), as a new notebook."""
    copy = nbformat.from_dict(notebook)
    copy.metadata.pop("widgets", None)
    for cell in copy.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
        if "solution" in cell.metadata.get("tags", []):
            found = _SOLUTION.match(cell.source)
            exercise = found.group(1) if found else "?"
            lines = [f"# Exercise {exercise}: your answer here"]
            name = f"exercise_{number}_{exercise}"
            if hasattr(exercises, name):
                lines.append(f"# check it: from toolkit.publish import exercises; exercises.{name}(answer)")
            cell.source = "\n".join(lines) + "\n"
            cell.metadata["tags"] = ["exercise"]
    return copy


def student_copies(source: Path, out: Path) -> list[Path]:
    """Write the student copy of every ``NN-*.ipynb`` of ``source`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebook_paths(source):
        notebook = nbformat.read(path, as_version=4)
        target = out / path.name
        nbformat.write(student_notebook(notebook, int(path.name[:2])), target)
        written.append(target)
    return written
