/* The on-time performance page: draws the two charts (Chart.js, served by Okno)
   from the JSON block the server renders and sorts the table by a clicked header.
   The filter form's wiring and what every chart shares are in okno-charts.js.
   No inline code (CSP). */
(function () {
  "use strict";

  var charts = window.OknoCharts;

  var COLORS = {
    onTime: "rgba(25, 135, 84, 0.8)", // Bootstrap success
    open: "rgba(13, 110, 253, 0.75)", // primary
    overdue: "rgba(220, 53, 69, 0.85)", // danger
  };

  function formatNumber(value, digits) {
    return Number(value).toLocaleString(charts.locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // --- charts ----------------------------------------------------------------------------

  function fitBox(canvas, rows) {
    var box = canvas.parentElement;
    var perRow = parseInt(box.getAttribute("data-per-row"), 10) || 30;
    box.style.height = Math.max(140, rows * perRow + 60) + "px";
  }

  function drawOnTime(canvas, data) {
    fitBox(canvas, data.labels.length);
    charts.replaceChart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.text.on_time,
            data: data.on_time,
            backgroundColor: COLORS.onTime,
            borderRadius: 3,
            maxBarThickness: 22,
          },
        ],
      },
      options: charts.options({
        indexAxis: "y",
        scales: { x: { min: 0, max: 100, ticks: charts.percentTicks() } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var note = data.notes[ctx.dataIndex];
                if (ctx.raw === null || ctx.raw === undefined) return note;
                return formatNumber(ctx.raw, 1) + " % (" + note + ")";
              },
            },
          },
        },
      }),
    });
  }

  function drawOpen(canvas, data) {
    fitBox(canvas, data.labels.length);
    charts.replaceChart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.text.open, data: data.open, backgroundColor: COLORS.open, borderRadius: 3, maxBarThickness: 14 },
          {
            label: data.text.overdue,
            data: data.overdue,
            backgroundColor: COLORS.overdue,
            borderRadius: 3,
            maxBarThickness: 14,
          },
        ],
      },
      options: charts.options({
        indexAxis: "y",
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      }),
    });
  }

  function drawCharts(root) {
    var source = root.querySelector ? root.querySelector("#performance-data") : null;
    if (!source && root.id === "performance-data") source = root;
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    // The canvases carry no id: htmx would copy an old element's style attribute
    // (Chart.js sizes the canvas) onto its same-id successor, which the CSP forbids.
    var onTime = document.querySelector("canvas[data-chart=on-time]");
    var open = document.querySelector("canvas[data-chart=open]");
    if (onTime) drawOnTime(onTime, data);
    if (open) drawOpen(open, data);
  }

  // --- sorting -------------------------------------------------------------------------

  function sortBy(header) {
    var table = header.closest("table");
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(header.parentElement.children, header);
    var numeric = header.getAttribute("data-sort") === "number";
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    // Numbers read best largest first on the first click; names A to Z.
    if (numeric && !header.hasAttribute("aria-sort")) ascending = false;
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) {
      return row.cells.length > index && row.cells[index].hasAttribute("data-value");
    });
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value");
      var y = b.cells[index].getAttribute("data-value");
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, charts.locale());
      return ascending ? order : -order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
    table.querySelectorAll("thead th").forEach(function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("#performance-table .js-sort") : null;
    if (button) sortBy(button.closest("th"));
  });

  charts.wireReport("performance-filters", "performance-report", drawCharts);
})();
