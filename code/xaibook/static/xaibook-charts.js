/* Draw the book's Altair charts with the Vega libraries served by this site (xaibook-vega.js).
 * Charts follow the site's light/dark switch: when the theme changes, each chart is drawn again
 * with colours that stay readable on the new background.
 *
 * Accessibility (kept in its own functions below, called once per drawing and once per chart):
 * makeAccessible() names a drawn chart for screen readers and labels vega-embed's menu;
 * announceSignal() reads out a chart's live result (usermeta.xaibook.announce);
 * attachDataTable() fills the "data" disclosure under a chart from the chart's own data. */
(function () {
  "use strict";
  var charts = [];

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
  function attachDataTable(el, spec) {
    var details = document.querySelector('details.xaibook-chart-data[data-chart="' + el.id + '"]');
    if (!details) {
      // The chart's script runs before the parser reaches the disclosure that follows it.
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { attachDataTable(el, spec); });
      }
      return;
    }
    var fill = function () {
      if (!details.open || details.dataset.filled) { return; }
      var body = details.querySelector(".xaibook-chart-data-body");
      body.textContent = "";
      JSON.parse(details.dataset.tables).forEach(function (plan) {
        var wrap = document.createElement("div");
        wrap.className = "xaibook-data-table-wrap";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", plan.caption + ": data table");
        wrap.appendChild(buildTable(spec, plan));
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
    return window.vegaEmbed(chart.el, chart.spec, options).then(function (result) {
      chart.view = result.view;
      makeAccessible(chart);
      announceSignal(chart);
      chart.el.dataset.drawn = "true";
      return result;
    });
  }

  window.xaibookEmbed = function (el, spec) {
    var chart = { el: el, spec: spec, view: null };
    charts.push(chart);
    attachDataTable(el, spec);
    return draw(chart);
  };

  var lastTheme = document.documentElement.dataset.theme;
  new MutationObserver(function () {
    var theme = document.documentElement.dataset.theme;
    if (theme === lastTheme) { return; }
    lastTheme = theme;
    charts.forEach(draw);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();
