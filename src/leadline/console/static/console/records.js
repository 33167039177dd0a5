// The lead record, made a little quicker with JavaScript; everything works without it.
//
// - Takeover asks for confirmation in a dialog (without JavaScript the button posts to
//   the confirmation page instead).
// - The activity timeline opens scrolled to its newest entry.
// - Ctrl+Enter (or Cmd+Enter) in the chat area sends; a form sends once.
// Live updates come from live.js: the timeline and the side cards carry data-live-refresh
// and data-live-lead, so events of this lead refresh them in place.
(function () {
  "use strict";

  var dialog = document.getElementById("takeover-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    document.querySelectorAll("[data-takeover-open]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        dialog.showModal();
      });
    });
    dialog.querySelectorAll("[data-dialog-close]").forEach(function (button) {
      button.addEventListener("click", function () {
        dialog.close();
      });
    });
    // A click on the backdrop (outside the dialog's box) cancels too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
  }

  var timeline = document.querySelector(".rec-timeline");
  if (timeline) timeline.scrollTop = timeline.scrollHeight;

  var chat = document.querySelector("[data-chat-form]");
  if (chat) {
    var body = chat.querySelector("textarea");
    if (body && window.location.hash === "#reply") body.focus({ preventScroll: true });
    if (body) {
      body.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          if (chat.reportValidity()) chat.requestSubmit();
        }
      });
    }
  }

  // A double click must not take over, book or send twice.
  document.querySelectorAll(".rec-page form[method=post], .rec-dialog form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
    });
  });
  // Back to a page kept by the back/forward cache: its forms may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      form.removeAttribute("data-sent");
    });
  });
})();
