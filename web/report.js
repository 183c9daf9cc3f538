// pageload report interaction. Optional: the page is complete without it (rows are
// <details>, bars are positioned by CSS, links jump to rows and connections). It only
// shows and hides rows by the values the report wrote on them, and lights up what a row
// names. No network access of any kind.
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

  // Filters: a row is shown when it has every value chosen and its summary line (or URL)
  // contains the text.
  var text = document.getElementById("filter");
  var type = document.getElementById("f-type");
  var host = document.getElementById("f-host");
  var status = document.getElementById("f-status");
  var bad = document.getElementById("f-bad");
  var shown = document.getElementById("shown");
  function applyFilters() {
    var q = text ? text.value.trim().toLowerCase() : "";
    var n = 0;
    rows.forEach(function (r) {
      var s = r.firstElementChild;
      var ok = (!type || !type.value || r.dataset.type === type.value) &&
        (!host || !host.value || r.dataset.host === host.value) &&
        (!status || !status.value || r.dataset.sc === status.value) &&
        (!bad || !bad.checked || r.hasAttribute("data-bad")) &&
        (q === "" || s.textContent.toLowerCase().indexOf(q) >= 0 ||
         fullUrl(r).toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    if (shown) {
      shown.textContent = n === rows.length ? "" :
        n === 0 ? "no request matches: 0 of " + rows.length + " shown" : n + " of " + rows.length + " shown";
    }
  }
  [text, type, host, status, bad].forEach(function (el) {
    if (el) el.addEventListener(el === text ? "input" : "change", applyFilters);
  });

  // The row's full URL, as its Request pane writes it (after the method).
  function fullUrl(row) {
    var line = row.querySelector(".req-line");
    var method = line && line.querySelector("b");
    return line ? line.textContent.slice(method ? method.textContent.length : 0).trim() : "";
  }

  // Tooltips written on first hover, not into the file (a tenth of a 35-row page): the
  // bar's phases and durations from the row's Timing table, before the TLS words the
  // report wrote on it; the name's full URL; the type's full name.
  function entitle(row) {
    var s = row.firstElementChild;
    if (s.dataset.titled) return;
    s.dataset.titled = "1";
    var track = s.querySelector(".track");
    var phases = Array.prototype.map.call(row.querySelectorAll(".tm tr[class^=ph-]"), function (tr) {
      var c = tr.cells;
      return c[0].textContent + " " + c[2].textContent.replace(/^[0-9.]+/, "$& ms");
    });
    if (track) track.title = phases.concat(track.title ? [track.title] : []).join(" · ");
    var url = s.querySelector(".c-url");
    if (url) url.title = fullUrl(row);
    var type = s.querySelector(".c-type");
    if (type) type.title = row.dataset.type;
  }

  // A row's initiator chain (data-chain: the numbers of the requests that led to it) lights
  // up while the row is hovered, and stays lit while it is open.
  var lit = [];
  function light(row) {
    lit.forEach(function (r) { r.classList.remove("chain"); });
    lit = [];
    if (!row || !row.dataset.chain) return;
    row.dataset.chain.split(" ").forEach(function (seq) {
      var r = document.getElementById("req-" + seq);
      if (r) { r.classList.add("chain"); lit.push(r); }
    });
  }
  var opened = null;
  rows.forEach(function (r) {
    r.firstElementChild.addEventListener("mouseenter", function () { entitle(r); light(r); highlight(r.dataset.conn || ""); });
    r.firstElementChild.addEventListener("focus", function () { entitle(r); });
    r.firstElementChild.addEventListener("mouseleave", function () { light(opened); highlight(""); });
    r.addEventListener("toggle", function () {
      if (r.open) opened = r; else if (opened === r) opened = null;
      light(opened);
    });
  });

  // Hovering a row or a connection highlights the connection and the rows it carried.
  var conns = Array.prototype.slice.call(document.querySelectorAll(".cx[data-conn]"));
  function highlight(id) {
    rows.forEach(function (r) { r.classList.toggle("hl", id !== "" && r.dataset.conn === id); });
    conns.forEach(function (c) { c.classList.toggle("hl", id !== "" && c.dataset.conn === id); });
  }
  // A request's block on a connection is named on first hover, from its row: "#12 hero.png · 200".
  function entitleBlock(b) {
    var row = document.getElementById(b.getAttribute("href").slice(1));
    if (b.title || !row) return;
    var url = row.querySelector(".c-url");
    var host = url && url.querySelector(".host");
    var name = url ? url.textContent.slice(0, url.textContent.length - (host ? host.textContent.length : 0)) : "";
    var status = row.querySelector(".c-status");
    b.title = "#" + row.id.slice(4) + " " + name.trim() + " · " + (status ? status.textContent : "");
  }
  conns.forEach(function (c) {
    Array.prototype.forEach.call(c.querySelectorAll(".blk"), function (b) {
      b.addEventListener("mouseenter", function () { entitleBlock(b); });
      b.addEventListener("focus", function () { entitleBlock(b); });
    });
    c.firstElementChild.addEventListener("mouseenter", function () { highlight(c.dataset.conn); });
    c.firstElementChild.addEventListener("mouseleave", function () { highlight(""); });
  });

  // A link to a connection or a request opens the <details> it points at, and those
  // around it, before the browser scrolls there; a filtered-out row is shown again.
  // Without script the link still lands on the entry's summary line.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href^='#']");
    var el = a && document.getElementById(a.getAttribute("href").slice(1));
    if (el && el.hidden) el.hidden = false;
    for (; el; el = el.parentElement) if (el.tagName === "DETAILS") el.open = true;
  });
})();
