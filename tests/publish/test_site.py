"""The explainer site: built offline and strictly, and checked in a real browser.

The browser test drives Debian's Chromium (``apt-get install chromium``) with Playwright, with
every request to another host blocked. It is skipped when Chromium is missing, except on CI
(``CI`` set), where ``.ci/run`` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from toolkit._paths import notebook_paths
from toolkit.publish.site import DOC_PAGES, SiteError, build_site, check_site

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "build" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(PROJECT / "notebooks", out)
    return out


def test_every_notebook_and_page_is_there(site: Path) -> None:
    index = (site / "index.html").read_text()
    for notebook in notebook_paths():
        assert (site / "notebooks" / f"{notebook.stem}.html").is_file()
        assert f"notebooks/{notebook.stem}.html" in index
    for stem, _ in DOC_PAGES:
        assert f'href="{stem}.html"' in index
    assert check_site(site) == []


def test_charts_keep_a_static_picture_and_no_page_uses_the_internet(site: Path) -> None:
    page = (site / "notebooks" / "02-follow-the-money.html").read_text()
    assert page.count('class="vega-chart"') == 4
    assert page.count('<img alt="') >= 4
    bundle = (site / "_static" / "vega-bundle.js").read_text()
    assert "window.vegaEmbed" in bundle and len(bundle) > 100_000
    for html_file in site.rglob("*.html"):
        text = html_file.read_text()
        assert "cdn.jsdelivr" not in text and "unpkg.com" not in text, html_file.name


def test_a_broken_link_stops_the_build(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(PROJECT / "docs", docs)
    (docs / "glossary.md").write_text("# Glossary\n\nSee [the missing page](nowhere.md).\n")
    with pytest.raises(SiteError, match=r"glossary.html: broken link nowhere.html"):
        build_site(PROJECT / "notebooks", tmp_path / "site", docs=docs)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def served(site: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_every_page_renders_its_charts_offline_in_chromium(site: Path, served: str) -> None:
    browser_path = _chromium()
    if browser_path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing on CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium) ")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    blocked: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1100, "height": 900})

        def only_local(route) -> None:
            if urlparse(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        for name in pages:
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
            page.goto(f"{served}/{name}", wait_until="load")
            charts = page.locator(".vega-chart").count()
            if charts:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.vega-chart')].every("
                    "c => c.querySelector('svg g.mark-group, svg path, canvas'))",
                    timeout=20_000,
                )
                drawn = page.evaluate(
                    "() => [...document.querySelectorAll('.vega-chart svg')]"
                    ".map(s => s.querySelectorAll('path, rect, line, circle, text').length)"
                )
                assert len(drawn) == charts, f"{name}: {len(drawn)} of {charts} charts drawn"
                assert min(drawn) > 5, f"{name}: a chart has almost no marks"
            page.screenshot(path=str(SCREENSHOTS / (name.replace("/", "_") + ".png")),
                            full_page=True)
            assert errors == [], f"{name}: console errors {errors}"
            page.close()
        browser.close()
    assert blocked == [], f"requests to other hosts: {blocked}"
