"""The explainer site: the executed notebooks and the docs as static pages that work offline.

``make run`` calls :func:`build_site` after executing the notebooks. The site is plain files:
open ``build/site/index.html`` from a disk or a USB stick, or serve the folder. Nothing is
fetched from the internet: the Vega, Vega-Lite and Vega-Embed libraries that draw the charts
come from ``vl-convert`` (installed with the toolkit) and are written into ``_static/``. Each
chart is stored twice in its page: as the static picture from the notebook, shown at once,
and as the interactive spec, which replaces the picture when the browser runs JavaScript.

The build is strict: a link or an image that points to a missing file, a page that loads
anything from another host, or a notebook without a title stops it with a list of every
problem.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import mistune
import nbformat
from nbconvert import HTMLExporter

from toolkit._paths import PROJECT, notebook_paths
from toolkit.publish.charts import VEGALITE_MIME_TYPE

__all__ = ["SiteError", "DOC_PAGES", "build_site", "check_site"]


#: The reference pages of ``docs/``, in the order of the site's menu (file stem, menu title).
DOC_PAGES: tuple[tuple[str, str], ...] = (
    ("claims", "The claims"),
    ("statistics", "Testing the claims"),
    ("glossary", "Glossary"),
    ("model", "Money and likes: the model"),
    ("simulator", "The LIVE simulator"),
    ("data-dictionary", "Data dictionary"),
    ("recording", "Recording a LIVE"),
    ("ingest", "Ingesting recordings"),
    ("teaching", "Teaching with the toolkit"),
    ("architecture", "Architecture"),
    ("performance", "Performance"),
)

CSS = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; color: #222;
       line-height: 1.55; }
header { background: #1f6f8b; color: white; padding: 0.6rem 1.2rem; }
header a { color: white; text-decoration: none; margin-right: 1rem; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
nav.pager { display: flex; justify-content: space-between; margin: 2rem 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.5rem; vertical-align: top; }
pre, code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.88rem; }
pre { background: #f6f6f6; padding: 0.6rem; overflow-x: auto; }
.jp-InputArea-prompt, .jp-OutputArea-prompt { display: none; }
.jp-CodeCell .jp-InputArea { border-left: 3px solid #81b29a; margin: 0.8rem 0; }
.vega-chart img { max-width: 100%; }
.vega-chart { margin: 1rem 0; }
a.anchor-link { visibility: hidden; text-decoration: none; margin-left: 0.3rem; }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link { visibility: visible; }
"""


class SiteError(RuntimeError):
    """The site could not be built cleanly; the message lists every problem."""


@dataclass(frozen=True)
class _Page:
    path: str  # relative to the site root, e.g. "notebooks/01-two-like-counts.html"
    title: str


def _layout(title: str, body: str, depth: int, menu: list[_Page], scripts: bool) -> str:
    up = "../" * depth
    links = "".join(f'<a href="{up}{p.path}">{html.escape(p.title)}</a>' for p in menu)
    script = f'<script src="{up}_static/vega-bundle.js"></script>' if scripts else ""
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{up}_static/site.css">{script}</head>\n'
        f"<body><header><a href='{up}index.html'><b>Live-stream engagement economics</b></a>"
        f"{links}</header>\n<main>\n{body}\n</main></body></html>\n"
    )


def _chart_html(spec: dict, png: str | None, number: int) -> str:
    """A chart: the static picture now, replaced by the interactive chart if JavaScript runs."""
    title = spec.get("title", "chart")
    if isinstance(title, dict):
        title = title.get("text", "chart")
    picture = (f'<img alt="{html.escape(str(title))}" src="data:image/png;base64,{png}">'
               if png else "")
    data = json.dumps(spec).replace("</", "<\\/")
    draw = (
        f"(function(){{var el=document.getElementById('chart-{number}');"
        f"var spec=JSON.parse(document.getElementById('spec-{number}').textContent);"
        "if(window.vegaEmbed){vegaEmbed(el,spec,{actions:false,renderer:'svg'})"
        ".catch(function(e){console.error(e);});}})();"
    )
    return (
        f'<div class="vega-chart" id="chart-{number}">{picture}</div>'
        f'<script type="application/json" id="spec-{number}">{data}</script>'
        f"<script>{draw}</script>"
    )


