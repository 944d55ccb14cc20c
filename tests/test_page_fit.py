"""Tables and code fit the text column on a laptop (1280 px) and a phone (390 px).

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
  for (const el of article.querySelectorAll("table, pre")) {
    if (el.closest(".xaibook-chart, details:not([open]), .xaibook-chart-data")) { continue; }
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
