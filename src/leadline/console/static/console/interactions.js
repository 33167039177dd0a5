// Growth > Interactions: keyboard moves through the rows, the drawer opens and closes,
// the filter form submits itself, and relative times stay fresh. The page works without
// this file (rows are links, the drawer renders on the server); this only makes it quicker.
(function () {
  "use strict";

  if (window.htmx) {
    // Every history entry is rendered again by the server, so a restored page is never stale.
    window.htmx.config.historyCacheSize = 0;
    window.htmx.config.refreshOnHistoryMiss = true;
  }

  var lastRow = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-ix-row]"));
  }

  function drawer() {
    return document.getElementById("drawer");
  }

  function setRovingFocus(target) {
    rows().forEach(function (row) {
      row.tabIndex = row === target ? 0 : -1;
    });
  }

  function initRows() {
    var all = rows();
    if (!all.length) return;
    all.forEach(function (row) {
      var link = row.querySelector("[data-ix-row-link]");
      if (link) link.tabIndex = -1;
    });
    var current = document.querySelector("[data-ix-row].is-open") || all[0];
    setRovingFocus(current);
  }

  function markOpen(id) {
    rows().forEach(function (row) {
      var open = row.getAttribute("data-ix-row") === String(id);
      row.classList.toggle("is-open", open);
      if (open) {
        row.setAttribute("aria-current", "true");
      } else {
        row.removeAttribute("aria-current");
      }
    });
  }

  function urlWithoutOpen() {
    var url = new URL(window.location.href);
    url.searchParams.delete("open");
    var path = url.pathname;
    // /growth/interactions/<id>/ is the list with one drawer open: closing leaves the list.
    if (/^\/growth\/interactions\/\d+\/(drawer\/)?$/.test(path)) path = "/growth/interactions/";
    var search = url.searchParams.toString();
    return path + (search ? "?" + search : "");
  }

  function closeDrawer() {
    var region = drawer();
    if (!region || !region.firstElementChild) return false;
    region.innerHTML = "";
    markOpen(null);
    history.replaceState({ htmx: true }, "", urlWithoutOpen());
    var back = lastRow && document.body.contains(lastRow) ? lastRow : rows()[0];
    if (back) {
      setRovingFocus(back);
      back.focus();
    }
    return true;
  }

  function moveFocus(from, step) {
    var all = rows();
    var index = all.indexOf(from);
    var next;
    if (step === "first") next = all[0];
    else if (step === "last") next = all[all.length - 1];
    else next = all[Math.max(0, Math.min(all.length - 1, index + step))];
    if (next) {
      setRovingFocus(next);
      next.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    var row = event.target.closest && event.target.closest("[data-ix-row]");
    if (event.key === "Escape") {
      if (closeDrawer()) event.preventDefault();
      return;
    }
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    switch (event.key) {
      case "ArrowDown":
        moveFocus(row, 1);
        break;
      case "ArrowUp":
        moveFocus(row, -1);
        break;
      case "Home":
        moveFocus(row, "first");
        break;
      case "End":
        moveFocus(row, "last");
        break;
      case "Enter":
      case " ":
        lastRow = row;
        window.htmx.trigger(row, "ix-open");
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // A plain click on the name opens the drawer in place; with a modifier it opens a new tab.
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("[data-ix-row-link]");
      if (!link) return;
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        event.stopPropagation();
        return;
      }
      event.preventDefault();
    },
    true
  );

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-ix-close]");
    if (close && closeDrawer()) {
      event.preventDefault();
      return;
    }
    var row = event.target.closest && event.target.closest("[data-ix-row]");
    if (row) {
      lastRow = row;
      setRovingFocus(row);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = drawer();
    if (region && event.detail.target === region) region.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var region = drawer();
    if (!region || event.detail.target !== region) return;
    region.removeAttribute("aria-busy");
    region.scrollTop = 0;
    var inner = region.querySelector("[data-ix-drawer]");
    if (inner) markOpen(inner.getAttribute("data-ix-drawer"));
    var title = document.getElementById("ix-drawer-title");
    if (title) title.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:responseError", function (event) {
    var region = drawer();
    if (!region || event.detail.target !== region) return;
    region.removeAttribute("aria-busy");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var text =
      status === 404
        ? "This interaction was not found. It may belong to another company or have been removed."
        : status === 403
          ? "You don't have access to this interaction."
          : "The details could not be loaded. Try again in a moment.";
    region.innerHTML = "";
    var box = document.createElement("div");
    box.className = "ix-drawer-inner ix-drawer-error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-ix-drawer", "");
    box.textContent = text;
    region.appendChild(box);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var region = drawer();
    if (!region || event.detail.target !== region) return;
    region.removeAttribute("aria-busy");
  });

  // The filter form: submit on change, send only what is set, dates only for a custom range.
  function syncDates(form) {
    var range = form.querySelector("[name=range]");
    var dates = form.querySelector("[data-ix-dates]");
    if (!range || !dates) return;
    var custom = range.value === "custom";
    dates.toggleAttribute("data-inactive", !custom);
    dates.querySelectorAll("input").forEach(function (input) {
      input.disabled = !custom;
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-ix-filters]");
    if (!form) return;
    if (event.target.name === "range") {
      syncDates(form);
      if (event.target.value === "custom") {
        var from = form.querySelector("[name=from]");
        if (from) from.focus();
        return;
      }
    }
    if (event.target.name === "q") return;
    form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("[data-ix-filters]");
    if (!form) return;
    var defaults = { range: "30d", sort: "newest" };
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      if (field.value === "" || defaults[field.name] === field.value) {
        field.disabled = true;
      }
    });
  });

  // Relative times ("5 min ago") follow the clock without a reload.
  function relative(iso) {
    var then = new Date(iso);
    var seconds = (Date.now() - then.getTime()) / 1000;
    if (isNaN(seconds)) return null;
    if (seconds < 60) return "just now";
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + " min ago";
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + " h ago";
    var days = Math.floor(hours / 24);
    if (days < 7) return days + " d ago";
    return null;
  }

  function refreshTimes() {
    document.querySelectorAll("time[data-ix-relative]").forEach(function (node) {
      var text = relative(node.getAttribute("datetime"));
      if (text && node.textContent !== text) node.textContent = text;
    });
  }

  // Coming back through the browser's page cache: the fields the last submit left out return.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("[data-ix-filters]").forEach(function (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
      syncDates(form);
    });
  });

  function init() {
    initRows();
    document.querySelectorAll("[data-ix-filters]").forEach(syncDates);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.setInterval(refreshTimes, 30000);
})();
