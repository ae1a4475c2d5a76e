// Home dashboard charts; every bar opens the list of deals behind it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("sales-chart-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var locale = document.documentElement.lang || "en";
    var money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });

    function open(urls) {
      return function (event, elements) {
        if (elements.length) window.location.href = urls[elements[0].index];
      };
    }
    function options(urls) {
      return {
        responsive: true, maintainAspectRatio: false, onClick: open(urls),
        scales: { y: { ticks: { callback: function (v) { return money.format(v); } } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + ": " + data.currency + " " + money.format(ctx.parsed.y);
        } } } }
      };
    }
    var stages = document.getElementById("chart-stages");
    if (stages) {
      new window.Chart(stages, {
        type: "bar",
        data: { labels: data.stages.labels, datasets: [{ label: stages.getAttribute("aria-label"),
                data: data.stages.values, backgroundColor: "#206bc4" }] },
        options: options(data.stages.urls)
      });
    }
    var forecast = document.getElementById("chart-forecast");
    if (forecast) {
      new window.Chart(forecast, {
        type: "bar",
        data: { labels: data.forecast.labels, datasets: [
          { label: forecast.dataset.totalLabel, data: data.forecast.total, backgroundColor: "#a5c3e8" },
          { label: forecast.dataset.weightedLabel, data: data.forecast.weighted, backgroundColor: "#2fb344" }
        ] },
        options: options(data.forecast.urls)
      });
    }
  });
})();
