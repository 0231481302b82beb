/* The classifier settings page: draws each target's per-class F1 bar chart (Chart.js,
   served by Okno) from the JSON block the server renders, again after every htmx swap
   of the region. No inline code (CSP). */
(function () {
  "use strict";

  var COLOR = "rgba(13, 110, 253, 0.75)"; // Bootstrap primary

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function locale() {
    return document.documentElement.lang || undefined;
  }

  function draw(canvas, data, text) {
    var box = canvas.parentElement;
    var perRow = parseInt(box.getAttribute("data-per-row"), 10) || 26;
    box.style.height = Math.max(120, data.labels.length * perRow + 50) + "px";
    var old = window.Chart.getChart(canvas);
    if (old) old.destroy();
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: text.f1, data: data.f1, backgroundColor: COLOR, borderRadius: 3, maxBarThickness: 20 }],
      },
      options: {
        indexAxis: "y",
        locale: locale(),
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0, max: 100 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return text.f1 + ": " + ctx.raw + " (" + data.support[ctx.dataIndex] + " " + text.support + ")";
              },
            },
          },
        },
      },
    });
    canvas.setAttribute("data-drawn", "");
  }

  function drawAll() {
    var source = document.getElementById("classifier-chart-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-f1-chart]").forEach(function (canvas) {
      var target = data.targets[canvas.getAttribute("data-f1-chart")];
      if (target) draw(canvas, target, data.text);
    });
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.id !== "classifier-region" || !window.Chart) return;
    target.querySelectorAll("canvas[data-drawn]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  });

  document.addEventListener("htmx:load", function (evt) {
    if (evt.target && evt.target.id === "classifier-region") drawAll();
  });

  ready(drawAll);
})();
