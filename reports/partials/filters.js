(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-finding]"));
  var severity = document.getElementById("filter-severity");
  var rule = document.getElementById("filter-rule");
  var project = document.getElementById("filter-project");
  var text = document.getElementById("filter-text");
  var count = document.getElementById("filter-count");
  var empty = document.getElementById("filter-empty");
  function apply() {
    var s = severity.value, r = rule.value, p = project.value;
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var match = (!s || row.getAttribute("data-severity") === s) &&
        (!r || row.getAttribute("data-rule") === r) &&
        (!p || row.getAttribute("data-project") === p) &&
        (!q || row.textContent.toLowerCase().indexOf(q) !== -1);
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " findings shown";
    empty.hidden = shown !== 0 || rows.length === 0;
  }
  [severity, rule, project].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  document.getElementById("filter-reset").addEventListener("click", function () {
    severity.value = ""; rule.value = ""; project.value = ""; text.value = "";
    apply();
  });
  bar.hidden = false;
  apply();
}());
