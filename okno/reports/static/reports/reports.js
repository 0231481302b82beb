/* The reports page, the management dashboard and the regulator report: draws the charts (Chart.js, served
   by Okno) from the JSON block the server renders, opens the appeals behind a bar
   when it is clicked, and submits the dashboard's period on change. The filter
   form's wiring and what every chart shares are in okno-charts.js. No inline code
   (CSP). */
(function () {
  "use strict";

  var charts = window.OknoCharts;

  var PALETTE = [
    "rgba(13, 110, 253, 0.8)",
    "rgba(25, 135, 84, 0.8)",
    "rgba(255, 193, 7, 0.85)",
    "rgba(220, 53, 69, 0.8)",
    "rgba(111, 66, 193, 0.8)",
    "rgba(13, 202, 240, 0.8)",
    "rgba(253, 126, 20, 0.8)",
    "rgba(108, 117, 125, 0.7)",
  ];
  var NAMED = { on_time: 1, late: 3, overdue: 3, soon: 2, satisfied: 1, partly_satisfied: 5, refused: 3, explained: 0 };

  function colour(dataset, index) {
    var named = dataset.key !== undefined ? NAMED[dataset.key] : undefined;
    return PALETTE[(named !== undefined ? named : index) % PALETTE.length];
  }

  function fitBox(canvas, spec) {
    var box = canvas.parentElement;
    var perRow = parseInt(box.getAttribute("data-per-row"), 10) || 0;
    var rows = (spec.labels || []).length;
    box.style.height = (perRow && spec.horizontal ? Math.max(160, rows * perRow + 70) : 280) + "px";
  }

  function config(spec, onClick) {
    var line = spec.type === "line";
    var axis = spec.horizontal ? "y" : "x";
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    scales[axis] = { stacked: !!spec.stacked };
    scales[valueAxis] = { stacked: !!spec.stacked, beginAtZero: true, ticks: { precision: 0 } };
    if (spec.percent) {
      scales[valueAxis].max = 100;
      scales[valueAxis].ticks = charts.percentTicks();
    }
    return {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: (spec.datasets || []).map(function (d, i) {
          var c = colour(d, i);
          return {
            label: d.label,
            data: d.data,
            backgroundColor: c,
            borderColor: c,
            borderRadius: line ? 0 : 3,
            maxBarThickness: 28,
            tension: 0.2,
            spanGaps: true,
            key: d.key,
          };
        }),
      },
      options: charts.options({
        indexAxis: axis,
        scales: scales,
        plugins: { legend: { display: (spec.datasets || []).length > 1, position: "bottom" } },
        onClick: onClick,
      }),
    };
  }

  function draw(canvas, spec, onClick) {
    if (!canvas || !spec || !window.Chart) return;
    fitBox(canvas, spec);
    charts.replaceChart(canvas, config(spec, onClick));
  }

  // A click on a bar of the main chart opens the same list as the number in the table.
  function drillFrom(spec) {
    return function (evt, elements) {
      if (!elements || !elements.length) return;
      var element = elements[0];
      var key = (spec.keys || [])[element.index];
      var dataset = spec.datasets[element.datasetIndex] || {};
      if (key === undefined) return;
      var row = document.querySelector('#report-table tbody tr[data-key="' + CSS.escape(key) + '"]');
      if (!row) return;
      var link =
        (dataset.key && row.querySelector('a.js-drill[data-column="' + CSS.escape(dataset.key) + '"]')) ||
        row.querySelector("a.js-drill");
      if (link) window.location.href = link.href;
    };
  }

  function drawReport(root) {
    var source = (root.querySelector && root.querySelector("#report-chart-data")) || null;
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    draw(document.querySelector("canvas[data-chart=main]"), data.chart, drillFrom(data.chart));
    if (data.trend) draw(document.querySelector("canvas[data-chart=trend]"), data.trend);
  }

  // A chart whose spec carries `links` ({dataset key: [address per bar]}) opens the
  // address of the bar clicked (the regulator report's lists).
  function openLink(spec) {
    if (!spec.links) return undefined;
    return function (evt, elements) {
      if (!elements || !elements.length) return;
      var dataset = spec.datasets[elements[0].datasetIndex] || {};
      var href = (spec.links[dataset.key] || [])[elements[0].index];
      if (href) window.location.href = href;
    };
  }

  // Every chart in the JSON block `id` (the dashboard's, the regulator report's),
  // each on the canvas named after it.
  function drawNamed(id) {
    var source = document.getElementById(id);
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    Object.keys(data).forEach(function (name) {
      draw(document.querySelector('canvas[data-chart="' + name + '"]'), data[name], openLink(data[name]));
    });
  }

  function drawDashboard() {
    drawNamed("dashboard-chart-data");
    drawNamed("regulator-chart-data");
  }

  // --- filters ---------------------------------------------------------------------------

  // The dashboard's period (a plain form) is submitted as soon as it changes.
  document.addEventListener(
    "change",
    function (evt) {
      var form = evt.target.form;
      if (evt.target.classList && evt.target.classList.contains("js-autosubmit") && form) form.submit();
    },
    true
  );

  charts.wireReport("reports-filters", "reports-main", drawReport);
  charts.ready(drawDashboard);
})();