def _notebook_body(notebook: nbformat.NotebookNode) -> str:
    """The notebook as HTML, charts made interactive (the static picture stays as fallback)."""
    number = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if VEGALITE_MIME_TYPE in data:
                number += 1
                data["text/html"] = _chart_html(dict(data[VEGALITE_MIME_TYPE]),
                                                data.get("image/png"), number)
    exporter = HTMLExporter(template_name="basic", exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _title(notebook: nbformat.NotebookNode) -> str | None:
    """The first ``# `` heading of the notebook's markdown cells, if any."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


_LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)\s]+?)\.md(#[^)]*)?\)")
_NOTEBOOK_LINK = re.compile(r"`?notebooks/(\d\d-[a-z0-9-]+)(?:\.ipynb)?`?")


def _markdown(text: str, depth: int, notebooks: set[str]) -> str:
    """Render a docs page; links to other pages and mentions of notebooks become site links."""
    up = "../" * depth
    text = _LINK.sub(lambda m: f"]({up}{Path(m.group(1)).name}.html{m.group(2) or ''})", text)

    def notebook(match: re.Match[str]) -> str:
        stem = match.group(1)
        if stem not in notebooks:
            return match.group(0)
        return f"[{stem}]({up}notebooks/{stem}.html)"

    text = _NOTEBOOK_LINK.sub(notebook, text)
    render = mistune.create_markdown(plugins=["table", "strikethrough"], escape=False)
    return str(render(text))


def build_site(notebooks: Path, out: Path, docs: Path | None = None) -> list[Path]:
    """Build the site from executed notebooks (``NN-*.ipynb`` in ``notebooks``) and ``docs``.

    Returns
    -------
    list of Path
        Every page written. Raises :class:`SiteError` (after writing) if a check fails.
    """
    import vl_convert

    docs = PROJECT / "docs" if docs is None else docs
    shutil.rmtree(out, ignore_errors=True)
    (out / "_static").mkdir(parents=True)
    (out / "notebooks").mkdir()
    (out / "_static" / "site.css").write_text(CSS, encoding="utf-8")
    version = "v" + ".".join(_vegalite_version().split(".")[:2])
    (out / "_static" / "vega-bundle.js").write_text(
        # the stub makes ``snippet`` required; at runtime it defaults to None (the default one)
        vl_convert.javascript_bundle(vl_version=version),  # type: ignore[call-arg]
        encoding="utf-8")

    problems: list[str] = []
    sources = notebook_paths(notebooks)
    loaded = [(p, nbformat.read(p, as_version=4)) for p in sources]
    book = []
    for path, notebook in loaded:
        title = _title(notebook)
        if title is None:
            problems.append(f"{path.name}: no '# ' title in a markdown cell")
            title = path.stem
        book.append((path, notebook, _Page(f"notebooks/{path.stem}.html", title)))
    menu = [_Page(f"{stem}.html", name) for stem, name in DOC_PAGES]
    names = {p.stem for p in sources}
    written = []
    for i, (_, notebook, page) in enumerate(book):
        pager = ['<nav class="pager">']
        pager.append(f'<a href="../{book[i - 1][2].path}">← {html.escape(book[i - 1][2].title)}</a>'
                     if i else "<span></span>")
        if i + 1 < len(book):
            pager.append(f'<a href="../{book[i + 1][2].path}">{html.escape(book[i + 1][2].title)} →</a>')
        pager.append("</nav>")
        body = _notebook_body(notebook) + "".join(pager)
        target = out / page.path
        target.write_text(_layout(page.title, body, 1, menu, scripts=True), encoding="utf-8")
        written.append(target)
    for stem, name in DOC_PAGES:
        source = docs / f"{stem}.md"
        if not source.is_file():
            problems.append(f"docs/{stem}.md is missing")
            continue
        target = out / f"{stem}.html"
        target.write_text(_layout(name, _markdown(source.read_text(encoding="utf-8"), 0, names),
                                  0, menu, scripts=False), encoding="utf-8")
        written.append(target)
    intro = _markdown((docs / "index.md").read_text(encoding="utf-8"), 0, names)
    unlisted = [p for _, _, p in book if f'href="{p.path}"' not in intro]
    if unlisted:  # a notebook the index page does not mention yet still gets a link
        intro += "<h2>More notebooks</h2><ol>" + "".join(
            f'<li><a href="{p.path}">{html.escape(p.title)}</a></li>' for p in unlisted) + "</ol>"
    index = out / "index.html"
    index.write_text(_layout("Live-stream engagement economics", intro, 0, menu, scripts=False),
                     encoding="utf-8")
    written.append(index)
    problems += check_site(out)
    if problems:
        raise SiteError("the site has problems:\n" + "\n".join(f"  - {p}" for p in problems))
    return written


_REF = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")


def check_site(root: Path) -> list[str]:
    """Every local link and image of every page resolves; nothing loads from another host."""
    problems = []
    for page in sorted(root.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for ref in _REF.findall(text):
            if ref.startswith(("data:", "#", "mailto:")):
                continue
            if ref.startswith(("http://", "https://", "//")):
                if re.search(r"""<(script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']"""
                             + re.escape(ref), text):
                    problems.append(f"{page.relative_to(root)}: loads {ref} from the internet")
                continue
            target = (page.parent / ref.split("#")[0]).resolve()
            if not target.exists():
                problems.append(f"{page.relative_to(root)}: broken link {ref}")
    return problems


def _vegalite_version() -> str:
    import altair as alt

    return alt.SCHEMA_VERSION.lstrip("v")
