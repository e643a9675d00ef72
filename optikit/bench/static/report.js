// optikit benchmark report: sortable tables, type and solver selectors, plotly plots.
(function () {
  "use strict";

  function cellKey(row, index) {
    var cell = row.children[index];
    if (!cell) { return { num: Infinity, text: "" }; }
    var raw = cell.getAttribute("data-sort");
    var num = raw === null || raw === "" ? NaN : parseFloat(raw);
    if (isNaN(num)) { num = parseFloat(cell.textContent); }
    return { num: isNaN(num) ? NaN : num, text: cell.textContent.trim() };
  }

  function compare(a, b) {
    var an = !isNaN(a.num), bn = !isNaN(b.num);
    if (an && bn) { return a.num - b.num; }
    if (an !== bn) { return an ? -1 : 1; }  // numbers before text
    return a.text.localeCompare(b.text, undefined, { numeric: true });
  }

  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(cellKey(r1, index), cellKey(r2, index));
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) { return; }
    table.tHead.querySelectorAll("th").forEach(function (th) {
      th.addEventListener("click", function () { sortBy(table, th); });
    });
  });

  var plots = [];
  if (window.Plotly) {
    document.querySelectorAll("div.plot").forEach(function (div) {
      var fig = JSON.parse(div.querySelector("script").textContent);
      div.innerHTML = "";
      window.Plotly.newPlot(div, fig.data, fig.layout,
                            { responsive: true, displaylogo: false });
      plots.push(div);
    });
  }

  function apply() {
    var type = document.getElementById("type-filter").value;
    var on = {};
    document.querySelectorAll("input.solver-toggle").forEach(function (box) {
      on[box.value] = box.checked;
    });
    document.querySelectorAll("[data-type]").forEach(function (el) {
      if (el.tagName === "OPTION") { return; }
      el.classList.toggle("hidden", type !== "" && el.getAttribute("data-type") !== type);
    });
    document.querySelectorAll("[data-solver]").forEach(function (el) {
      var s = el.getAttribute("data-solver");
      if (s in on && !on[s]) { el.classList.add("hidden"); }
      else if (el.getAttribute("data-type") === null || type === "" ||
               el.getAttribute("data-type") === type) { el.classList.remove("hidden"); }
    });
    plots.forEach(function (div) {
      var visible = div.data.map(function (t) { return on[t.meta] === false ? false : true; });
      window.Plotly.restyle(div, { visible: visible });
    });
  }

  var select = document.getElementById("type-filter");
  if (select) { select.addEventListener("change", apply); }
  document.querySelectorAll("input.solver-toggle").forEach(function (box) {
    box.addEventListener("change", apply);
  });
}());
