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

  /* The palette's colours (xaibook.charts._base.PALETTE) that are too dark for the dark page once
   * drawn translucent, and their lighter dark-mode versions: each keeps 3:1 against the dark page
   * at 70 % opacity (WCAG 1.4.11; tests/test_chart_fit.py measures it) and white text on it 3:1. */
  var DARK_COLOURS = {
    "#0072B2": "#4A97E0",  // blue
    "#B47C00": "#C98A00",  // orange
    "#C25F96": "#CC79A7",  // reddish purple
    "#1C96DA": "#7CC8F2",  // sky blue (lighter still, to stay apart from the blue)
    "#D55E00": "#E8743B"   // vermillion
  };
  var DARK_PATTERN = new RegExp(Object.keys(DARK_COLOURS).join("|"), "gi");

  // The spec with the dark page's versions of the palette's colours (scales, marks, conditions).
  function darkSpec(spec) {
    return JSON.parse(JSON.stringify(spec).replace(DARK_PATTERN, function (colour) {
      return DARK_COLOURS[colour.toUpperCase()] || colour;
    }));
  }

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

  // ---- Fitting the column ----------------------------------------------------------------------

  /* Vega-Lite's own responsive sizing (width "container", autosize "fit") works for single and
   * layered views only, not for the book's concatenations and facets, and it fits every chart to
   * the full column. So a chart is first drawn as its builder made it; when the drawing is wider
   * than the space it has (the column, less vega-embed's menu), it is drawn again from a refitted
   * copy of its spec (refit), starting from the chart's phone layout where its builder made one
   * (narrowLayout: texts the builder placed in pixels, placed again for a phone, which scaling
   * alone would push onto each other): on a narrow screen side-by-side views are stacked, facets go into
   * one column, legends move under the plot and long titles wrap; then every view's width (and
   * the default widths of the theme) is scaled by one factor, found by the secant method on the
   * drawn widths, until the chart fits. Heights are kept, so a chart on a wide screen keeps the
   * room reserved for it. Nothing changes in the chart's data, encodings or interactions. */

  var NARROW = 600;      // below this many pixels of room, views stack and legends go under the plot
  var MIN_FACTOR = 0.2;  // views are never made narrower than a fifth of their design width

  function room(el) {
    var style = window.getComputedStyle(el);
    return el.clientWidth - parseFloat(style.paddingLeft || 0) - parseFloat(style.paddingRight || 0);
  }

  // The column's room for a chart (its parent's width, less the chart's padding for the menu): a
  // drawn chart's own box is only as wide as its drawing.
  function columnRoom(el) {
    var style = window.getComputedStyle(el);
    var outer = el.parentElement ? el.parentElement.clientWidth : el.clientWidth;
    return outer - parseFloat(style.paddingLeft || 0) - parseFloat(style.paddingRight || 0);
  }

  function drawnWidth(el) {
    var widest = 0;
    el.querySelectorAll("svg.marks, canvas.marks").forEach(function (picture) {
      widest = Math.max(widest, picture.getBoundingClientRect().width);
    });
    return widest;
  }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  // Every view of a spec (the spec itself, the members of its layers, concatenations and facets).
  function eachView(node, visit) {
    if (!node || typeof node !== "object" || Array.isArray(node)) { return; }
    visit(node);
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (key) {
      (node[key] || []).forEach(function (child) { eachView(child, visit); });
    });
    if (node.spec) { eachView(node.spec, visit); }
  }

  var measurer = null;
  function textWidth(text, font) {
    measurer = measurer || document.createElement("canvas").getContext("2d");
    measurer.font = font;
    return measurer.measureText(text).width;
  }

  // The text of a title split into lines no wider than `width` (Vega does not wrap titles).
  function wrapText(text, width, font) {
    var words = (Array.isArray(text) ? text.join(" ") : String(text)).split(/\s+/);
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      var longer = line ? line + " " + word : word;
      if (line && textWidth(longer, font) > width) { lines.push(line); line = word; }
      else { line = longer; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : lines[0] || "";
  }

  function wrapTitle(node, width, config) {
    var title = node.title;
    if (title === undefined || title === null || title === "") { return; }
    if (typeof title !== "object" || Array.isArray(title)) { title = { text: title }; }
    var defaults = (config && config.title) || {};
    var family = (config && config.font) || "sans-serif";
    var size = title.fontSize || defaults.fontSize || 13;
    var weight = title.fontWeight || defaults.fontWeight || "bold";
    title.text = wrapText(title.text, width, weight + " " + size + "px " + family);
    if (title.subtitle) {
      var small = title.subtitleFontSize || defaults.subtitleFontSize || 12;
      title.subtitle = wrapText(title.subtitle, width, small + "px " + family);
    }
    node.title = title;
  }

  // Every field definition of a view's encoding (conditions included).
  function eachDefinition(node, visit) {
    var encoding = node.encoding || {};
    Object.keys(encoding).forEach(function (channel) {
      var defs = Array.isArray(encoding[channel]) ? encoding[channel] : [encoding[channel]];
      defs.forEach(function (def) {
        if (!def || typeof def !== "object") { return; }
        visit(channel, def);
        if (def.condition && typeof def.condition === "object" && !Array.isArray(def.condition)) {
          visit(channel, def.condition);
        }
      });
    });
  }

  var LEGEND_CHANNELS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];

  /* Legends and axis labels that fit `width`: legends beside the plot go under it (narrow only),
   * multi-column legends get as many columns as fit, and long labels are cut (with an ellipsis;
   * the tooltip and the data table keep the full text). */
  function loosen(node, width, narrow, config) {
    var legendLimit = Math.max(80, Math.round(width - 110));
    var labelLimit = Math.max(60, Math.round(width * 0.4));
    var columns = Math.max(1, Math.floor(width / 230));
    eachDefinition(node, function (channel, def) {
      // (a legend the builder left to Vega-Lite's defaults gets the narrow layout too)
      if (narrow && def.legend === undefined && def.field && LEGEND_CHANNELS.indexOf(channel) >= 0) {
        def.legend = {};
      }
      var legend = def.legend;
      if (legend && typeof legend === "object") {
        if (narrow && (legend.orient === undefined || legend.orient === "right" || legend.orient === "left")) {
          legend.orient = "bottom";
          legend.direction = legend.direction || (def.type === "quantitative" ? "horizontal" : "vertical");
        }
        // On a phone a legend of symbols lists its entries one under another.
        if (narrow && def.type !== "quantitative") {
          legend.direction = "vertical";
        }
        if (legend.columns > columns) { legend.columns = columns; }
        // (only a limit the builder set: a legend merged from several channels must keep one value)
        if (legend.labelLimit !== undefined && (legend.labelLimit === 0 || legend.labelLimit > legendLimit)) {
          legend.labelLimit = legendLimit;
        }
      }
      var axis = def.axis;
      // Horizontal axis titles wrap to half the room, so they never hold a narrow plot wide.
      if (narrow && channel === "x") {
        var font = "bold " + (((config && config.axis) || {}).titleFontSize || 11) + "px " +
                   ((config && config.font) || "sans-serif");
        if (axis && typeof axis === "object" && typeof axis.title === "string") {
          axis.title = wrapText(axis.title, width * 0.5, font);
        } else if (typeof def.title === "string") {
          def.title = wrapText(def.title, width * 0.5, font);
        }
      }
      // Slanted labels need their columns wider than a text's height divided by the slant's sine;
      // a phone's narrow columns get upright labels, which need only the text's height.
      if (narrow && channel === "x" && axis && typeof axis === "object" && typeof axis.labelAngle === "number" &&
          axis.labelAngle % 90 !== 0) {
        axis.labelAngle = -90;
      }
      if (narrow && (channel === "y" || channel === "x") && axis && typeof axis === "object") {
        axis.labelLimit = Math.min(axis.labelLimit || 180, labelLimit);
        if (axis.minExtent > labelLimit) { axis.minExtent = labelLimit; }
        if (axis.maxExtent > labelLimit) { axis.maxExtent = labelLimit; }
      }
    });
  }

  // The spec laid out for `width` pixels: on a narrow column views one under another.
  function relayout(spec, width, narrow) {
    var out = copy(spec);
    eachView(out, function (node) {
      if (narrow) { stackView(node); }
      loosen(node, width, narrow, out.config);
      wrapTitle(node, width - 24, out.config);
    });
    out.config = out.config || {};
    var legend = { labelLimit: Math.max(80, Math.round(width - 110)) };
    if (narrow) {
      legend.orient = "bottom";
      legend.symbolDirection = "vertical";
      out.config.axis = Object.assign({}, out.config.axis, { labelLimit: Math.max(60, Math.round(width * 0.4)) });
    }
    out.config.legend = Object.assign({}, out.config.legend, legend);
    return out;
  }

  // Views side by side that read as one table (later ones share the first one's rows: the y scale
  // is resolved "shared", or they hide their own y axis) stay side by side.
  function hidesRows(view) {
    var y = view && view.encoding && view.encoding.y;
    if (y && y.axis === null) { return true; }
    return (view && view.layer || []).some(hidesRows);
  }

  function sharesRows(node) {
    var shared = node.resolve && node.resolve.scale && node.resolve.scale.y === "shared";
    return shared || (node.hconcat || []).some(function (child, i) { return i > 0 && hidesRows(child); });
  }

  // One view of a narrow chart: concatenations and facets in one column.
  function stackView(node) {
    if (node.hconcat && !sharesRows(node)) { node.vconcat = node.hconcat; delete node.hconcat; }
    if (node.concat && node.columns !== 1) { node.columns = 1; }
    if (node.facet && node.facet.column && !node.facet.row && !node.facet.field) {
      node.facet = node.facet.column;
      node.columns = 1;
    } else if (node.facet && node.facet.field && node.columns !== 1) {
      node.columns = 1;
    }
    var encoding = node.encoding;
    if (encoding && encoding.column && !encoding.row) {
      encoding.row = encoding.column;
      delete encoding.column;
    }
    if (encoding && encoding.facet) { encoding.facet.columns = 1; }
  }

  function scaleWidth(value, factor) {
    if (typeof value === "number") { return Math.max(10, Math.round(value * factor)); }
    if (value && typeof value === "object" && typeof value.step === "number") {
      return Object.assign({}, value, { step: Math.max(4, value.step * factor) });
    }
    return value;
  }

  // The spec with every view `factor` times as wide (heights unchanged).
  function scaled(spec, factor) {
    var out = copy(spec);
    eachView(out, function (node) {
      if (node.width !== undefined && node.width !== "container") { node.width = scaleWidth(node.width, factor); }
    });
    var view = out.config && out.config.view;
    if (view) {
      view.continuousWidth = scaleWidth(view.continuousWidth || 300, factor);
      view.discreteWidth = scaleWidth(view.discreteWidth || { step: 20 }, factor);
      if (view.step) { view.step = scaleWidth(view.step, factor); }
    } else {
      out.config = Object.assign({}, out.config, { view: { continuousWidth: Math.round(300 * factor),
                                                           discreteWidth: { step: 20 * factor } } });
    }
    return out;
  }

  /* Last resort, for a chart whose fixed parts (long labels, a legend) stay wider than the room
   * at the narrowest views: the picture itself is scaled down to the room (an SVG keeps its
   * aspect ratio through its viewBox; vega-embed's SVG handler picks marks by the DOM, so tooltips
   * and clicks still hit the right marks). */
  function shrinkPicture(el, available) {
    var picture = el.querySelector("svg.marks");
    if (!picture) { return; }
    var width = parseFloat(picture.getAttribute("width"));
    var height = parseFloat(picture.getAttribute("height"));
    if (!(width > available) || !(height > 0)) { return; }
    if (!picture.getAttribute("viewBox")) { picture.setAttribute("viewBox", "0 0 " + width + " " + height); }
    picture.setAttribute("width", String(Math.floor(available)));
    picture.setAttribute("height", String(Math.floor(height * available / width)));
    el.dataset.shrunk = (available / width).toFixed(2);
  }

  /* A chart whose builder placed texts in pixels carries its phone layout in
   * usermeta.xaibook.narrow (xaibook.charts._base.with_narrow_layout); its data is the chart's. */
  function narrowLayout(spec) {
    var meta = spec.usermeta && spec.usermeta.xaibook;
    if (!meta || !meta.narrow) { return null; }
    var out = copy(meta.narrow);
    out.datasets = Object.assign({}, spec.datasets, out.datasets);
    out.config = out.config || spec.config;
    ["title", "description"].forEach(function (key) { if (out[key] === undefined) { out[key] = spec[key]; } });
    return out;
  }

  /* Draw `chart` so that it fits its room: returns a promise of the last drawing. */
  function drawFitted(chart) {
    var el = chart.el;
    var spec = specOf(chart);
    var available;
    return embed(chart, spec).then(function (result) {
      available = room(el);  // (after vega-embed has made room for its menu)
      var width = drawnWidth(el);
      var phone = columnRoom(el) < NARROW ? narrowLayout(spec) : null;
      if (phone) { available = columnRoom(el); }
      var stacked = available < NARROW;
      if (!(available > 0) || (width <= available + 0.5 && !phone)) {
        chart.fit = { factor: 1, stacked: false };
        return result;
      }
      var base = relayout(phone || spec, available, stacked);
      var points = [];           // (factor, drawn width) pairs
      function attempt(factor, tries) {
        return embed(chart, factor === 1 ? base : scaled(base, factor)).then(function (res) {
          var drawn = drawnWidth(el);
          points.push([factor, drawn]);
          chart.fit = { factor: factor, stacked: stacked, points: points };
          if (drawn <= available + 0.5) { return res; }
          if (tries === 0 || factor <= MIN_FACTOR) { shrinkPicture(el, available); return res; }
          var next;
          if (points.length >= 2) {
            var a = points[points.length - 2];
            var b = points[points.length - 1];
            var slope = (b[1] - a[1]) / (b[0] - a[0]);
            next = slope > 0 ? b[0] - (b[1] - available + 2) / slope : b[0] * 0.9;
          } else {
            next = factor * (available - 2) / drawn;
          }
          next = Math.max(MIN_FACTOR, Math.min(next, factor * 0.98));
          return attempt(next, tries - 1);
        });
      }
      return attempt(1, 6);
    });
  }

  // ---- Paper ---------------------------------------------------------------------------------

  /* On paper (the handout sets window.xaibookPaper) nothing can be clicked or hovered: the clauses
   * of chart titles and captions that tell a reader with a mouse what to do are left out.
   * A clause is a sentence, a part of one between semicolons, or a parenthesis. */
  var POINTER_WORDS = /\b(click|clicks|clicking|double-click|hover|hovering|drag|dragging|select|choose|pick|move|slider|scroll|zoom|tap)\b/i;

  function forPaper(text) {
    if (text === undefined || text === null) { return text; }
    var whole = Array.isArray(text) ? text.join(" ") : String(text);
    var sentences = whole.split(/(?<=[.!?])\s+/).map(function (sentence) {
      var end = /[.!?]$/.test(sentence) ? sentence.slice(-1) : "";
      var body = end ? sentence.slice(0, -1) : sentence;
      body = body.replace(/\s*\([^()]*\)/g, function (part) { return POINTER_WORDS.test(part) ? "" : part; });
      var all = body.split(/;\s*/);
      var clauses = all.filter(function (clause) { return clause.trim() && !POINTER_WORDS.test(clause); });
      if (!clauses.length) { return ""; }
      var kept = clauses.join("; ");
      // (a sentence that lost its first clause starts as it did: with a capital where it had one)
      var capital = clauses[0] !== all[0] && /^[A-Z]/.test(sentence);
      return (capital ? kept.charAt(0).toUpperCase() + kept.slice(1) : kept) + end;
    });
    return sentences.filter(Boolean).join(" ");
  }
  window.xaibookForPaper = forPaper;

  // The spec with every title and subtitle as it reads on paper (a title that is only an
  // instruction, "Click a dot to pick a person", goes).
  function paperSpec(spec) {
    var out = copy(spec);
    eachView(out, function (node) {
      var title = node.title;
      if (title === undefined || title === null) { return; }
      if (typeof title !== "object" || Array.isArray(title)) { node.title = forPaper(title); return; }
      title.text = forPaper(title.text);
      if (title.subtitle !== undefined) { title.subtitle = forPaper(title.subtitle); }
    });
    return out;
  }

  // ---- Drawing ---------------------------------------------------------------------------------

  function embed(chart, spec) {
    if (chart.view) { chart.view.finalize(); }
    var options = {
      actions: { export: true, source: false, compiled: false, editor: false },
      config: isDark() ? darkConfig : {}
    };
    // The handout (xaibook.handout) asks for SVG so printed charts stay vector graphics; otherwise
    // the chart's own choice (usermeta.embedOptions, e.g. SVG for the what-if chart) or the default.
    if (window.xaibookRenderer) { options.renderer = window.xaibookRenderer; }
    if (window.xaibookPaper) { spec = paperSpec(spec); }
    if (isDark()) { spec = darkSpec(spec); }
    return window.vegaEmbed(chart.el, spec, options).then(function (result) {
      chart.view = result.view;
      return result;
    });
  }

  function draw(chart) {
    return drawFitted(chart).then(function (result) {
      chart.drawnRoom = room(chart.el);
      makeAccessible(chart);
      announceSignal(chart);
      chart.el.dataset.drawn = "true";
      return result;
    });
  }

  // When the column changes width (a rotated phone, a resized window), refit the drawn charts.
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (chart) {
        if (chart.view && Math.abs(room(chart.el) - chart.drawnRoom) > 1) { chart.requested = false; request(chart); }
      });
    }, 250);
  });

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
