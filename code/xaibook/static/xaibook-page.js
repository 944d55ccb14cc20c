/* Tables that fit their column (issue 32), on a laptop, on a phone and on paper.
 *
 * A table first wraps its cells between words (and after the "_" of a feature name, see
 * xaibook.tables). If it is still wider than the text column, it is set in a smaller type
 * ("xaibook-compact"); if even that is too wide (many columns on a phone), each row becomes a card
 * that lists "column: value" lines ("xaibook-stacked", styled in xaibook-page.css). The cards keep
 * the table's meaning for screen readers through ARIA table roles, and the choice is made again
 * whenever the width of the page changes. The handout (xaibook.handout) calls
 * window.xaibookFitTables() once the page is laid out at the paper's width.
 */
(function () {
  "use strict";

  var COMPACT = "xaibook-compact";
  var STACKED = "xaibook-stacked";

  function contentRight(element) {
    var box = element.getBoundingClientRect();
    var style = getComputedStyle(element);
    return box.right - parseFloat(style.paddingRight || "0") - parseFloat(style.borderRightWidth || "0");
  }

  /* The right edge a table must not pass: its column's (the article's), or a narrower parent's. */
  function limit(table) {
    var article = table.closest("article.bd-article") || document.body;
    var right = contentRight(article);
    var parent = table.parentElement;
    if (parent && parent !== article) { right = Math.min(right, contentRight(parent)); }
    return right;
  }

  /* Where the table's drawing ends: its box, or any cell past it (a table never shrinks below its
     content, whatever its width says; a long value may sit in any row). */
  function rightEdge(table) {
    var right = table.getBoundingClientRect().right;
    table.querySelectorAll("th, td").forEach(function (cell) {
      right = Math.max(right, cell.getBoundingClientRect().right);
    });
    return right;
  }

  function fits(table) {
    // every cell inside the column, and nothing to scroll sideways inside the table itself
    return rightEdge(table) <= limit(table) + 0.5 && table.scrollWidth - table.clientWidth <= 1;
  }

  /* Cards need each cell's column name, and explicit table roles (display: block drops them). */
  function prepareCards(table) {
    if (table.dataset.xaibookCards === "true") { return; }
    var headRow = table.querySelector("thead tr:last-child");
    var names = headRow ? Array.prototype.map.call(headRow.children, function (cell) {
      return cell.textContent.trim();
    }) : [];
    table.setAttribute("role", "table");
    table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) { group.setAttribute("role", "rowgroup"); });
    table.querySelectorAll("tr").forEach(function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell, i) {
        var inHead = cell.closest("thead") !== null;
        cell.setAttribute("role", inHead ? "columnheader" : (cell.tagName === "TH" ? "rowheader" : "cell"));
        if (!inHead && names[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", names[i]); }
      });
    });
    table.dataset.xaibookCards = "true";
  }

  function fitTable(table) {
    table.classList.remove(COMPACT, STACKED);
    if (table.getBoundingClientRect().width === 0 || fits(table)) { return "fits"; }
    table.classList.add(COMPACT);
    if (fits(table)) { return "compact"; }
    table.classList.remove(COMPACT);
    prepareCards(table);
    table.classList.add(STACKED);
    return "stacked";
  }

  function fitTables() {
    var counts = { fits: 0, compact: 0, stacked: 0 };
    document.querySelectorAll("article.bd-article table").forEach(function (table) {
      if (table.closest(".xaibook-chart, .xaibook-chart-data")) { return; }
      counts[fitTable(table)] += 1;
    });
    return counts;
  }

  window.xaibookFitTables = fitTables;

  var lastWidth = null;
  var pending = null;
  function onResize() {
    if (window.innerWidth === lastWidth) { return; }
    lastWidth = window.innerWidth;
    if (pending) { cancelAnimationFrame(pending); }
    pending = requestAnimationFrame(function () { pending = null; fitTables(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onResize);
  } else {
    onResize();
  }
  window.addEventListener("load", fitTables);  // the web fonts are in: measure again
  window.addEventListener("resize", onResize);
  // A table in a disclosure (a <details>, or an exercise's solution) is measured once it opens.
  document.addEventListener("toggle", function () { requestAnimationFrame(fitTables); }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("summary, .toggle-button, .dropdown")) {
      setTimeout(fitTables, 50);
    }
  });
})();
