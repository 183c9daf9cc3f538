// pageload report interaction. Optional: the page is complete without it (rows are
// <details>, bars are positioned by CSS). No network access of any kind.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".row"));
  var tools = document.querySelector(".tools");
  if (tools) tools.hidden = false;

  function setAll(open) { rows.forEach(function (r) { if (!r.hidden) r.open = open; }); }
  var expand = document.getElementById("expand");
  var collapse = document.getElementById("collapse");
  if (expand) expand.addEventListener("click", function () { setAll(true); });
  if (collapse) collapse.addEventListener("click", function () { setAll(false); });

  // Filter rows by the text of their summary line (URL, status, redirect target).
  var filter = document.getElementById("filter");
  if (filter) filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase();
    rows.forEach(function (r) {
      r.hidden = q !== "" && r.firstElementChild.textContent.toLowerCase().indexOf(q) < 0;
    });
  });

  // Hovering a row or a connection highlights every request on the same connection.
  var conns = Array.prototype.slice.call(document.querySelectorAll(".cx[data-conn]"));
  function highlight(id) {
    rows.forEach(function (r) { r.classList.toggle("hl", id !== "" && r.dataset.conn === id); });
    conns.forEach(function (c) { c.classList.toggle("hl", id !== "" && c.dataset.conn === id); });
  }
  rows.concat(conns).forEach(function (el) {
    var target = el.tagName === "DETAILS" ? el.firstElementChild : el;
    target.addEventListener("mouseenter", function () { highlight(el.dataset.conn || ""); });
    target.addEventListener("mouseleave", function () { highlight(""); });
  });

  // A link to a connection or a request opens the <details> it points at, and those
  // around it, before the browser scrolls there. Without script the link still lands on
  // the entry's summary line.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href^='#']");
    var el = a && document.getElementById(a.getAttribute("href").slice(1));
    for (; el; el = el.parentElement) if (el.tagName === "DETAILS") el.open = true;
  });
})();
