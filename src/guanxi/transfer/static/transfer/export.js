// The Export menu of a list exports what the list shows now: its filter form's current values (the
// filters change the table through htmx without reloading the page, so the links are built on click).
(function () {
  "use strict";
  var CONTROL = ["cursor", "view", "columns", "col", "sort", "size", "format"];
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-export-format]");
    if (!link) return;
    var form = document.getElementById("filter-form");
    if (!form) return;
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (CONTROL.indexOf(key) < 0 && typeof value === "string" && value !== "") params.append(key, value);
    });
    params.set("format", link.dataset.exportFormat);
    link.href = link.dataset.exportUrl + "?" + params.toString();
  });
})();
