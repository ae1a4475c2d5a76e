// Guanxi's small behaviours; loaded with `defer`, no inline scripts (CSP).
(function () {
  "use strict";

  function csrfToken() {
    return document.body ? document.body.dataset.csrf : "";
  }

  // htmx sends the CSRF token with every non-GET request.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Lookup selects: typing in the box above a select fetches matching records into it.
  function bindLookup(container) {
    if (container.dataset.bound) return;
    container.dataset.bound = "1";
    var input = container.querySelector(".gx-lookup-input");
    var select = container.querySelector("select");
    var url = container.dataset.lookupUrl;
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = input.value.trim();
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            var current = select.value;
            var keep = select.querySelector("option[value='" + CSS.escape(current) + "']");
            select.innerHTML = "";
            var empty = document.createElement("option");
            empty.value = ""; empty.textContent = "—";
            select.appendChild(empty);
            if (keep && current) select.appendChild(keep);
            (data.results || []).forEach(function (row) {
              if (String(row.id) === current) return;
              var option = document.createElement("option");
              option.value = row.id; option.textContent = row.text;
              select.appendChild(option);
            });
            if (!current && data.results && data.results.length) select.value = String(data.results[0].id);
          });
      }, 200);
    });
  }

  function bindAll(root) {
    (root || document).querySelectorAll(".gx-lookup").forEach(bindLookup);
  }

  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bindAll(event.target); });

  // Close the search dropdown with Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var results = document.getElementById("search-results");
      if (results) results.innerHTML = "";
    }
  });
  document.addEventListener("click", function (event) {
    var results = document.getElementById("search-results");
    if (results && !event.target.closest(".gx-search")) results.innerHTML = "";
  });
})();
