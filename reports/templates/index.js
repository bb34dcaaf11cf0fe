(function () {
  "use strict";
  var table = document.getElementById("ranked");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  function key(row, col, numeric) {
    var v = row.cells[col].getAttribute("data-v") || "";
    return numeric ? parseFloat(v) : v.toLowerCase();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    var numeric = th.getAttribute("data-sort") === "num";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var now = th.getAttribute("aria-sort");
      var first = numeric && col !== 0 ? "descending" : "ascending";
      var order = now ? (now === "ascending" ? "descending" : "ascending") : first;
      var down = order === "descending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", order);
      rows.sort(function (a, b) {
        var x = key(a, col, numeric), y = key(b, col, numeric);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return (down ? -c : c) || key(a, 0, true) - key(b, 0, true);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  var form = document.getElementById("filters");
  var level = document.getElementById("f-level"), status = document.getElementById("f-status");
  var min = document.getElementById("f-min"), count = document.getElementById("f-count");
  function filter() {
    var shown = 0, m = parseFloat(min.value) || 0;
    rows.forEach(function (row) {
      var ok = (!level.value || row.getAttribute("data-level") === level.value) &&
        (!status.value || row.getAttribute("data-status") === status.value) &&
        (m <= 0 || parseFloat(row.getAttribute("data-score")) >= m);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = "Showing " + shown + " of " + rows.length;
  }
  [level, status, min].forEach(function (el) { el.addEventListener("input", filter); el.addEventListener("change", filter); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.hidden = false;
  filter();
})();
