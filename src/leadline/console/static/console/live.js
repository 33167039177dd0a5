// Live updates: one EventSource per page follows the company's interaction events.
//
// A page opts in with an element carrying data-live-url (the feed URL with ?after=<cursor>,
// and ?lead=<id> to follow one lead). For each event this file
//   - dispatches "leadline:live" on document, detail = {event_id, interaction_id, lead_id,
//     kind, status, status_label, status_group, type ("interaction" or "lead")};
//   - refreshes every [data-live-refresh] region whose data-live-lead or data-live-interaction
//     matches: it GETs the region's URL and swaps the HTML in (a [data-live-list] region is
//     merged by data-live-key instead, so unchanged entries and a playing recording stay);
//   - keeps [data-live-status] pills current ("Live" / "Reconnecting…") and dispatches
//     "leadline:live-state" with detail {state}.
// Events carry no message text: everything shown is fetched through the normal views.
// See docs/architecture.md, "Live updates".
(function () {
  "use strict";

  var root = document.querySelector("[data-live-url]");
  if (!root || !window.EventSource) return;

  var baseUrl = root.getAttribute("data-live-url");
  var source = null;
  var lastId = "";
  var state = "";
  var lostTimer = null;
  var retryTimer = null;
  var backoff = 1000;
  var planned = false;
  var pending = new Map();

  var LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };
  var TITLES = {
    connecting: "Connecting to live updates",
    live: "Conversations update on this page as they happen",
    reconnecting: "The live connection was lost; trying again. The page may be out of date.",
  };

  function setState(next) {
    if (state === next) return;
    state = next;
    document.querySelectorAll("[data-live-status]").forEach(function (pill) {
      pill.hidden = false;
      pill.setAttribute("data-state", next);
      pill.title = TITLES[next];
      var text = pill.querySelector("[data-live-status-text]") || pill;
      text.textContent = LABELS[next];
    });
    document.dispatchEvent(new CustomEvent("leadline:live-state", { detail: { state: next } }));
  }

  function feedUrl() {
    if (!lastId) return baseUrl;
    // A new EventSource sends no Last-Event-ID: the cursor goes in the query string.
    var url = new URL(baseUrl, window.location.href);
    url.searchParams.set("after", lastId);
    return url.pathname + url.search;
  }

  function remember(event) {
    if (event.lastEventId) lastId = event.lastEventId;
  }

  function onOpen() {
    window.clearTimeout(lostTimer);
    lostTimer = null;
    backoff = 1000;
    planned = false;
    setState("live");
  }

  function onError() {
    // A stream the server ended on purpose ("bye") comes back within a second; show
    // "Reconnecting…" only when the connection stays away.
    if (!lostTimer) {
      lostTimer = window.setTimeout(
        function () {
          setState("reconnecting");
        },
        planned ? 4000 : 2000
      );
    }
    if (source && source.readyState === EventSource.CLOSED) {
      // The browser gave up (an error status, a sign-out, a proxy error): retry with backoff.
      source.close();
      source = null;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    }
  }

  function onMessage(event) {
    remember(event);
    var data;
    try {
      data = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    data.type = event.type;
    document.dispatchEvent(new CustomEvent("leadline:live", { detail: data }));
    document.querySelectorAll("[data-live-refresh]").forEach(function (region) {
      var lead = region.getAttribute("data-live-lead");
      var interaction = region.getAttribute("data-live-interaction");
      if (
        (lead && String(data.lead_id) === lead) ||
        (interaction && String(data.interaction_id) === interaction)
      ) {
        schedule(region, function () {
          return refreshRegion(region);
        });
      }
    });
  }

  function connect() {
    if (source) source.close();
    source = new EventSource(feedUrl());
    source.addEventListener("open", onOpen);
    source.addEventListener("error", onError);
    source.addEventListener("ready", remember);
    source.addEventListener("bye", function (event) {
      remember(event);
      planned = true;
    });
    source.addEventListener("interaction", onMessage);
    source.addEventListener("lead", onMessage);
  }

  function disconnect() {
    window.clearTimeout(retryTimer);
    window.clearTimeout(lostTimer);
    lostTimer = null;
    if (source) source.close();
    source = null;
  }

  // Several events for one record within a moment (a message and its status change)
  // cost one fetch.
  function schedule(key, run) {
    if (pending.has(key)) return;
    pending.set(
      key,
      window.setTimeout(function () {
        pending.delete(key);
        run();
      }, 150)
    );
  }

  function fetchHtml(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-Leadline-Live": "1" },
    }).then(function (response) {
      if (!response.ok) throw new Error("live refresh: HTTP " + response.status);
      return response.text();
    });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function isPlaying(node) {
    return Array.prototype.some.call(node.querySelectorAll("audio, video"), function (media) {
      return !media.paused;
    });
  }

  // Merge the keyed children of `fresh` into `list`: unchanged entries (and any that play
  // a recording) stay as they are, changed ones are replaced, new ones are inserted in order.
  function mergeList(list, fresh) {
    var existing = new Map();
    Array.prototype.forEach.call(list.children, function (child) {
      var key = child.getAttribute("data-live-key");
      if (key) existing.set(key, child);
    });
    var anchor = null;
    var added = [];
    Array.prototype.slice.call(fresh.children).forEach(function (incoming) {
      var key = incoming.getAttribute("data-live-key");
      var current = key ? existing.get(key) : null;
      var node = incoming;
      if (current) {
        existing.delete(key);
        if (current.isEqualNode(incoming) || isPlaying(current)) {
          node = current;
        } else {
          current.replaceWith(incoming);
        }
      } else {
        added.push(incoming);
      }
      var next = anchor ? anchor.nextElementSibling : list.firstElementChild;
      if (node !== next) list.insertBefore(node, next);
      anchor = node;
    });
    existing.forEach(function (gone) {
      gone.remove();
    });
    added.forEach(function (node) {
      node.classList.add("is-new");
    });
    if (window.htmx) window.htmx.process(list);
    return added;
  }

  // What a reader is typing survives a refresh: fields that changed or have focus are put
  // back (value, checked state, caret) into the matching fields of the fresh HTML.
  function fieldKey(field) {
    if (field.id) return "#" + field.id;
    if (!field.name || field.type === "hidden") return "";
    var form = field.form ? field.form.getAttribute("action") || "" : "";
    var choice = field.type === "checkbox" || field.type === "radio" ? "=" + field.value : "";
    return form + "|" + field.name + choice;
  }

  function isDirty(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  function saveFields(region) {
    var saved = [];
    region.querySelectorAll("input, textarea, select").forEach(function (field) {
      var key = fieldKey(field);
      var focused = field === document.activeElement;
      if (!key || (!focused && !isDirty(field))) return;
      var entry = { key: key, value: field.value, checked: field.checked, focused: focused };
      try {
        entry.start = field.selectionStart;
        entry.end = field.selectionEnd;
      } catch (error) {
        entry.start = null;
      }
      saved.push(entry);
    });
    return saved;
  }

  function restoreFields(region, saved) {
    var refocused = false;
    var fields = Array.prototype.slice.call(region.querySelectorAll("input, textarea, select"));
    saved.forEach(function (entry) {
      var match = fields.find(function (field) {
        return fieldKey(field) === entry.key;
      });
      if (!match) return;
      if (match.type === "checkbox" || match.type === "radio") match.checked = entry.checked;
      else match.value = entry.value;
      if (!entry.focused) return;
      match.focus({ preventScroll: true });
      refocused = true;
      if (entry.start === null || entry.start === undefined) return;
      try {
        match.setSelectionRange(entry.start, entry.end);
      } catch (error) {
        // Not a text field: nothing to put back.
      }
    });
    return refocused;
  }

  function nearBottom(node) {
    return node.scrollHeight - node.scrollTop - node.clientHeight < 24;
  }

  // Swap fresh HTML into a region without losing the reader's place.
  function swapRegion(region, html) {
    var fresh = parse(html);
    var stick = nearBottom(region);
    var top = region.scrollTop;
    var focused = document.activeElement;
    var focusId = focused && region.contains(focused) ? focused.id : "";
    var fields = saveFields(region);
    var added = [];
    if (region.hasAttribute("data-live-list")) {
      var holder = document.createElement(region.tagName);
      holder.appendChild(fresh);
      added = mergeList(region, holder);
    } else {
      region.replaceChildren(fresh);
      if (window.htmx) window.htmx.process(region);
    }
    region.scrollTop = stick ? region.scrollHeight : top;
    if (restoreFields(region, fields)) focusId = "";
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) again.focus({ preventScroll: true });
    }
    region.dispatchEvent(
      new CustomEvent("leadline:live-refreshed", { bubbles: true, detail: { added: added } })
    );
  }

  function refreshRegion(region) {
    var url = region.getAttribute("data-live-refresh");
    if (!url) return Promise.resolve();
    return fetchHtml(url)
      .then(function (html) {
        if (document.body.contains(region)) swapRegion(region, html);
      })
      .catch(function () {});
  }

  window.LeadlineLive = {
    state: function () {
      return state;
    },
    schedule: schedule,
    fetchHtml: fetchHtml,
    parse: parse,
    mergeList: mergeList,
    nearBottom: nearBottom,
    refreshRegion: refreshRegion,
  };

  // Leave the connection when the page is put away (so the back/forward cache can keep it)
  // and resume from the cursor when it comes back.
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) connect();
  });

  setState("connecting");
  connect();
})();
