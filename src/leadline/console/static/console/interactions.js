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

  // ---- Live updates (live.js feeds "leadline:live") -----------------------------------
  // A row on the page is fetched again and swapped in place (its selection and focus
  // kept); the open drawer merges new thread entries without moving the reader; activity
  // elsewhere is offered as a refresh rather than reordering rows under the cursor.
  var others = new Set();

  function listQuery() {
    var url = new URL(window.location.href);
    url.searchParams.delete("open");
    return url.search;
  }

  function announce(text) {
    var region = document.querySelector("[data-ix-live-announce]");
    if (region) region.textContent = text;
  }

  function refreshRow(id) {
    var row = document.querySelector('[data-ix-row="' + id + '"]');
    if (!row || !row.getAttribute("data-ix-row-url")) return;
    window.LeadlineLive.fetchHtml(row.getAttribute("data-ix-row-url") + listQuery())
      .then(function (html) {
        var current = document.querySelector('[data-ix-row="' + id + '"]');
        var fresh = window.LeadlineLive.parse(html).querySelector("[data-ix-row]");
        if (!current || !fresh) return;
        var active = document.activeElement;
        var hadFocus = active === current || current.contains(active);
        fresh.classList.toggle("is-open", current.classList.contains("is-open"));
        if (current.hasAttribute("aria-current")) fresh.setAttribute("aria-current", "true");
        else fresh.removeAttribute("aria-current");
        fresh.tabIndex = current.tabIndex;
        var link = fresh.querySelector("[data-ix-row-link]");
        if (link) link.tabIndex = -1;
        current.replaceWith(fresh);
        window.htmx.process(fresh);
        if (lastRow === current) lastRow = fresh;
        if (hadFocus) fresh.focus({ preventScroll: true });
        fresh.classList.add("is-updated");
        window.setTimeout(function () {
          fresh.classList.remove("is-updated");
        }, 1700);
      })
      .catch(function () {});
  }

  function replaceIfChanged(target, fresh) {
    if (target && fresh && !target.isEqualNode(fresh)) target.replaceWith(fresh);
  }

  function refreshDrawer(id) {
    var region = drawer();
    var inner = region && region.querySelector('[data-ix-drawer="' + id + '"]');
    if (!inner) return;
    var url = inner.getAttribute("data-refresh-url") + listQuery();
    window.LeadlineLive.fetchHtml(url)
      .then(function (html) {
        var open = region.querySelector('[data-ix-drawer="' + id + '"]');
        var fresh = window.LeadlineLive.parse(html).querySelector("[data-ix-drawer]");
        if (!open || !fresh) return;
        var body = open.querySelector(".ix-drawer-body");
        var stick = body && window.LeadlineLive.nearBottom(body);
        var top = body ? body.scrollTop : 0;
        replaceIfChanged(open.querySelector(".ix-facts"), fresh.querySelector(".ix-facts"));
        replaceIfChanged(open.querySelector(".ix-summary"), fresh.querySelector(".ix-summary"));
        var list = open.querySelector("[data-live-list]");
        var freshList = fresh.querySelector("[data-live-list]");
        var added = [];
        if (list && freshList) {
          added = window.LeadlineLive.mergeList(list, freshList);
        } else {
          replaceIfChanged(
            open.querySelector(".ix-thread-section"),
            fresh.querySelector(".ix-thread-section")
          );
        }
        if (body) body.scrollTop = stick ? body.scrollHeight : top;
        if (added.length) {
          announce(
            added.length === 1
              ? "1 new entry in the open conversation."
              : added.length + " new entries in the open conversation."
          );
        }
      })
      .catch(function () {});
  }

  function noteOthers() {
    var notice = document.querySelector("[data-ix-live-notice]");
    if (!notice) return;
    var n = others.size;
    notice.textContent = "";
    var text = document.createElement("span");
    text.textContent =
      "New activity in " + n + " conversation" + (n === 1 ? "" : "s") + " not shown on this page.";
    var refresh = document.createElement("a");
    refresh.href = window.location.pathname + window.location.search;
    refresh.textContent = "Refresh the list";
    notice.appendChild(text);
    notice.appendChild(refresh);
    notice.hidden = false;
  }

  document.addEventListener("leadline:live", function (event) {
    var id = event.detail.interaction_id;
    if (id === null || id === undefined || !window.LeadlineLive) return;
    var onPage = document.querySelector('[data-ix-row="' + id + '"]');
    if (onPage) {
      window.LeadlineLive.schedule("row:" + id, function () {
        refreshRow(id);
      });
    }
    var region = drawer();
    if (region && region.querySelector('[data-ix-drawer="' + id + '"]')) {
      window.LeadlineLive.schedule("drawer:" + id, function () {
        refreshDrawer(id);
      });
    } else if (!onPage && document.querySelector("[data-ix-live-notice]")) {
      others.add(id);
      noteOthers();
    }
  });

  function init() {
    initRows();
    if (drawer() && !document.querySelector("[data-ix-live-announce]")) {
      var announcer = document.createElement("div");
      announcer.className = "ix-sr-only";
      announcer.setAttribute("role", "status");
      announcer.setAttribute("data-ix-live-announce", "");
      document.body.appendChild(announcer);
    }
    document.querySelectorAll("[data-ix-filters]").forEach(syncDates);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.setInterval(refreshTimes, 30000);
})();
