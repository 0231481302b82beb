/* Okno: the little JavaScript the operator window needs. Everything else is htmx
   attributes in the templates. No eval, no inline handlers (CSP). */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  // --- the live connection ---------------------------------------------------------------
  // body[data-live] says whether server push is connected (the navbar dot shows it).

  document.addEventListener("htmx:sseOpen", function () {
    document.body.setAttribute("data-live", "open");
  });
  document.addEventListener("htmx:sseError", function () {
    document.body.setAttribute("data-live", "error");
  });

  // --- live regions -------------------------------------------------------------------
  // A region that refreshes itself on a server push (hx-trigger="sse:…") must not
  // wipe out what the person is doing in it: a half-typed form, an open panel,
  // ticked rows. Such a refresh waits; the region is marked stale and catches up
  // as soon as the person is done (or right after their own action re-renders it).

  function isBusy(region) {
    if (region.querySelector("form[data-dirty]")) return true;
    if (region.querySelector(".collapse.show, .collapsing, .dropdown-menu.show")) return true;
    if (region.querySelector("input.js-row-select:checked")) return true;
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
    return false;
  }

  function catchUp(region) {
    if (region && region.hasAttribute("data-stale") && !isBusy(region)) {
      region.removeAttribute("data-stale");
      htmx.trigger(region, "okno:refresh");
    }
  }

  document.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail.elt;
    var trigger = evt.detail.triggeringEvent;
    if (!elt || !elt.hasAttribute("data-live-guard")) return;
    if (!trigger || String(trigger.type).indexOf("sse:") !== 0) return;
    if (isBusy(elt)) {
      evt.preventDefault();
      elt.setAttribute("data-stale", "");
    }
  });

  function guardedRegion(node) {
    return node && node.closest ? node.closest("[data-live-guard]") : null;
  }

  document.addEventListener("input", function (evt) {
    var form = evt.target.closest ? evt.target.closest("form") : null;
    if (form && guardedRegion(form)) form.setAttribute("data-dirty", "");
  });

  ["hidden.bs.collapse", "hidden.bs.dropdown", "focusout", "reset"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      var region = guardedRegion(evt.target);
      if (!region) return;
      if (name === "reset") {
        var form = evt.target.closest("form");
        if (form) form.removeAttribute("data-dirty");
      }
      // Let focus settle on its new element before deciding.
      window.setTimeout(function () { catchUp(region); }, 50);
    });
  });

  // "Cancel" buttons in action forms: forget the typing, close the panel.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest ? evt.target.closest("[data-okno-discard]") : null;
    if (!btn) return;
    var form = btn.closest("form");
    if (form) {
      form.reset();
      form.removeAttribute("data-dirty");
    }
  });

  // --- pickers (client search-as-you-type) ---------------------------------------------------
  // The search results are buttons carrying the choice; picking one fills the
  // hidden input of the surrounding .okno-picker and shows the name.

  function setPick(picker, value, label) {
    var input = picker.querySelector("input.okno-picker-value");
    input.value = value;
    picker.querySelector(".okno-picker-label").textContent = label;
    picker.querySelector(".okno-picker-chosen").classList.toggle("d-none", !value);
    var results = picker.querySelector(".okno-picker-results");
    if (results) results.innerHTML = "";
    var search = picker.querySelector(".okno-picker-search");
    if (search) search.value = "";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (evt) {
    if (!evt.target.closest) return;
    var item = evt.target.closest("[data-pick-value]");
    if (item) {
      var picker = item.closest(".okno-picker");
      if (picker) setPick(picker, item.getAttribute("data-pick-value"), item.getAttribute("data-pick-label"));
      return;
    }
    var clear = evt.target.closest("[data-pick-clear]");
    if (clear) {
      var owner = clear.closest(".okno-picker");
      if (owner) setPick(owner, "", "");
    }
  });

  // --- confirmations --------------------------------------------------------------------------
  // A submit button with data-confirm asks first (hx-confirm only sees the form).

  document.addEventListener("htmx:confirm", function (evt) {
    var trigger = evt.detail.triggeringEvent;
    var submitter = trigger && trigger.submitter;
    var question = submitter && submitter.getAttribute("data-confirm");
    if (!question) return;
    evt.preventDefault();
    if (window.confirm(question)) evt.detail.issueRequest(true);
  });

  // --- errors and messages ----------------------------------------------------------------

  function showMessage(text, level) {
    var box = document.getElementById("messages");
    if (!box) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", document.body.getAttribute("data-close-text") || "Close");
    alert.appendChild(close);
    box.prepend(alert);
    autoDismiss(alert);
  }

  function autoDismiss(alert) {
    if (!alert.classList.contains("alert-success") && !alert.classList.contains("alert-info")) return;
    // Once per alert: the messages region settles again on every swap into it, and a
    // second close() of an alert already closing fails in Bootstrap (its element is gone).
    if (alert.hasAttribute("data-dismiss-timer")) return;
    alert.setAttribute("data-dismiss-timer", "");
    window.setTimeout(function () {
      if (window.bootstrap && alert.isConnected) {
        window.bootstrap.Alert.getOrCreateInstance(alert).close();
      }
    }, 6000);
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    var key = status === 404 ? "data-notfound-text" : status === 403 ? "data-forbidden-text" : "data-error-text";
    showMessage(document.body.getAttribute(key) || document.body.getAttribute("data-error-text") || "Error");
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage(document.body.getAttribute("data-offline-text") || "Offline");
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "messages") {
      target.querySelectorAll(".alert").forEach(autoDismiss);
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "messages") {
      target.querySelectorAll(".alert").forEach(autoDismiss);
    }
  });

  // --- bulk selection in the inbox ----------------------------------------------------------

  function updateBulkBar(form) {
    if (!form) return;
    var boxes = form.querySelectorAll("input.js-row-select");
    var checked = form.querySelectorAll("input.js-row-select:checked");
    var all = form.querySelector("input.js-select-all");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    var counter = form.querySelector(".js-selected-count");
    if (counter) counter.textContent = String(checked.length);
    form.querySelectorAll(".js-needs-selection").forEach(function (el) {
      el.disabled = checked.length === 0;
    });
    var bar = form.querySelector(".okno-bulkbar");
    if (bar) bar.classList.toggle("d-none", checked.length === 0);
  }

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el.classList && el.classList.contains("js-select-all")) {
      var form = el.closest("form");
      form.querySelectorAll("input.js-row-select").forEach(function (box) {
        box.checked = el.checked;
      });
      updateBulkBar(form);
      if (!el.checked) catchUp(guardedRegion(form));
    } else if (el.classList && el.classList.contains("js-row-select")) {
      updateBulkBar(el.closest("form"));
      if (!el.checked) catchUp(guardedRegion(el));
    }
  });

  function init(root) {
    root.querySelectorAll("form.js-bulk").forEach(updateBulkBar);
    root.querySelectorAll("#messages .alert").forEach(autoDismiss);
  }

  document.addEventListener("htmx:load", function (evt) {
    init(evt.detail.elt.parentElement || document);
  });

  ready(function () {
    init(document);
  });
})();
