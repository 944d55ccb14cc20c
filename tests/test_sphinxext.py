"""The Sphinx extension: offline assets and re-execution when the package changes.

A tiny Jupyter Book is built several times (marked ``book``: slow) in a temporary folder, with a
copy of the package first on PYTHONPATH. Its one code cell prints the package fingerprint. Editing a package file (and
nothing in the chapter) must re-execute the chapter; building again with no change must not.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xaibook import fingerprint, sphinxext

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Page

Inline math $e^{i\\pi} + 1 = 0$.

```{code-cell} ipython3
import xaibook.fingerprint
print("FP=" + xaibook.fingerprint.package_fingerprint()[:16])
```

```{code-cell} ipython3
import altair as alt
import pandas as pd
from xaibook import charts
frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
charts.describe(alt.Chart(frame).mark_line().encode(x="x", y="y"),
                title="A line", description="Three points joined by a line.")
```
"""

CONFIG = """\
title: mini
only_build_toc_files: true
execute:
  execute_notebooks: cache
sphinx:
  extra_extensions:
    - xaibook.sphinxext
"""


def _build(book: Path, env: dict) -> str:
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (book / "_build" / "html" / "page.html").read_text()
    return re.search(r"FP=([0-9a-f]{16})", html).group(1)


@pytest.fixture(scope="module")
def mini_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("mini")
    pkg_parent = root / "pkgsrc"
    shutil.copytree(fingerprint.PACKAGE_DIR, pkg_parent / "xaibook",
                    ignore=shutil.ignore_patterns("__pycache__"))
    book = root / "book"
    book.mkdir()
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    (book / "page.md").write_text(PAGE)
    env = {**os.environ, "PYTHONPATH": str(pkg_parent)}
    return book, pkg_parent / "xaibook", env


@pytest.mark.book
def test_package_change_reexecutes_and_no_change_does_not(mini_book):
    book, pkg, env = mini_book
    first = _build(book, env)
    assert first == fingerprint.compute_fingerprint(pkg)[:16]
    assert _build(book, env) == first, "an unchanged package must reuse the cached outputs"
    edited = pkg / "charts" / "_base.py"
    edited.write_text(edited.read_text() + "\n# an edit that changes no behaviour\n")
    second = _build(book, env)
    assert second == fingerprint.compute_fingerprint(pkg)[:16]
    assert second != first, "the chapter kept stale outputs after the package changed"


@pytest.mark.book
def test_site_serves_vega_and_mathjax_itself(mini_book):
    book, _, env = mini_book
    if not (book / "_build" / "html").exists():
        _build(book, env)
    static = book / "_build" / "html" / "_static"
    vega = (static / sphinxext.VEGA_BUNDLE).read_text()
    assert vega.startswith("/* Vega") and "window.vegaEmbed" in vega
    assert (static / sphinxext.CHARTS_SCRIPT).is_file() and (static / sphinxext.STYLESHEET).is_file()
    assert (static / "mathjax" / sphinxext.MATHJAX_FILE).stat().st_size > 1_000_000
    html = (book / "_build" / "html" / "page.html").read_text()
    # MathJax is added once the page has been parsed, from the site's own copy.
    assert 's.src = "_static/mathjax/tex-svg-full.js"' in html
    assert "defer" not in html.split("tex-svg-full.js")[0].rsplit("<script", 1)[1]
    assert "cdn.jsdelivr" not in html and "mathjax@" not in html
    # Only the small charts script is in the page; it fetches the bundle when a chart needs it.
    assert sphinxext.VEGA_BUNDLE not in html and sphinxext.CHARTS_SCRIPT in html
    # The theme's FontAwesome script is gone; its stylesheet (which draws the icons) stays: its own
    # file up to pydata-sphinx-theme 0.15, inside the theme's stylesheet in 0.17.
    assert "fontawesome.js" not in html and "/js/all.min.js" not in html
    stylesheets = [static / link.split("?")[0] for link in re.findall(r'href="_static/([^"]+\.css[^"]*)"', html)]
    assert any(".fa-github" in path.read_text() and "@font-face" in path.read_text()
               for path in stylesheets if path.is_file()), "no stylesheet draws the FontAwesome icons"
    assert not (static / "static").exists(), "the template override is not a static file"


