/* Draw the book's Altair charts with the Vega libraries served by this site (xaibook-vega.js).
 *
 * Loading and drawing (this section's functions):
 * - Each chart's inline script calls xaibookEmbed(el, spec) while the page is still parsing; that
 *   only registers the chart. `spec` is the Vega-Lite spec, or a function returning it (the book's
 *   charts keep their spec in a <script type="application/json"> that is parsed only when needed).
 * - An IntersectionObserver draws a chart when it comes within about a screen of the viewport.
 *   Charts the reader never reaches are never compiled.
 * - The Vega bundle is fetched (not run) when the first chart registers, and run once the page
 *   has been parsed (DOMContentLoaded), so it never delays the text; a chart-free page never
 *   loads it.
 * - Charts are drawn one at a time, each in its own task, so the page stays responsive; charts
 *   on the screen first, those just off it when the browser is idle.
 * - The chart's <div> reserves its drawn size (min-height set by xaibook.render), so nothing jumps.
 *
 * Charts follow the site's light/dark switch: when the theme changes, each chart that has been
 * drawn is drawn again with colours that stay readable on the new background.
 *
 * Accessibility (kept in its own functions below, called once per drawing and once per chart):
 * makeAccessible() names a drawn chart for screen readers and labels vega-embed's menu;
 * announceSignal() reads out a chart's live result (usermeta.xaibook.announce);
 * attachDataTable() fills the "data" disclosure under a chart from the chart's own data, parsing
 * the spec only when the reader opens the disclosure. */
