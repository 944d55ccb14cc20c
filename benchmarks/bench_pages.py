"""How fast the built pages respond, in headless Chromium: ``python benchmarks/bench_pages.py``.

Serves a built site (default ``_build/html``) on 127.0.0.1, opens every page of the book in Debian's
chromium (driven by Playwright, every other host blocked) and prints, per page, the median over
``--repeats`` cold loads (a fresh browser context each time, so nothing is cached):

``DCL``
    DOMContentLoaded, ms after navigation start (the HTML is parsed and the deferred scripts ran).
``FCP``
    first contentful paint, ms.
``chart``
    a reader arriving at a chart: the page is opened at the first chart's anchor
    (``page.html#<chart id>``, so the browser scrolls to it while loading) and this is when the
    chart has drawn, ms after navigation (``-``: the page has no chart).
``TBT``
    total blocking time from FCP until ``--settle`` seconds after the load event: the sum, over
    main-thread tasks longer than 50 ms, of the part beyond 50 ms (the Lighthouse definition, cut
    off at a fixed window instead of time-to-interactive).
``scroll``
    after the page settled, each chart in turn is scrolled into the middle of the screen; the
    slowest time from scrolling to that chart being drawn, ms (``-`` on a page without charts).

Timings depend on the machine and on what else runs on it; compare builds on one machine, run
back to back (``--html`` takes any built site, e.g. one built from an older commit).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from conftest import CHROMIUM_ARGS, chromium_path, toc_files  # noqa: E402

#: Runs before any script of the page: records long tasks and when each chart first drew.
PROBE = """
(() => {
  const probe = window.__xaibookProbe = { longTasks: [] };
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  probe.drawnAt = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll(".xaibook-chart")) {
      if (!(el.id in probe.drawnAt) && el.querySelector("svg, canvas")) {
        probe.drawnAt[el.id] = performance.now();
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""

MEASURE = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const p = window.__xaibookProbe;
  const fcpTime = fcp ? fcp.startTime : 0;
  const tbt = p.longTasks.filter(([start]) => start >= fcpTime)
    .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0);
  const charts = [...document.querySelectorAll(".xaibook-chart")];
  return { dcl: nav.domContentLoadedEventEnd, fcp: fcpTime, tbt: tbt,
           firstChartId: charts.length ? charts[0].id : null, charts: charts.length };
}
"""

SCROLL_TO_EACH = """
async () => {
  const charts = [...document.querySelectorAll(".xaibook-chart")];
  const times = [];
  for (const el of charts) {
    const start = performance.now();
    el.scrollIntoView({ block: "center" });
    while (!el.querySelector("svg, canvas")) {
      if (performance.now() - start > 20000) { times.push(Infinity); break; }
      await new Promise(r => requestAnimationFrame(r));
    }
    if (el.querySelector("svg, canvas")) times.push(performance.now() - start);
  }
  return times;
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _open(browser, url: str, base: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
               else route.abort())
    page.add_init_script(PROBE)
    page.goto(url, wait_until="load")
    return context, page


def measure_page(browser, url: str, base: str, settle: float) -> dict:
    context, page = _open(browser, url, base)
    page.wait_for_timeout(settle * 1000)
    result = page.evaluate(MEASURE)
    scroll_times = page.evaluate(SCROLL_TO_EACH) if result["charts"] else []
    result["scroll"] = max(scroll_times) if scroll_times else None
    context.close()
    result["chart"] = None
    if result["firstChartId"]:
        context, page = _open(browser, f"{url}#{result['firstChartId']}", base)
        target = result["firstChartId"]
        page.wait_for_function("id => id in window.__xaibookProbe.drawnAt", arg=target,
                               timeout=30_000)
        result["chart"] = page.evaluate("id => window.__xaibookProbe.drawnAt[id]", target)
        context.close()
    return result


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _cell(value) -> str:
    if value is None:
        return "-"
    return "inf" if value == float("inf") else f"{value:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", default=str(REPO / "_build" / "html"), help="built site")
    parser.add_argument("--repeats", type=int, default=3, help="cold loads per page (median)")
    parser.add_argument("--settle", type=float, default=4.0, help="seconds to watch after load")
    parser.add_argument("pages", nargs="*", help="pages such as book/05_shap (default: all)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    html = Path(args.html)
    pages = args.pages or toc_files()
    server, base = serve(html)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        for name in pages:
            runs = [measure_page(browser, f"{base}/{name}.html", base, args.settle)
                    for _ in range(args.repeats)]
            rows.append((name, runs[0]["charts"],
                         *(_median([r[key] for r in runs]) for key in ("dcl", "fcp", "chart", "tbt", "scroll"))))
        browser.close()
    server.shutdown()

    print(f"{html}  (median of {args.repeats} cold loads, ms)")
    print("| page | charts | DCL | FCP | chart at anchor drawn | TBT | scroll to chart, slowest |")
    print("|---|---|---|---|---|---|---|")
    for name, charts, *values in rows:
        print(f"| {name} | {charts} | " + " | ".join(_cell(v) for v in values) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
