"""The layers hold: every import in the package (top level and inside functions) goes to
the importing module's own layer or below, peers of a layer stay independent, the claim
tests never drive the simulator, no two modules import each other in a cycle, and
docs/architecture.md draws the same table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from toolkit._layers import LAYERS, SIMULATION_DRIVERS, layer_of, layers_markdown

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts) \
        if parts[-1] != "__init__" else ".".join(parts[:-1]) + ".__init__"


def _imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, imported toolkit module, at top level) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "toolkit":
                for alias in node.names:
                    target = f"toolkit.{alias.name}"
                    found.append((node.lineno, target if alias.name != "__version__"
                                  else "toolkit", id(node) in top))
            elif node.module.startswith("toolkit."):
                found.append((node.lineno, node.module, id(node) in top))
        elif isinstance(node, ast.ImportFrom) and node.level:
            pytest.fail(f"{path}:{node.lineno}: relative import; use absolute imports")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("toolkit"):
                    found.append((node.lineno, alias.name, id(node) in top))
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer() -> None:
    for path in MODULES:
        layer_of(_module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers(path: Path) -> None:
    me = _module_name(path)
    mine = layer_of(me)
    for line, target, _ in _imports(path):
        theirs = layer_of(target)
        assert theirs >= mine, (f"{path.relative_to(PACKAGE.parent)}:{line}: {me} (layer "
                                f"{'|'.join(LAYERS[mine])}) imports {target}, a layer above")
        if theirs == mine:
            own = me.split(".")[1] if "." in me else me
            other = target.split(".")[1] if target.count(".") else target
            assert own == other or len(LAYERS[mine]) == 1 or own.startswith("_") \
                or other.startswith("_") or own == "__init__", (
                f"{path.relative_to(PACKAGE.parent)}:{line}: {me} imports {target}: "
                f"{own} and {other} share a layer and must stay independent")


def test_claim_tests_never_drive_the_simulator() -> None:
    for path in sorted((PACKAGE / "claims").glob("*.py")):
        me = _module_name(path).removeprefix("toolkit.")
        if me in SIMULATION_DRIVERS:
            continue
        for line, target, _ in _imports(path):
            assert not target.startswith("toolkit.simulation"), (
                f"{path.relative_to(PACKAGE.parent)}:{line}: the claim test module {me} "
                f"imports {target}; tests read a Dataset, only the diagnosis simulates")


def test_no_import_cycles_between_modules() -> None:
    # package __init__ files only re-export their modules: leave them out of the graph
    names = {_module_name(p): p for p in MODULES if p.name != "__init__.py"}
    graph = {name: {t for _, t, top in _imports(path) if top and t in names and t != name}
             for name, path in names.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_architecture_page_draws_the_layer_table() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    assert layers_markdown() in page, "docs/architecture.md: paste toolkit._layers.layers_markdown()"


def test_the_layer_checker_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from toolkit.simulation import simulate\n")
    ((_, target, top),) = _imports(bad)
    assert target == "toolkit.simulation" and not top
    assert layer_of(target) < layer_of("toolkit.analytics.summary")


def test_the_architecture_page_names_every_module() -> None:
    page = (PACKAGE.parent / "docs" / "architecture.md").read_text()
    for path in MODULES:
        if path.name != "__init__.py":
            assert f"`{path.name}`" in page or f"`{path.name}`," in page, \
                f"docs/architecture.md does not describe {path.relative_to(PACKAGE.parent)}"


def test_paths_named_in_docstrings_exist() -> None:
    import re

    mention = re.compile(r"(?<![\w/.])((?:docs|data|notebooks|benchmarks|tests)/[\w./-]+"
                         r"\.(?:md|csv|json|ipynb|py|parquet|txt))")
    for path in MODULES:
        text = path.read_text()
        assert "../shared" not in text, f"{path}: a path outside the repository"
        for found in mention.findall(text):
            assert (PACKAGE.parent / found).exists(), f"{path}: names {found}, which does not exist"


def test_paths_named_in_the_docs_exist() -> None:
    import re

    root = PACKAGE.parent
    mention = re.compile(r"(?<![\w/.])((?:toolkit|docs|data|notebooks|benchmarks|tests)/[\w./-]+"
                         r"\.(?:md|csv|json|ipynb|py|parquet|txt))")
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md")),
             *sorted((root / "data").rglob("*.md"))]
    for page in pages:
        for found in mention.findall(page.read_text()):
            assert (root / found).exists(), f"{page.relative_to(root)} names {found}: no such file"
