"""The whole book builds from this tree with warnings as errors, and its pages are clean."""

import json
import re

import pytest
from conftest import BUILD_DIR, HTML_DIR, REPO, toc_files

pytestmark = pytest.mark.book

#: Text that must never appear in a rendered cell output.
DIRTY_OUTPUT = re.compile(r"Traceback \(most recent call last\)|\b\w*Warning\b:|^\s*warnings\.warn", re.M)
#: Budget for one chapter's HTML (charts embed their data; keep it aggregated or sampled).
MAX_PAGE_BYTES = 1_000_000  # the budget: every page at most 1 MB


def test_toc_and_book_folder_agree():
    listed = set(toc_files())
    on_disk = {p.relative_to(REPO).with_suffix("").as_posix() for p in (REPO / "book").glob("*.md")}
    assert listed - on_disk == set(), "the toc lists files that do not exist"
    assert on_disk - listed == set(), "chapters in book/ are missing from _toc.yml"


def test_book_builds_with_warnings_as_errors(book_build):
    log = book_build.stdout + book_build.stderr
    assert book_build.returncode == 0, log[-6000:]
    assert "build succeeded" in log
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert warnings == []


def _executed_notebooks():
    return sorted((BUILD_DIR / "jupyter_execute").rglob("*.ipynb"))


def test_every_code_chapter_was_executed(built_site):
    with_code = {name for name in toc_files() if "```{code-cell}" in (REPO / f"{name}.md").read_text()}
    executed = {p.relative_to(BUILD_DIR / "jupyter_execute").with_suffix("").as_posix()
                for p in _executed_notebooks()}
    assert with_code <= executed


def test_cell_outputs_are_clean(built_site):
    problems = []
    for path in _executed_notebooks():
        nb = json.loads(path.read_text())
        for index, cell in enumerate(nb["cells"]):
            for output in cell.get("outputs", []):
                where = f"{path.name} cell {index}"
                if output["output_type"] == "error":
                    problems.append(f"{where}: error {output.get('ename')}")
                elif output["output_type"] == "stream":
                    text = "".join(output["text"])
                    if output["name"] == "stderr":
                        problems.append(f"{where}: stderr {text[:200]!r}")
                    elif DIRTY_OUTPUT.search(text):
                        problems.append(f"{where}: warning text {text[:200]!r}")
                else:
                    plain = "".join(output.get("data", {}).get("text/plain", ""))
                    if DIRTY_OUTPUT.search(plain):
                        problems.append(f"{where}: warning text {plain[:200]!r}")
    assert problems == []


def test_no_chart_falls_back_to_text_and_pages_stay_small(built_site):
    for name in toc_files():
        page = HTML_DIR / f"{name}.html"
        html = page.read_text()
        assert "alt.Chart(" not in html and "alt.LayerChart(" not in html, name
        assert page.stat().st_size < MAX_PAGE_BYTES, f"{name}.html is {page.stat().st_size} bytes"


def test_footer_and_metadata(built_site):
    html = (HTML_DIR / "book" / "intro.html").read_text()
    assert "2026" in html and "2023" not in html
    assert "Explainable Machine Learning Models" in html


def test_chapters_glue_no_wall_clock_timings():
    """Two builds must give the same page: timings belong in benchmarks/, not in a chapter."""
    for name in toc_files():
        text = (REPO / f"{name}.md").read_text()
        for clock in ("perf_counter", "time.time(", "timeit", "datetime.now"):
            assert clock not in text, f"{name} measures time ({clock}); put timings in benchmarks/"
