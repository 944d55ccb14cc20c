"""Tables and code (blocks and inline names) fit the text column on a laptop (1280 px) and a phone (390 px).

A table wider than the column is cut at its right edge (the reader sees "Tru" for "True" and
misses whole columns); a code line wider than it scrolls sideways, out of sight. Each page of the
built site is opened in headless Chromium at both widths and every table and code block of the
article is measured against the article's column.
"""

from __future__ import annotations

import pytest
from conftest import toc_files

pytestmark = [pytest.mark.browser, pytest.mark.book]

WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}

#: Per table and code block: how far it reaches past the column, and how much it scrolls inside.
MEASURE = """
() => {
  const article = document.querySelector("article.bd-article");
  const box = article.getBoundingClientRect();
  const style = getComputedStyle(article);
  const right = box.right - parseFloat(style.paddingRight);
  const describe = (el) => (el.querySelector("caption, thead") || el).textContent.trim().slice(0, 60);
  const out = [];
  // (inline code in the text too: a long dotted name that cannot break widens a phone's page)
  for (const el of article.querySelectorAll("table, pre, code.literal")) {
    if (el.closest(".xaibook-chart, details:not([open]), .xaibook-chart-data")) { continue; }
    if (el.tagName === "CODE" && el.closest("table, pre")) { continue; }  // measured with its table
    const r = el.getBoundingClientRect();
    if (r.width === 0) { continue; }  // not displayed
    const kind = el.tagName.toLowerCase();
    // a table's cells can reach past its box (a table never shrinks below its content)
    let reach = r.right;
    if (kind === "table") {
      for (const c of el.querySelectorAll("th, td")) {
        const head = c.closest("thead");
        if (head && head.getBoundingClientRect().width <= 2) { continue; }  // kept for screen readers only
        reach = Math.max(reach, c.getBoundingClientRect().right);
      }
    }
    out.push({kind: kind, what: describe(el), past: Math.round(reach - right),
              scrolls: el.scrollWidth - el.clientWidth, width: Math.round(r.width),
              column: Math.round(right - box.left)});
  }
  return out;
}
"""


@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("name", toc_files())
def test_tables_and_code_fit_the_column(browser, site_url, name, device):
    width, height = WIDTHS[device]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site_url)
                   else route.abort())
        page.goto(f"{site_url}/{name}.html", wait_until="load")
        measured = page.evaluate(MEASURE)
    finally:
        context.close()
    too_wide = [m for m in measured if m["past"] > 1 or m["scrolls"] > 1]
    assert not too_wide, (f"{name} at {width} px: {len(too_wide)} tables or code blocks wider than the "
                          f"column, e.g. {too_wide[:4]}")


#: A code line too long for a phone's column, in a cell like the chapters' (Pygments' markup).
LONG_LINE = ("result = counterfactuals(model, applicant, credit.X_train, desired_class=0, "
             "features_to_vary=vary, n_counterfactuals=4)")


def test_wrapped_code_lines_continue_indented(browser, site_url):
    """On a phone a long code line wraps (no sideways scrolling), and its continuation starts
    further in than the line itself, never back at column 0."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{site_url}/book/07_counterfactuals.html", wait_until="load")
        lines = page.evaluate("""(text) => {
            const cell = document.createElement("div");
            cell.className = "highlight";
            cell.innerHTML = "<pre>    " + text + "<span>\\nx = 1</span></pre>";
            document.querySelector("article.bd-article section").appendChild(cell);
            const pre = cell.querySelector("pre");
            const range = document.createRange();
            range.selectNodeContents(pre.firstChild);  // the long line only
            const tops = new Map();
            for (const r of range.getClientRects()) {
                const key = Math.round(r.top);
                tops.set(key, Math.min(tops.has(key) ? tops.get(key) : Infinity, r.left));
            }
            return {lefts: [...tops.values()], scrolls: pre.scrollWidth - pre.clientWidth,
                    start: pre.getBoundingClientRect().left + parseFloat(getComputedStyle(pre).paddingLeft)};
        }""", LONG_LINE)
    finally:
        context.close()
    assert lines["scrolls"] <= 1, "the code block scrolls sideways"
    assert len(lines["lefts"]) >= 2, "the long line did not wrap on a phone"
    first, *continued = lines["lefts"]
    assert abs(first - lines["start"]) <= 1  # the line itself starts at column 0 (its spaces are text)
    assert all(left > first + 5 for left in continued), f"continuation lines start at {continued}, line at {first}"


def test_charts_print_without_their_controls(browser, site_url):
    """Paper is not interactive: with the handout's print styles, no select, slider or checkbox of
    a chart (or any other input) is printed."""
    from test_accessibility import _open  # opens a page with every chart drawn

    from xaibook import handout

    css = (handout.Path(handout.__file__).parent / "static" / "xaibook-print.css").read_text()
    visit = _open(browser, site_url, "book/05_shap", "light")
    try:
        page = visit.page
        controls = page.evaluate("() => document.querySelectorAll('article select, article input').length")
        page.add_style_tag(content=css)
        page.evaluate("() => document.documentElement.classList.add('xaibook-print')")
        page.emulate_media(media="print")
        shown = page.evaluate("""() => [...document.querySelectorAll('article select, article input')]
            .filter(el => el.getClientRects().length > 0).map(el => el.outerHTML.slice(0, 120))""")
    finally:
        visit.close()
    assert controls > 0, "chapter 5 has no chart controls to hide (pick another page for this test)"
    assert not shown, f"controls printed: {shown[:5]}"
