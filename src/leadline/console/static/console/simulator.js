// The simulator phone (/simulator/): send as the lead without leaving the page, and keep
// the phone current.
//
// - Forms marked data-sim-form are sent with fetch and the header X-Leadline-Phone: 1. The
//   server answers 204 with X-Phone-Location (the conversation the text or call landed in)
//   or 400 with the reason as plain text, shown next to the form (role="alert").
// - The phone's parts ([data-live-refresh] inside .sim-phone) follow the live feed through
//   live.js; this file also refreshes them right after a send, and every 1.5 s while the
//   thread shows "Waiting for the agent" (so the hint clears even if no event arrives).
// - The conversation list is refreshed after any event of the company (at most once a second).
(function () {
  "use strict";

  var page = document.querySelector(".sim-page");
  if (!page) return;

  var WAITING_POLL_MS = 1500;
  var LIST_EVERY_MS = 1000;
  var waitingTimer = null;
  var listTimer = null;
  var listDue = 0;

  function live() {
    return window.LeadlineLive || null;
  }

  function fetchHtml(url) {
    if (live()) return live().fetchHtml(url);
    return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(
      function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      }
    );
  }

  function refresh(region) {
    if (live()) return live().refreshRegion(region);
    // Without live.js (no EventSource): swap the fragment in plainly.
    return fetchHtml(region.getAttribute("data-live-refresh"))
      .then(function (html) {
        region.innerHTML = html;
        region.dispatchEvent(new CustomEvent("leadline:live-refreshed", { bubbles: true }));
      })
      .catch(function () {});
  }

  function phoneParts() {
    return Array.prototype.slice.call(document.querySelectorAll(".sim-phone [data-live-refresh]"));
  }

  function thread() {
    return document.querySelector("[data-sim-thread]");
  }

  function toBottom() {
    var node = thread();
    if (node) node.scrollTop = node.scrollHeight;
  }

  function focusComposer() {
    var field = document.querySelector(".sim-composer [data-sim-focus]");
    if (field) field.focus({ preventScroll: true });
  }

  function refreshPhone() {
    return Promise.all(phoneParts().map(refresh));
  }

  function refreshList() {
    var region = document.querySelector("[data-sim-list]");
    if (!region) return;
    var wait = Math.max(0, listDue - Date.now());
    if (listTimer) return;
    listTimer = window.setTimeout(function () {
      listTimer = null;
      listDue = Date.now() + LIST_EVERY_MS;
      refresh(region);
    }, wait + 150);
  }

  // While the agent has an answer in the works, look again every 1.5 s.
  function watchWaiting() {
    window.clearTimeout(waitingTimer);
    waitingTimer = null;
    if (!document.querySelector("[data-sim-waiting]")) return;
    waitingTimer = window.setTimeout(function () {
      refreshPhone().then(watchWaiting);
    }, WAITING_POLL_MS);
  }

  function errorSlot(form) {
    var inside = form.querySelector("[data-sim-error]");
    if (inside) return inside;
    var scope = form.closest(".sim-composer, .sim-oncall") || form.parentElement;
    return scope ? scope.querySelector("[data-sim-error]") : null;
  }

  function showError(form, text) {
    var slot = errorSlot(form);
    if (slot) {
      slot.textContent = text;
      slot.hidden = false;
    } else {
      window.alert(text);
    }
  }

  function clearError(form) {
    var slot = errorSlot(form);
    if (slot) {
      slot.textContent = "";
      slot.hidden = true;
    }
  }

  function send(form) {
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    clearError(form);
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Leadline-Phone": "1" },
    })
      .then(function (response) {
        if (response.status === 204) {
          var target = response.headers.get("X-Phone-Location") || window.location.pathname;
          if (target !== window.location.pathname) {
            window.location.assign(target);
            return null;
          }
          form.querySelectorAll("input[type=text]").forEach(function (field) {
            field.value = "";
          });
          return refreshPhone().then(function () {
            toBottom();
            focusComposer();
            watchWaiting();
            refreshList();
          });
        }
        if (response.status === 400) {
          return response.text().then(function (text) {
            showError(form, text);
          });
        }
        if (response.redirected || response.status === 403) {
          // Signed out, or the permission was taken away: the page itself says why.
          window.location.reload();
          return null;
        }
        showError(form, "That did not go through (HTTP " + response.status + "). Try again.");
        return null;
      })
      .catch(function () {
        showError(form, "The server could not be reached. Try again.");
      })
      .then(function () {
        if (button && document.body.contains(button)) button.disabled = false;
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-sim-form")) return;
    event.preventDefault();
    send(form);
  });

  document.addEventListener("leadline:live", function () {
    refreshList();
  });

  document.addEventListener("leadline:live-refreshed", function (event) {
    if (event.target && event.target.closest && event.target.closest(".sim-phone")) {
      watchWaiting();
    }
  });

  toBottom();
  watchWaiting();
  if (!window.location.hash && document.querySelector(".sim-phone [data-live-refresh]")) {
    focusComposer();
  }
})();
