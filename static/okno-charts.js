/* What the pages with a filter form and charts share (reports, the management
   dashboard, on-time performance): the Chart.js options every chart starts from,
   drawing a chart in place of an old one, and the filter form's wiring. Load it
   after Chart.js and before the page's own script, which uses window.OknoCharts.
   No inline code (CSP). */
(function () {
  "use strict";

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

  // --- charts ----------------------------------------------------------------------------

  // The options every chart starts from (numbers in the page's language, the box's
  // height, no animation); `extra` adds to them.
  function options(extra) {
    var all = { locale: locale(), responsive: true, maintainAspectRatio: false, animation: false };
    Object.keys(extra || {}).forEach(function (name) {
      all[name] = extra[name];
    });
    return all;
  }

  // Ticks of a 0–100 axis that read "40 %".
  function percentTicks() {
    return {
      callback: function (value) {
        return value + " %";
      },
    };
  }

  // A new chart on `canvas` in place of the one drawn there before; marked, so that
  // destroyCharts finds it.
  function replaceChart(canvas, config) {
    var old = window.Chart.getChart(canvas);
    if (old) old.destroy();
    var chart = new window.Chart(canvas, config);
    canvas.setAttribute("data-drawn", "");
    return chart;
  }

  function destroyCharts(root) {
    if (!window.Chart || !root.querySelectorAll) return;
    root.querySelectorAll("canvas[data-drawn]").forEach(function (canvas) {
      var chart = window.Chart.getChart(canvas);
      if (chart) chart.destroy();
    });
  }

  // --- the filter form -------------------------------------------------------------------

  // The custom dates are usable only for a custom period; true when it is one.
  function customDates(form) {
    if (!form.elements.period || !form.elements.date_from) return false;
    var custom = form.elements.period.value === "custom";
    [form.elements.date_from, form.elements.date_to].forEach(function (input) {
      input.disabled = !custom;
    });
    return custom;
  }

  function lacksDate(form) {
    if (!form.elements.period || !form.elements.date_from) return false;
    return form.elements.period.value === "custom" && (!form.elements.date_from.value || !form.elements.date_to.value);
  }

  // The form `formId` (htmx, on change) fetches the report region `regionId`:
  // the dates follow the period, a custom period waits for both dates, the charts
  // in the region are destroyed before htmx swaps it, and `draw(root)` draws the
  // charts found in `root` (the document first, then each new region).
  function wireReport(formId, regionId, draw) {
    // Capture phase: the dates are switched before htmx (listening on the form) reads them.
    document.addEventListener(
      "change",
      function (evt) {
        var form = evt.target.form;
        if (form && form.id === formId && evt.target.name === "period" && customDates(form)) {
          form.elements.date_from.focus();
        }
      },
      true
    );

    // A change while a custom period still lacks a date waits for the other date.
    document.addEventListener("htmx:confirm", function (evt) {
      var form = evt.detail.elt;
      var trigger = evt.detail.triggeringEvent;
      if (!form || form.id !== formId || !trigger || trigger.type !== "change") return;
      if (lacksDate(form)) evt.preventDefault();
    });

    document.addEventListener("htmx:beforeSwap", function (evt) {
      if (evt.detail.target && evt.detail.target.id === regionId) destroyCharts(evt.detail.target);
    });

    document.addEventListener("htmx:load", function (evt) {
      if (evt.target && evt.target.id === regionId) draw(evt.target);
    });

    ready(function () {
      var form = document.getElementById(formId);
      if (form) customDates(form);
      draw(document);
    });
  }

  window.OknoCharts = {
    ready: ready,
    locale: locale,
    options: options,
    percentTicks: percentTicks,
    replaceChart: replaceChart,
    destroyCharts: destroyCharts,
    wireReport: wireReport,
  };
})();
