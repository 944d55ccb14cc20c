"""Accessibility: every page passes axe-core with no critical or serious violation, in light and in
dark mode; charts have names, data tables and keyboard paths; tables and colours meet WCAG 2.1 AA.

The browser tests run axe-core 4.12 (shipped inside the axe-playwright-python wheel, so nothing is
downloaded) in the same headless Chromium as ``test_site.py``. Moderate and minor findings that
come from the theme or a library are listed, with their source, in CONTRIBUTING.md.
"""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
from conftest import HTML_DIR, REPO, toc_files

from xaibook import render, tables
from xaibook.charts import _base

#: Impacts that fail the build.
BLOCKING = ("critical", "serious")
#: Pages of the site besides the book's documents.
EXTRA_PAGES = ("genindex", "search")
MODES = ("light", "dark")


# ---------------------------------------------------------------------------------- tables
def test_dataframe_headers_all_have_text_and_numbers_are_marked():
    frame = pd.DataFrame({"amount": [1.5, 2.25], "purpose": ["car", "radio/TV"]},
                         index=pd.Index([10, 11], name="applicant"))
    html = tables.frame_to_html(frame)
    headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", html)
    assert headers[:3] == ["applicant", "amount", "purpose"] and all(h.strip() for h in headers)
    assert html.count("<thead><tr>") == 1, "one header row, not pandas' two"
    assert '<th scope="col" class="xaibook-num">amount</th>' in html
    assert '<td class="xaibook-num">1.50</td>' in html and "<td>car</td>" in html
    assert '<th scope="row">10</th>' in html


def test_unnamed_index_is_headed_row_and_text_is_escaped():
    html = tables.frame_to_html(pd.DataFrame({"<b>": ["a & b"]}))
    assert '<th scope="col">row</th>' in html
    assert "&lt;b&gt;" in html and "a &amp; b" in html and "<b>" not in html


def test_multiindex_and_long_frames_are_shortened_like_pandas():
    index = pd.MultiIndex.from_product([["a", "b"], range(50)], names=["group", None])
    frame = pd.DataFrame({"x": range(100)}, index=index)
    with pd.option_context("display.max_rows", 60, "display.min_rows", 10):
        html = tables.frame_to_html(frame)
    assert '<th scope="col">group</th><th scope="col">row level 1</th>' in html
    assert html.count('<th scope="row">a</th>') == 5 and "100 rows × 1 columns" in html


def test_caption_for_a_table_that_is_a_figure():
    shown = tables.show(pd.DataFrame({"x": [1]}), caption="Table 1: one number")
    assert "<caption>Table 1: one number</caption>" in shown._repr_html_()
    with pytest.raises(ValueError, match="caption"):
        tables.show(pd.DataFrame({"x": [1]}), caption=" ")
    with pytest.raises(TypeError, match="frame"):
        tables.frame_to_html([1, 2])


# ---------------------------------------------------------------------------------- colours
def _chart_colours() -> dict[str, str]:
    colours = {f"PALETTE[{i}]": c for i, c in enumerate(_base.PALETTE)}
    colours.update({f"OUTCOME_COLORS[{k!r}]": c for k, c in _base.OUTCOME_COLORS.items()})
    colours.update({f"DIVERGING_RANGE[{i}]": c for i, c in enumerate(_base.DIVERGING_RANGE)})
    return colours


@pytest.mark.parametrize("background", [_base.LIGHT_BACKGROUND, _base.DARK_BACKGROUND])
def test_every_chart_colour_has_3_to_1_contrast_on_both_pages(background):
    weak = {name: round(_base.contrast_ratio(c, background), 2) for name, c in _chart_colours().items()
            if _base.contrast_ratio(c, background) < _base.MIN_CONTRAST}
    assert not weak, f"colours under {_base.MIN_CONTRAST}:1 against {background}: {weak}"


def test_contrast_ratio_matches_wcag_examples():
    assert _base.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert _base.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    with pytest.raises(ValueError, match="colour"):
        _base.contrast_ratio("red", "#ffffff")


def test_chart_modules_use_no_vega_scheme_with_a_pale_end():
    """Vega's named schemes (blueorange, blues, viridis, ...) have an end near white or yellow,
    invisible on the light page; points, lines and bars use the palette or diverging_scale().
    Heat maps (``mark_rect`` cells, which sit on each other rather than on the page, with every
    value in the tooltip and the data table) are the documented exception."""
    offenders = []
    for path in sorted((REPO / "code" / "xaibook" / "charts").glob("*.py")):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            if not re.search(r"scheme=", line):
                continue
            nearby = "\n".join(lines[max(0, number - 10):number + 10])  # the statement around it
            if "mark_rect(" not in nearby:
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


