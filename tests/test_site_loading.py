"""Pages respond at once: charts are drawn when the reader reaches them, heavy scripts only load
where they are needed. Behaviour, not wall-clock numbers (benchmarks/bench_pages.py times it).

test_site.py's per-page test checks the rest: far charts are not drawn at load, each chart keeps
its room before it is drawn and draws once scrolled to, none is blank, no console error."""

from __future__ import annotations

import re

import pytest
from conftest import HTML_DIR, toc_files
from test_site import PageVisit

pytestmark = pytest.mark.browser


def _chart_pages() -> list[str]:
    return [n for n in toc_files() if 'class="xaibook-chart"' in (HTML_DIR / f"{n}.html").read_text()]


def _pages_without_charts() -> list[str]:
    return [n for n in toc_files() if 'class="xaibook-chart"' not in (HTML_DIR / f"{n}.html").read_text()]


def test_there_are_pages_with_and_without_charts(built_site):
    assert _chart_pages() and _pages_without_charts()


def test_opening_a_page_at_a_chart_draws_it(browser, site_url):
    name = _chart_pages()[-1]
    chart_id = re.findall(r'<div id="(xaibook-chart-[^"]+)" class="xaibook-chart"',
                          (HTML_DIR / f"{name}.html").read_text())[-1]
    visit = PageVisit(browser, site_url, f"{name}.html#{chart_id}")
    try:
        visit.page.wait_for_function("id => document.getElementById(id).dataset.drawn === 'true'",
                                     arg=chart_id, timeout=30_000)
        assert visit.console_errors == []
    finally:
        visit.close()


@pytest.mark.parametrize("name", ["book/cite", "book/glossary"])
def test_pages_without_charts_never_load_vega(browser, site_url, name):
    requested: list[str] = []
    visit = PageVisit(browser, site_url, f"{name}.html")
    try:
        visit.page.on("request", lambda request: requested.append(request.url))
        visit.page.mouse.wheel(0, 5000)
        visit.page.wait_for_timeout(1000)
        loaded = visit.page.evaluate(
            "() => performance.getEntriesByType('resource').map(e => e.name)")
        assert not [url for url in loaded + requested if "xaibook-vega.js" in url]
        assert visit.page.evaluate("() => typeof window.vegaEmbed") == "undefined"
    finally:
        visit.close()


def test_mathjax_only_on_pages_with_math(built_site):
    with_math = without_math = 0
    for name in toc_files():
        html = (HTML_DIR / f"{name}.html").read_text()
        loads_mathjax = "tex-svg-full.js" in html
        if 'class="math' in html:
            assert loads_mathjax, f"{name} has math but does not load MathJax"
            with_math += 1
        elif not re.search(r"\\\(|\\\[|\$\$", html):
            assert not loads_mathjax, f"{name} has no math but loads MathJax"
            without_math += 1
    assert with_math and without_math


def test_chart_html_draws_without_the_site_script(browser, site_url):
    """In a live notebook there is no xaibookEmbed: the chart's own script draws it with vegaEmbed."""
    import altair as alt
    import pandas as pd

    from xaibook import charts, render

    chart = charts.describe(alt.Chart(pd.DataFrame({"a": [1, 2], "b": [3, float("nan")]}))
                            .mark_bar().encode(x="a:O", y="b:Q"), title="T", description="D")
    html = render.render(chart.to_dict())["text/html"]
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.set_content(f'<script src="{site_url}/_static/xaibook-vega.js"></script>{html}')
        page.wait_for_selector(".xaibook-chart svg, .xaibook-chart canvas", state="attached",
                               timeout=30_000)
        assert page.evaluate("() => typeof window.xaibookEmbed") == "undefined"
        assert errors == []
    finally:
        context.close()
