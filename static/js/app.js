// Small progressive enhancements for the dashboard; everything also works without JavaScript.
(function () {
  "use strict";

  // A platform avatar that cannot load is removed, so the initial underneath shows (no inline onerror:
  // the Content-Security-Policy allows no inline handlers). Errors before this script ran are caught by
  // looking at the images already done.
  document.addEventListener("error", function (event) {
    var el = event.target;
    if (el && el.tagName === "IMG" && el.hasAttribute("data-hide-broken")) el.remove();
  }, true);
  document.querySelectorAll("img[data-hide-broken]").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) img.remove();
  });

  // Forms with data-confirm ask before submitting (remove a member, revoke access...).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Close an open dropdown (<details class="dropdown">) when clicking elsewhere or pressing Escape.
  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeDropdowns(event.target.closest && event.target.closest("details.dropdown"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeDropdowns(null);
  });

  // Copy buttons: <button data-copy="#selector">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.classList.add("is-done");
      });
    }
  });

  // Flash messages fade out after a while (errors stay).
  window.setTimeout(function () {
    document.querySelectorAll(".flash-success, .flash-info").forEach(function (el) {
      el.classList.add("is-fading");
    });
  }, 6000);
})();