# ------------------------------------------------------------------------------ chart tables
def _layered_chart() -> alt.LayerChart:
    frame = pd.DataFrame({"feature": ["a", "b"], "shap": [0.5, -0.25], "jitter": [0.1, 0.2]})
    dots = alt.Chart(frame).mark_circle().encode(
        x=alt.X("shap:Q", title="SHAP value"), y="feature:N", yOffset="jitter:Q",
        tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("shap:Q", title="SHAP value")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule().encode(x="x:Q")
    return _base.describe(alt.layer(zero, dots), title="Dots", description="Two dots.")


def test_table_plan_lists_the_encoded_fields_with_their_titles():
    spec = _layered_chart().to_dict()
    plans = render.table_plan(spec)
    assert len(plans) == 1, "the one-value zero rule is not a table"
    plan = plans[0]
    assert plan["caption"] == "Dots" and plan["n_rows"] == 2
    assert [(c["field"], c["title"], c["numeric"]) for c in plan["columns"]] == [
        ("feature", "feature", False), ("shap", "SHAP value", True)], "offsets are left out"
    rows = spec
    for key in plan["path"]:
        rows = rows[key]
    assert [r["shap"] for r in rows] == [0.5, -0.25]


def test_every_chart_html_has_a_named_figure_and_a_data_disclosure():
    spec = _layered_chart().to_dict()
    html = render.spec_to_html(spec)
    assert 'role="figure" aria-label="Dots. Two dots."' in html
    details = re.search(r'<details class="xaibook-chart-data" data-chart="([^"]+)" data-tables="([^"]+)" hidden>',
                        html)
    assert details and details.group(1) in html.split("<details")[0]
    plan = json.loads(details.group(2).replace("&quot;", '"').replace("&amp;", "&"))
    assert plan == render.table_plan(spec)
    assert "Data table: the numbers behind &ldquo;Dots&rdquo;" in html


def test_a_chart_without_data_has_no_disclosure():
    chart = _base.describe(alt.Chart().mark_rule().encode(x=alt.datum(0)), title="t", description="d")
    assert render.data_table_html(chart.to_dict(), "x") == ""
    with pytest.raises(TypeError, match="spec"):
        render.table_plan("not a spec")


def test_reference_entries_get_an_allowed_role():
    from xaibook.sphinxext import accessible_citation_roles
    html = '<div role="list"><div class="citation" role="doc-biblioentry">x</div></div>'
    assert accessible_citation_roles(html) == '<div role="list"><div class="citation" role="listitem">x</div></div>'


# ---------------------------------------------------------------------------------- browser
def _site_pages() -> list[str]:
    return [*toc_files(), *EXTRA_PAGES]


def _open(browser, site_url, name: str, mode: str):
    from test_site import PageVisit

    visit = PageVisit(browser, site_url, f"{name}.html", color_scheme=mode)
    page = visit.page
    # Charts may draw only when scrolled into view: visit each, then wait for all to be drawn.
    # Each chart stays in view until it is drawn: an IntersectionObserver only sees where a chart is
    # at its next rendering step, so a chart scrolled past within one frame is never requested.
    page.evaluate("""async () => {
        for (const el of document.querySelectorAll('.xaibook-chart')) {
            el.scrollIntoView({ block: "center" });
            const start = performance.now();
            // up to 90 s each, as tests/test_site.py waits: on a loaded 2-core machine a chart wider
            // than its column is redrawn several times while fitted (seen once: a page of 16 charts in
            // dark mode, whose last chart was still drawing at 30 s and was then scrolled away)
            while (!["true", "error"].includes(el.dataset.drawn) && performance.now() - start < 90000) {
                await new Promise(r => setTimeout(r, 25));
            }
        }
        window.scrollTo(0, 0);
    }""")
    page.wait_for_function("() => [...document.querySelectorAll('.xaibook-chart')]"
                           ".every(el => el.dataset.drawn === 'true')", timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('.math')]"
                           ".every(el => el.querySelector('mjx-container'))", timeout=60_000)
    # The theme fades colours in when it switches to dark mode after load; axe must read the final
    # colours, not a frame of the fade (seen once on a cold machine: the search button's text).
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
    page.wait_for_timeout(100)
    return visit


#: The rules whose result can depend on the colour scheme. Dark mode changes colours only (the
#: theme swaps CSS variables; charts redraw with dark colours, same structure), so the dark scan runs
#: these and the light scan runs every rule: the same findings for about two thirds of the time.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def _axe_violations(page, *, colours_only: bool = False) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if colours_only:
        options["runOnly"] = {"type": "rule", "values": COLOUR_RULES}
    return Axe().run(page, options=options).response["violations"]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}")
        for node in v["nodes"][:3]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", _site_pages())
def test_page_has_no_serious_accessibility_violation(browser, site_url, name, mode):
    pytest.importorskip("axe_playwright_python", reason="pip install -r tests/requirements.txt")
    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    visit = _open(browser, site_url, name, mode)
    page = visit.page
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        # (the charts' data tables are checked, opened, by the next test: opened all at once they
        # add tens of thousands of cells and make the scan minutes long)
        assert visit.console_errors == [] and visit.foreign_requests == []
        # (checked before the scan: axe re-fetches stylesheets and resolves a theme @import
        # against the wrong folder, a harmless 404 of its own)
        violations = _axe_violations(page, colours_only=mode == "dark")
        blocking = [v for v in violations if v["impact"] in BLOCKING]
        assert not blocking, f"{name} ({mode}):\n{_report(blocking)}"
    finally:
        visit.close()


