"""Shared fixtures: the repository, the built book, a local web server and headless Chromium.

Every test runs with ``XAIBOOK_CACHE_DIR`` pointing at ``_build/test-cache`` in the repository
(autouse fixture below): tests never read or write the user's own model cache, and the cache
persists between runs, so the zoo is fitted once per change of the model code, not on every run.
"""

from __future__ import annotations

import os

# One thread per process for OpenMP (scikit-learn's histogram boosting) and BLAS: the suite runs
# one pytest-xdist worker per core plus the book build, and thread pools sized for the whole
# machine in each of them oversubscribe it (spinning OpenMP threads made one test's fits take 48 s).
# Set before numpy or scikit-learn is loaded here; the book build's kernels inherit it.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import fcntl
import functools
import http.server
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
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


#: Runs the build (and the handout after it) in the background and records the exit codes.
BOOK_RUNNER = Path(__file__).with_name("_book_runner.py")


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config):
    """Name this test run, once, in the main process; pytest-xdist's workers inherit the name."""
    if not _is_worker(config):
        os.environ["XAIBOOK_TEST_RUN"] = uuid.uuid4().hex


def _run_dir() -> Path:
    """Where this run's book build keeps its process id, output and exit code."""
    return BUILD_DIR / "book-build" / os.environ.setdefault("XAIBOOK_TEST_RUN", uuid.uuid4().hex)


def _start_book_build(*, handout: bool = False) -> None:
    """Start the whole-book build in the background, once per test run (whichever process asks first).

    The build is a separate process (Jupyter Book executing the chapters), so it runs on one core
    while the tests that do not need the book run on the others; the book tests are ordered last
    (``pytest_collection_modifyitems``) and wait for it. With ``handout``, the same background job
    then prints the PDF handout while the browser tests scan the site. Output goes to files, not
    pipes, so a chatty build can never block on a full pipe.
    """
    run_dir = _run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if (run_dir / "pid").exists():
            return
        env = {**os.environ, "XAIBOOK_CACHE_DIR": str(TEST_CACHE_DIR)}
        options = [str(run_dir), *(["--handout"] if handout else [])]
        with open(run_dir / "stdout.txt", "w") as out, open(run_dir / "stderr.txt", "w") as err:
            process = subprocess.Popen(
                [sys.executable, str(BOOK_RUNNER), *options, "--", *BUILD_COMMAND],
                cwd=REPO, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                start_new_session=True)  # its own process group: stopped as a whole
        (run_dir / "pid").write_text(str(process.pid))


def wait_for(name: str, *, timeout: float = BUILD_TIMEOUT) -> int:
    """Wait until the background job has written ``name`` (an exit code) and return it."""
    path = _run_dir() / name
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the background book job did not write {name} within {timeout:.0f} s")
        time.sleep(0.5)
    return int(path.read_text())


def background_output(name: str) -> str:
    path = _run_dir() / name
    return path.read_text() if path.exists() else ""


def _stop_book_build() -> None:
    run_dir = _run_dir()
    pid_file = run_dir / "pid"
    if pid_file.exists():  # (a finished job's group is gone: nothing to stop)
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        except (ProcessLookupError, PermissionError, ValueError):
            pass
    shutil.rmtree(run_dir, ignore_errors=True)


def pytest_collection_finish(session):
    """Start the book build as soon as collection shows that a selected test will need it."""
    if session.config.option.collectonly:
        return
    # (fixtures, not the `book` marker: the Sphinx extension's tests build a small book of their own)
    book = [item for item in session.items if BOOK_FIXTURES.intersection(getattr(item, "fixturenames", ()))]
    if book:
        _start_book_build(handout=any(item.get_closest_marker("handout") for item in book))


def pytest_unconfigure(config):
    """At the very end (after every worker): stop a build that is still running, remove its files."""
    if not _is_worker(config):
        _stop_book_build()


@pytest.fixture(scope="session")
def book_build() -> subprocess.CompletedProcess:
    """The whole book built exactly as the README says, plus -W (warnings are errors)."""
    _start_book_build()  # (a no-op when collection already started it)
    result = subprocess.CompletedProcess(BUILD_COMMAND, wait_for("returncode"),
                                         background_output("stdout.txt"), background_output("stderr.txt"))
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


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(config, items):
    """Mark every test that needs the built book with ``book``, so ``-m "not book"`` (the quick
    loop) never starts a whole-book build, whoever wrote the test; then order the tests so that
    those which do not need the book run first, while it builds in the background, and the
    handout's tests last, while it prints in the background."""
    def needs_the_book(item) -> bool:
        return bool(BOOK_FIXTURES.intersection(getattr(item, "fixturenames", ())))

    for item in items:
        if needs_the_book(item):
            item.add_marker(pytest.mark.book)

    def order(item) -> tuple[bool, bool]:
        book = needs_the_book(item)  # (the Sphinx extension's own mini-book tests run early)
        return book, book and item.get_closest_marker("handout") is not None

    items.sort(key=order)  # stable: otherwise in file order