(function () {
  "use strict";
  var charts = [];

  /* ---- Loading: the Vega bundle on demand ------------------------------------------------- */

  // The bundle sits beside this file in the site's _static folder.
  var script = document.currentScript || document.querySelector('script[src*="xaibook-charts.js"]');
  var bundleUrl = script.src.replace(/xaibook-charts\.js(\?.*)?$/, "xaibook-vega.js");
  var vegaLoading = null;
  var vegaPreloaded = false;

  // While the page is still parsing: only fetch the bundle (no script runs), so it is at hand.
  function preloadVega() {
    if (vegaPreloaded || window.vegaEmbed) { return; }
    vegaPreloaded = true;
    var link = document.createElement("link");
    link.rel = "preload";
    link.as = "script";
    link.href = bundleUrl;
    document.head.appendChild(link);
  }

  function loadVega() {
    if (window.vegaEmbed) { return Promise.resolve(); }
    if (!vegaLoading) {
      vegaLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = bundleUrl;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("could not load " + bundleUrl)); };
        document.head.appendChild(s);
      });
    }
    return vegaLoading;
  }

  /* ---- Drawing: one chart at a time, when it comes near the viewport ----------------------- */

  var queue = [];
  var drawing = false;

  function nextTask(callback) {
    // A chart on the screen is drawn in the next task; one just off the screen when the browser
    // is idle, so that scrolling and clicks go first.
    var urgent = queue.some(onScreen);
    if (urgent || !window.requestIdleCallback) { setTimeout(callback, 0); }
    else { window.requestIdleCallback(callback, { timeout: 1000 }); }
  }

  function specOf(chart) {
    if (typeof chart.spec === "function") { chart.spec = chart.spec(); }
    return chart.spec;
  }

  function onScreen(chart) {
    var box = chart.el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function drainQueue() {
    if (drawing || queue.length === 0) { return; }
    drawing = true;
    // The reader may have scrolled on: a chart on the screen goes before those near it.
    var index = Math.max(0, queue.findIndex(onScreen));
    var chart = queue.splice(index, 1)[0];
    loadVega().then(function () {
      return draw(chart);
    }).catch(function (error) {
      chart.el.dataset.drawn = "error";
      chart.el.textContent = "This chart could not be drawn: " + error.message;
      console.error(error);
    }).then(function () {
      drawing = false;
      if (queue.length) { nextTask(drainQueue); }
    });
  }

  function request(chart) {
    if (chart.requested) { return; }
    chart.requested = true;
    queue.push(chart);
    drainQueue();
  }

  var observer = "IntersectionObserver" in window
    ? new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) { return; }
          observer.unobserve(entry.target);
          request(entry.target.xaibookChart);
        });
      }, { rootMargin: "100% 0px 100% 0px" })
    : null;

  // A page with charts runs the bundle as soon as it has been parsed, before the reader scrolls.
  document.addEventListener("DOMContentLoaded", function () {
    if (charts.length) { loadVega(); }
  });

  window.xaibookEmbed = function (el, spec) {
    var chart = { el: el, spec: spec, view: null, requested: false };
    el.xaibookChart = chart;
    charts.push(chart);
    attachDataTable(chart);
    preloadVega();
    // The reader followed a link to this very chart: draw it without waiting for the scroll.
    if (window.location.hash === "#" + el.id) { request(chart); }
    if (observer) { observer.observe(el); } else { request(chart); }
    return chart;
  };

  /* ---- Colours for the site's dark mode ----------------------------------------------------- */

  var darkConfig = {
    background: null,
    title: { color: "#e6e6e6", subtitleColor: "#c8c8c8" },
    axis: { labelColor: "#d0d0d0", titleColor: "#e6e6e6", domainColor: "#9a9a9a",
            tickColor: "#9a9a9a", gridColor: "#4a4a4a" },
    legend: { labelColor: "#d0d0d0", titleColor: "#e6e6e6" },
    header: { labelColor: "#d0d0d0", titleColor: "#e6e6e6" },
    view: { stroke: "#5a5a5a" },
    text: { color: "#e6e6e6" }
  };

  function isDark() {
    return document.documentElement.dataset.theme === "dark";
  }

  // ---- Accessibility -------------------------------------------------------------------------

  /* After each drawing: the figure <div> already carries the chart's title and description as its
   * accessible name (xaibook.render), so the picture itself is hidden from assistive technology
   * (Vega's per-mark ARIA would otherwise announce hundreds of unnamed shapes); the actions menu
   * gets a name; bound inputs (sliders, pickers) stay reachable and get described by the figure. */
  function makeAccessible(chart) {
    var el = chart.el;
    var label = el.getAttribute("aria-label") || "Chart";
    el.querySelectorAll("svg.marks, canvas.marks").forEach(function (picture) {
      picture.setAttribute("aria-hidden", "true");
      picture.removeAttribute("aria-label");
      picture.removeAttribute("role");
      picture.setAttribute("focusable", "false");
    });
    el.querySelectorAll("details > summary").forEach(function (summary) {
      summary.setAttribute("aria-label", "Chart menu: save \u201c" + label.split(". ")[0] + "\u201d as an image");
      summary.setAttribute("title", "Save the chart as an image");
    });
  }

  /* Charts whose lesson is a number that follows an input (the what-if slider) name a Vega signal
   * in usermeta.xaibook.announce = {signal, format}; its value is read out in a live region. */
  function announceSignal(chart) {
    var meta = chart.spec.usermeta && chart.spec.usermeta.xaibook;
    var announce = meta && meta.announce;
    if (!announce || !chart.view) { return; }
    var region = document.getElementById(chart.el.id + "-announce");
    if (!region) {
      region = document.createElement("p");
      region.id = chart.el.id + "-announce";
      region.className = "xaibook-chart-announce";
      region.setAttribute("aria-live", "polite");
      chart.el.insertAdjacentElement("afterend", region);
    }
    chart.el.querySelectorAll(".vega-bindings input, .vega-bindings select").forEach(function (input) {
      input.setAttribute("aria-describedby", region.id);
    });
    var show = function (value) {
      region.textContent = announce.format.replace("{value}",
        typeof value === "number" ? value.toFixed(announce.digits || 3) : String(value));
    };
    try {
      show(chart.view.signal(announce.signal));
      chart.view.addSignalListener(announce.signal, function (name, value) { show(value); });
    } catch (err) {
      region.textContent = "";  // the chart names a signal it does not have: say nothing
    }
  }

  function cellText(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function buildTable(spec, plan) {
    var rows = spec;
    plan.path.forEach(function (key) { rows = rows ? rows[key] : undefined; });
    var table = document.createElement("table");
    table.className = "xaibook-data-table";
    var caption = table.createCaption();
    caption.textContent = plan.caption + " (" + (rows ? rows.length : 0) + " rows)";
    var head = table.createTHead().insertRow();
    plan.columns.forEach(function (column) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = column.title;
      if (column.numeric) { th.className = "xaibook-num"; }
      head.appendChild(th);
    });
    var body = table.createTBody();
    (rows || []).forEach(function (row) {
      var tr = body.insertRow();
      plan.columns.forEach(function (column, j) {
        var cell = document.createElement(j === 0 ? "th" : "td");
        if (j === 0) { cell.scope = "row"; }
        if (column.numeric) { cell.className = "xaibook-num"; }
        cell.textContent = cellText(row[column.field]);
        tr.appendChild(cell);
      });
    });
    return table;
  }

  /* The disclosure under a chart (xaibook.render.data_table_html) holds the table plan; the rows
   * come from the spec when the reader first opens it. */
  function attachDataTable(chart) {
    var el = chart.el;
    var details = document.querySelector('details.xaibook-chart-data[data-chart="' + el.id + '"]');
    if (!details) {
      // The chart's script runs before the parser reaches the disclosure that follows it.
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { attachDataTable(chart); });
      }
      return;
    }
    var fill = function () {
      if (!details.open || details.dataset.filled) { return; }
      var body = details.querySelector(".xaibook-chart-data-body");
      body.textContent = "";
      var plans = JSON.parse(details.dataset.tables);
      plans.forEach(function (plan, i) {
        var wrap = document.createElement("div");
        wrap.className = "xaibook-data-table-wrap";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        // Landmarks need unique names: two views of one chart may share its title.
        var number = plans.length > 1 ? " " + (i + 1) + " of " + plans.length : "";
        wrap.setAttribute("aria-label", plan.caption + ": data table" + number);
        wrap.appendChild(buildTable(specOf(chart), plan));
        body.appendChild(wrap);
      });
      details.dataset.filled = "true";
    };
    details.addEventListener("toggle", fill);
    details.hidden = false;
    fill();
  }

  // ---- Drawing ---------------------------------------------------------------------------------

  function draw(chart) {
    if (chart.view) { chart.view.finalize(); }
    var options = {
      actions: { export: true, source: false, compiled: false, editor: false },
      config: isDark() ? darkConfig : {}
    };
    // The handout (xaibook.handout) asks for SVG so printed charts stay vector graphics; otherwise
    // the chart's own choice (usermeta.embedOptions, e.g. SVG for the what-if chart) or the default.
    if (window.xaibookRenderer) { options.renderer = window.xaibookRenderer; }
    return window.vegaEmbed(chart.el, specOf(chart), options).then(function (result) {
      chart.view = result.view;
      makeAccessible(chart);
      announceSignal(chart);
      chart.el.dataset.drawn = "true";
      return result;
    });
  }

  var lastTheme = document.documentElement.dataset.theme;
  new MutationObserver(function () {
    var theme = document.documentElement.dataset.theme;
    if (theme === lastTheme) { return; }
    lastTheme = theme;
    // Only charts already drawn are redrawn; the others get the new colours when reached.
    charts.forEach(function (chart) {
      if (chart.view) { chart.requested = false; request(chart); }
    });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