def _chapters() -> list[str]:
    """The chapters (``book/NN_topic``): each has charts (the chapter template asks for them)."""
    return [n for n in toc_files() if re.fullmatch(r"book/\d\d_\w+", n)]


@pytest.mark.browser
@pytest.mark.parametrize("name", _chapters())
def test_every_chart_is_named_and_its_data_table_opens_from_the_keyboard(browser, site_url, built_site, name):
    if not (HTML_DIR / f"{name}.html").exists():
        pytest.skip(f"{name} is not in the built site")
    assert 'class="xaibook-chart"' in (HTML_DIR / f"{name}.html").read_text(), f"{name} has no chart"
    visit = _open(browser, site_url, name, "light")
    page = visit.page
    try:
        charts = page.eval_on_selector_all(".xaibook-chart", """els => els.map(el => ({
            id: el.id, role: el.getAttribute('role'), label: el.getAttribute('aria-label'),
            hidden: [...el.querySelectorAll('svg.marks')].every(s => s.getAttribute('aria-hidden') === 'true'),
            menu: [...el.querySelectorAll('details > summary')].every(s => s.getAttribute('aria-label'))}))""")
        for chart in charts:
            assert chart["role"] == "figure" and len(chart["label"]) > 20, chart
            assert chart["hidden"] and chart["menu"], chart
        assert page.locator("details.xaibook-chart-data").count() > 0
        assert page.locator("details.xaibook-chart-data[hidden]").count() == 0, \
            "the page script shows every data disclosure"
        # The smallest data table on the page, opened from the keyboard, then scanned by axe.
        smallest = page.evaluate("""() => {
            let best = null, rows = Infinity;
            document.querySelectorAll('details.xaibook-chart-data').forEach(d => {
                const n = JSON.parse(d.dataset.tables).reduce((s, p) => s + p.n_rows, 0);
                if (n < rows) { rows = n; best = d.dataset.chart; }
            });
            return best; }""")
        assert smallest, f"{name}: no chart has a data table"
        disclosure = page.locator(f'details.xaibook-chart-data[data-chart="{smallest}"]')
        disclosure.locator("summary").focus()
        page.keyboard.press("Enter")
        table = disclosure.locator("table").first
        table.wait_for(timeout=10_000)
        heads = table.locator("thead th").all_text_contents()
        assert heads and all(h.strip() for h in heads)
        assert table.locator("tbody tr").count() >= 1
        from axe_playwright_python.sync_playwright import Axe
        found = Axe().run(page, context=f'details.xaibook-chart-data[data-chart="{smallest}"]',
                          options={"resultTypes": ["violations"]}).response["violations"]
        assert not found, f"{name}, data table of {smallest}:\n{_report(found)}"
    finally:
        visit.close()


@pytest.mark.browser
def test_linked_shap_view_can_pick_a_person_with_the_keyboard(browser, site_url, built_site):
    if not (HTML_DIR / "book" / "05_shap.html").exists():
        pytest.skip("chapter 5 is not in the book yet")
    visit = _open(browser, site_url, "book/05_shap", "light")
    page = visit.page
    try:
        picker = page.locator(".xaibook-chart select[name='person_row']")
        assert picker.count() == 1
        chart = page.locator(".xaibook-chart", has=page.locator("select[name='person_row']"))
        before = chart.locator("svg.marks").inner_html()
        first = picker.input_value()
        picker.focus()
        page.keyboard.press("ArrowDown")
        assert picker.input_value() != first
        page.wait_for_function("([el, before]) => el.querySelector('svg.marks').innerHTML !== before",
                               arg=[chart.element_handle(), before], timeout=15_000)
        assert visit.console_errors == []
    finally:
        visit.close()


@pytest.mark.browser
def test_whatif_slider_result_is_read_out(browser, site_url, built_site):
    if not (HTML_DIR / "book" / "02_basics.html").exists():
        pytest.skip("chapter 2 is not in the book yet")
    from xaibook.exercises import glassbox

    spec = glassbox.whatif()
    visit = _open(browser, site_url, "book/02_basics", "light")
    page = visit.page
    try:
        region = page.locator(".xaibook-chart-announce[aria-live='polite']")
        assert region.count() == 1
        assert f"{spec.probability:.3f}" in region.text_content()
        slider = page.locator("input[name='whatif_installment_rate']")
        slider.focus()
        page.keyboard.press("Home")  # the lowest instalment rate, by keyboard alone
        expected = f"{spec.probability_at({'installment_rate': 1}):.3f}"
        page.wait_for_function("([el, want]) => el.textContent.includes(want)",
                               arg=[region.element_handle(), expected], timeout=15_000)
        assert slider.get_attribute("aria-describedby") == region.get_attribute("id")
    finally:
        visit.close()
