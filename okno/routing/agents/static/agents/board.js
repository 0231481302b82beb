/* The supervisor board and its wall display: refresh on server push without
   flooding the server, and keep the "waiting since" clocks ticking in between.

   Server push arrives on #board-live (hx-trigger="sse:appeals, sse:agents"): one
   message per changed appeal or status. A burst (a hundred registrations from a
   mailbox) must not re-render the board a hundred times, so pushes are coalesced:
   the first after a quiet spell refreshes at once, later ones schedule a single
   refresh no sooner than GAP after the previous one, so the last change is always
   shown and there is at most one refresh per GAP per board. A refresh waits while
   the supervisor is using a control in the region (okno.js catches up after).
   No inline code (CSP). */
(function () {
  "use strict";

  var GAP = 2000;
  var TICK = 1000;
  var lastRefresh = 0;
  var timer = null;

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function region() {
    return document.querySelector("[data-board-region]");
  }

  // --- coalesced refresh -----------------------------------------------------------------

  function busy(elt) {
    var active = document.activeElement;
    if (active && elt.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    return !!elt.querySelector(".dropdown-menu.show, form[data-dirty]");
  }

  function refresh() {
    timer = null;
    lastRefresh = Date.now();
    var elt = region();
    if (!elt) return;
    if (busy(elt)) {
      // okno.js refreshes a stale [data-live-guard] region ("okno:refresh") once it is left.
      elt.setAttribute("data-stale", "");
      return;
    }
    htmx.trigger(elt, "okno:board-refresh");
  }

  function pushed() {
    if (timer !== null) return;
    timer = window.setTimeout(refresh, Math.max(0, lastRefresh + GAP - Date.now()));
  }

  document.addEventListener("sse:appeals", pushed);
  document.addEventListener("sse:agents", pushed);

  // --- ticking clocks --------------------------------------------------------------------
  // Each .js-since carries the moment it counts from (data-since-ms); the region
  // carries the server's time when it was drawn (data-at-ms), so a browser whose
  // clock is off still shows what the server would.

  var offset = 0; // server time minus browser time

  function readOffset() {
    var elt = region();
    var at = elt ? Number(elt.getAttribute("data-at-ms")) : NaN;
    if (!isNaN(at) && at > 0) offset = at - Date.now();
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function clock(seconds, daysFormat) {
    seconds = Math.max(0, Math.floor(seconds));
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    if (days) return (daysFormat || "%(days)s d %(hours)s h").replace("%(days)s", days).replace("%(hours)s", hours);
    if (hours) return hours + ":" + pad(minutes) + ":" + pad(secs);
    return minutes + ":" + pad(secs);
  }

  function tick() {
    var elt = region();
    if (!elt) return;
    var now = Date.now() + offset;
    var daysFormat = elt.getAttribute("data-days-format");
    elt.querySelectorAll(".js-since[data-since-ms]").forEach(function (node) {
      var since = Number(node.getAttribute("data-since-ms"));
      if (!isNaN(since)) node.textContent = clock((now - since) / 1000, daysFormat);
    });
    var wallClock = elt.querySelector("[data-clock]");
    if (wallClock) {
      var d = new Date(now);
      wallClock.textContent = pad(d.getHours()) + ":" + pad(d.getMinutes());
    }
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    var elt = region();
    if (elt && (evt.target === elt || !document.body.contains(evt.target))) {
      lastRefresh = Date.now();
      readOffset();
    }
  });

  ready(function () {
    readOffset();
    tick();
    window.setInterval(tick, TICK);
  });
})();
