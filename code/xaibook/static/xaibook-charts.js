/* Draw the book's Altair charts with the Vega libraries served by this site (xaibook-vega.js).
 * Charts follow the site's light/dark switch: when the theme changes, each chart is drawn again
 * with colours that stay readable on the new background. */
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

  function draw(chart) {
    if (chart.view) { chart.view.finalize(); }
    var options = {
      actions: { export: true, source: false, compiled: false, editor: false },
      config: isDark() ? darkConfig : {},
      // The handout (xaibook.handout) asks for SVG so printed charts stay vector graphics.
      renderer: window.xaibookRenderer || "canvas"
    };
    return window.vegaEmbed(chart.el, chart.spec, options).then(function (result) {
      chart.view = result.view;
      chart.el.dataset.drawn = "true";
      return result;
    });
  }

  window.xaibookEmbed = function (el, spec) {
    var chart = { el: el, spec: spec, view: null };
    charts.push(chart);
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
