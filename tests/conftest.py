"""Shared fixtures: the repository, the built book, a local web server and headless Chromium.

Every test runs with ``XAIBOOK_CACHE_DIR`` pointing at ``_build/test-cache`` in the repository
(autouse fixture below): tests never read or write the user's own model cache, and the cache
persists between runs, so the zoo is fitted once per change of the model code, not on every run.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from xaibook.handout import toc_documents

REPO = Path(__file__).resolve().parents[1]
BUILD_DIR = REPO / "_build"
HTML_DIR = BUILD_DIR / "html"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


TEST_CACHE_DIR = BUILD_DIR / "test-cache"


@pytest.fixture(scope="session", autouse=True)
def isolated_model_cache():
    """Point the model cache (``xaibook.models.cache_dir``) at the repository's ``_build/``."""
    previous = os.environ.get("XAIBOOK_CACHE_DIR")
    os.environ["XAIBOOK_CACHE_DIR"] = str(TEST_CACHE_DIR)
    yield TEST_CACHE_DIR
    if previous is None:
        os.environ.pop("XAIBOOK_CACHE_DIR", None)
    else:
        os.environ["XAIBOOK_CACHE_DIR"] = previous


def toc_files() -> list[str]:
    """Every document of the book, in reading order, as paths without suffix (``book/intro``)."""
    return toc_documents(REPO)


@pytest.fixture(scope="session")
def book_build() -> subprocess.CompletedProcess:
    """Build the whole book exactly as the README says, plus -W (warnings are errors).

    ``--all`` re-reads every page so that every warning is seen, while the execution cache keeps
    a rebuild fast; the xaibook extension re-executes chapters whenever the package changed.
    """
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", ".", "--all", "-W", "-n", "--keep-going"],
        cwd=REPO, capture_output=True, text=True, timeout=3600,
    )
    (BUILD_DIR / "build-log.txt").parent.mkdir(exist_ok=True)
    (BUILD_DIR / "build-log.txt").write_text(result.stdout + "\n--- stderr ---\n" + result.stderr)
    return result


@pytest.fixture(scope="session")
def built_site(book_build) -> Path:
    if book_build.returncode != 0:
        pytest.fail("the book did not build; see _build/build-log.txt:\n" + book_build.stdout[-4000:]
                    + book_build.stderr[-4000:])
    return HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def chromium_path() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: install Debian's package with "
                    "`apt-get install chromium` to run the browser tests (.ci/run does this)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="pip install -r tests/requirements.txt for Playwright")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


#: Fixtures that build the whole book; a test using any of them is a slow ``book`` test.
BOOK_FIXTURES = {"book_build", "built_site", "site_url"}


def pytest_collection_modifyitems(config, items):
    """Mark every test that needs the built book with ``book``, so ``-m "not book"`` (the quick
    loop) never starts a whole-book build, whoever wrote the test."""
    for item in items:
        if BOOK_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)