def test_invalidate_execution_cache_without_cache_dir(tmp_path):
    assert sphinxext.invalidate_execution_cache(tmp_path / "absent", "abc") == []


@pytest.mark.book
def test_non_html_builders_get_the_png_fallback(mini_book):
    book, _, env = mini_book
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "--builder", "latex"],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tex = next((book / "_build" / "latex").glob("*.tex")).read_text()
    assert "includegraphics" in tex and ".png" in tex
    assert "alt.Chart(" not in tex
    assert "A line. Three points joined by a line." not in tex, "the text/plain fallback was used"


def test_citations_are_made_local_to_each_chapter():
    from xaibook.sphinxext import localise_citations

    text = ("See {cite:t}`a` and {cite:p}`b, c`.\n\n"
            "```{bibliography}\n:filter: docname in docnames\n```\n")
    out = localise_citations("book/03_permutation_importance", text)
    assert "{cite:t}`03_permutation_importance:a`" in out
    assert "{cite:p}`03_permutation_importance:b,03_permutation_importance:c`" in out
    assert ":keyprefix: 03_permutation_importance:\n:labelprefix: 3.\n" in out
    # pages without their own bibliography, and the global list (already prefixed), are untouched
    assert localise_citations("book/intro", "{cite:p}`a`") == "{cite:p}`a`"
    glob = "```{bibliography}\n:all:\n:keyprefix: all-\n```\n"
    assert localise_citations("book/bibliography", glob) == glob


def test_page_has_math():
    assert sphinxext.page_has_math('<span class="math notranslate nohighlight">\\(x\\)</span>')
    assert sphinxext.page_has_math("<p>$$x^2$$</p>")
    assert not sphinxext.page_has_math("<p>No formulas, just $5 and (brackets).</p>")


def test_mathjax_is_dropped_without_math_and_loaded_after_parsing_with_math():
    from types import SimpleNamespace

    from sphinx.builders.html._assets import _JavaScript

    app = SimpleNamespace(config=SimpleNamespace(mathjax_path="mathjax/tex-svg-full.js"))
    scripts = [_JavaScript("_static/doctools.js"),
               _JavaScript("", body='window.MathJax = {"options": {}}'),
               _JavaScript("_static/mathjax/tex-svg-full.js", defer="defer")]
    context = {"script_files": list(scripts), "body": "<p>prose</p>"}
    sphinxext._mathjax_only_with_math(app, "p", "page.html", context, None)
    assert [s.filename for s in context["script_files"]] == ["_static/doctools.js"]
    context = {"script_files": list(scripts), "body": '<span class="math">\\(x\\)</span>',
               "pathto": lambda name, resource: "../" + name}
    sphinxext._mathjax_only_with_math(app, "p", "page.html", context, None)
    assert context["script_files"][:2] == scripts[:2]
    loader = context["script_files"][2]
    assert loader.filename == "" and "DOMContentLoaded" in loader.attributes["body"]
    assert 's.src = "../_static/mathjax/tex-svg-full.js"' in loader.attributes["body"]


def test_theme_override_drops_only_the_fontawesome_script(tmp_path):
    import pydata_sphinx_theme

    assert sphinxext.write_theme_overrides(tmp_path)
    original = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
                / sphinxext.THEME_MACROS).read_text().splitlines()
    trimmed = (tmp_path / sphinxext.THEME_MACROS).read_text().splitlines()
    removed = [line for line in original if line not in trimmed]
    assert len(removed) == 1 and "fontawesome" in removed[0] and "<script" in removed[0]
    assert len(trimmed) == len(original) - 1
