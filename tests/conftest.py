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


#: The README's build command plus -W (warnings are errors). ``--all`` re-reads every page so that
#: every warning is seen, while the execution cache keeps a rebuild fast; the xaibook extension
#: re-executes chapters whenever the package changed.
BUILD_COMMAND = [str(JUPYTER_BOOK), "build", ".", "--all", "-W", "-n", "--keep-going"]
BUILD_TIMEOUT = 3600


class _BackgroundBuild:
    """The whole-book build, started as soon as collection shows that a selected test needs it.

    The build is a separate process (Jupyter Book executing the chapters), so it runs on one core
    while this process runs the tests that do not need the book on another; the book tests are
    ordered last (``pytest_collection_modifyitems``) and wait for it. Output goes to files, not
    pipes, so a chatty build can never block on a full pipe.
    """

    def __init__(self) -> None:
        BUILD_DIR.mkdir(exist_ok=True)
        self.stdout_path = BUILD_DIR / "build-stdout.txt"
        self.stderr_path = BUILD_DIR / "build-stderr.txt"
        env = {**os.environ, "XAIBOOK_CACHE_DIR": str(TEST_CACHE_DIR)}
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            self.process = subprocess.Popen(BUILD_COMMAND, cwd=REPO, env=env, stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, text=True)

    def result(self) -> subprocess.CompletedProcess:
        try:
            returncode = self.process.wait(timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return subprocess.CompletedProcess(BUILD_COMMAND, returncode, self.stdout_path.read_text(),
                                           self.stderr_path.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


_background_build: _BackgroundBuild | None = None


def pytest_collection_finish(session):
    """Start the book build in the background if any selected test will need it."""
    global _background_build
    if session.config.option.collectonly or _background_build is not None:
        return
    if any(item.get_closest_marker("book") for item in session.items):
        _background_build = _BackgroundBuild()


def pytest_unconfigure(config):
    if _background_build is not None:
        _background_build.stop()


@pytest.fixture(scope="session")
def book_build() -> subprocess.CompletedProcess:
    """The whole book built exactly as the README says, plus -W (warnings are errors)."""
    if _background_build is not None:
        result = _background_build.result()
    else:  # a test asked for the build without being marked (should not happen): build now
        result = subprocess.run(BUILD_COMMAND, cwd=REPO, capture_output=True, text=True,
                                timeout=BUILD_TIMEOUT)
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
    loop) never starts a whole-book build, whoever wrote the test; then run the book tests last,
    so that the tests which do not need the book run while it builds in the background."""
    for item in items:
        if BOOK_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.book)
    items.sort(key=lambda item: item.get_closest_marker("book") is not None)  # stable
