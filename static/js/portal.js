// Small progressive enhancements; pages work without them.
(function () {
  "use strict";
  // A submit button marked data-requires="<checkbox id>" is enabled only while that box is ticked.
  document.querySelectorAll("[data-requires]").forEach(function (button) {
    var box = document.getElementById(button.dataset.requires);
    if (!box) { return; }
    var sync = function () { button.disabled = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  });
})();

// Issue #20 (WCAG 2.2 AA): the error summary, scrollable tables, focus after a window closes.
(function () {
  "use strict";
  // After a failed submit the summary takes the focus: a screen reader reads the errors first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    // A field the page does not show (a code that can no longer be entered) gets no link.
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      if (!document.getElementById(link.getAttribute("href").slice(1))) {
        link.replaceWith(document.createTextNode(link.textContent));
      }
    });
    summary.focus();
    // A link in the summary puts the focus in its field, not only the scroll position.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  // A table wider than its box scrolls sideways; a keyboard user reaches that scroll only if
  // the box can take the focus. Only while it does scroll: elsewhere it would be an empty stop.
  var REGIONS = ".table-responsive, .my-invoices-table-wrap, .notifications-history-wrap, [data-scroll-region]";
  function markScrollable() {
    document.querySelectorAll(REGIONS).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        var caption = box.querySelector("caption, h2, h3");
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.dataset.label ||
          (caption ? caption.textContent.trim() : "Таблица") + " (прокручивается)");
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  markScrollable();
  window.addEventListener("resize", markScrollable);
  // Tables that arrive later (the invoice details window) are checked when they land.
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; markScrollable(); });
  }).observe(document.body, { childList: true, subtree: true });

  // Bootstrap returns the focus to a window's opener only when a data-bs-toggle opened it; a
  // window opened from a script (the invoice details) would leave the focus on <body>. Every
  // modal of the portal gives it back to whatever had it when the window opened.
  document.addEventListener("show.bs.modal", function (event) {
    event.target.portalOpener = document.activeElement;
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    var opener = event.target.portalOpener;
    if (opener && opener !== document.body && document.contains(opener)) { opener.focus(); }
  });
})();
