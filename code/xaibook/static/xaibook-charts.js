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
 * drawn is drawn again with colours that stay readable on the new background. */
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

  function draw(chart) {
    if (chart.view) { chart.view.finalize(); }
    var options = {
      actions: { export: true, source: false, compiled: false, editor: false },
      config: isDark() ? darkConfig : {}
    };
    return window.vegaEmbed(chart.el, specOf(chart), options).then(function (result) {
      chart.view = result.view;
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
