// The cost pages' behaviour; loaded with `defer`, no inline scripts (CSP). Chart configurations come from
// <script type="application/json"> blocks written by Django's json_script filter.
(function () {
  "use strict";

  var locale = document.documentElement.lang || "en";

  function formatMoney(value) {
    if (value === null || value === undefined || isNaN(value)) return "";
    return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
  }

  // The server sends plain JSON; number formats are marked with {"format": "money"} and become callbacks.
  function applyFormats(config) {
    var scales = (config.options && config.options.scales) || {};
    Object.keys(scales).forEach(function (key) {
      var ticks = scales[key].ticks;
      if (ticks && ticks.format === "money") {
        delete ticks.format;
        ticks.callback = function (value) { return formatMoney(value); };
      }
    });
    var tooltip = config.options && config.options.plugins && config.options.plugins.tooltip;
    if (tooltip && tooltip.format === "money") {
      delete tooltip.format;
      tooltip.callbacks = {
        label: function (context) {
          var value = context.parsed && (context.parsed.y !== undefined && config.options.indexAxis !== "y"
            ? context.parsed.y : context.parsed.x);
          return (context.dataset.label || "") + ": " + formatMoney(value);
        }
      };
    }
    return config;
  }

  function drawCharts(root) {
    if (typeof window.Chart === "undefined") return;
    (root || document).querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      if (canvas.dataset.rendered) return;
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) return;
      var config = applyFormats(JSON.parse(source.textContent));
      new window.Chart(canvas, config);
      canvas.dataset.rendered = "1";
    });
  }

  // Scenario form: add a line by copying the formset's empty form; show the inputs the amount form needs.
  function bindFormset(table) {
    var prefix = table.dataset.formsetPrefix;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var add = document.querySelector("[data-add-line='" + prefix + "']");
    if (!total || !template || !add) return;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var body = table.querySelector("tbody");
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = body.lastElementChild;
      bindRow(row);
      var first = row.querySelector("input[type=text], select");
      if (first) first.focus();
    });
    table.querySelectorAll("tbody tr").forEach(bindRow);
  }

  var NEEDS = {
    initial: { values: false, rate: false, plan: false },
    yearly: { values: true, rate: false, plan: false },
    monthly: { values: true, rate: false, plan: false },
    per_seat_month: { values: true, rate: false, plan: false },
    per_seat_year: { values: true, rate: false, plan: false },
    hours: { values: true, rate: true, plan: false },
    plan: { values: true, rate: false, plan: true }
  };

  function bindRow(row) {
    var form = row.querySelector("[data-line-field='form']");
    if (!form || row.dataset.bound) return;
    row.dataset.bound = "1";
    function update() {
      var needs = NEEDS[form.value] || NEEDS.yearly;
      ["rate", "plan"].forEach(function (name) {
        var input = row.querySelector("[data-line-field='" + name + "']");
        if (input) input.classList.toggle("gx-muted-input", !needs[name]);
      });
      var values = row.querySelector("[data-line-field='values']");
      if (values) {
        values.classList.toggle("gx-muted-input", !needs.values);
        values.placeholder = form.value === "plan" ? (values.dataset.planPlaceholder || "") : "";
      }
    }
    form.addEventListener("change", update);
    update();
  }

  function init() {
    drawCharts(document);
    document.querySelectorAll("table[data-formset-prefix]").forEach(bindFormset);
    document.querySelectorAll("[data-submit-on-change]").forEach(function (element) {
      element.addEventListener("change", function () { element.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
