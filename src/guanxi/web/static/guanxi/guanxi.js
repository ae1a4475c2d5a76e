// Guanxi's small behaviours; loaded with `defer`, no inline scripts (CSP).
(function () {
  "use strict";

  function csrfToken() {
    return document.body ? document.body.dataset.csrf : "";
  }

  // htmx sends the CSRF token with every non-GET request; list filters leave out empty values so the
  // address stays readable ("unknown" is the empty value of a yes/no filter).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
    var source = event.detail.elt;
    if (!source || !source.hasAttribute || !source.hasAttribute("data-filter-form")) return;
    var params = event.detail.parameters;
    var keys = [];
    if (typeof params.forEach === "function") {
      params.forEach(function (value, key) { keys.push(key); });
    } else {
      keys = Object.keys(params);
    }
    keys.forEach(function (key) {
      var values = typeof params.getAll === "function" ? params.getAll(key) : [].concat(params[key]);
      if (values.every(function (v) { return v === "" || v === "unknown"; })) {
        if (typeof params.delete === "function") { params.delete(key); } else { delete params[key]; }
      }
    });
  });

  // A list's filters apply as soon as a choice changes; text boxes apply on Enter.
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-filter-form]");
    if (!form || (event.target.type === "text" || event.target.type === "search")) return;
    if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.requestSubmit(); }
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

  // Forms with a type selector (activities) show only the fields of the chosen type.
  function applyKind(form) {
    var select = form.querySelector("[data-kind-select]");
    if (!select) return;
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var wrapper = input.closest(".col-md-6") || input.closest(".mb-3") || input;
      var kinds = input.dataset.kinds.split(" ");
      wrapper.classList.toggle("gx-hidden-field", kinds.indexOf(select.value) < 0);
    });
  }

  // The timeline's quick form shows the call or task fields for the chosen kind.
  function applyQuickKind(form) {
    var checked = form.querySelector("[data-quick-kind]:checked");
    form.querySelectorAll(".gx-quick").forEach(function (el) {
      el.classList.toggle("gx-hidden-field", !checked || el.dataset.for !== checked.value);
    });
  }

  function bindForms(root) {
    root.querySelectorAll("[data-kind-select]").forEach(function (select) {
      var form = select.form;
      if (!form || form.dataset.kindBound) return;
      form.dataset.kindBound = "1";
      select.addEventListener("change", function () { applyKind(form); });
      applyKind(form);
    });
    root.querySelectorAll("#quick-log").forEach(function (form) {
      if (form.dataset.kindBound) return;
      form.dataset.kindBound = "1";
      form.querySelectorAll("[data-quick-kind]").forEach(function (radio) {
        radio.addEventListener("change", function () { applyQuickKind(form); });
      });
      applyQuickKind(form);
    });
  }

  function bindAll(root) {
    root = root || document;
    root.querySelectorAll(".gx-lookup").forEach(bindLookup);
    bindForms(root);
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
