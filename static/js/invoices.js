// «Мои счета»: the live total on «ОПЛАТИТЬ N ₽», reasons on disabled boxes, the details modal.
// The server recomputes the amount on payment; this total is only what the user sees.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  var button = document.getElementById("pay-button");
  var hint = document.getElementById("pay-hint");

  // Kopecks as integers: no floating-point sums of money.
  function kopecks(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt((parts[1] || "0").padEnd(2, "0").slice(0, 2), 10);
  }
  function rub(k) {
    var whole = String(Math.floor(k / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    var frac = String(k % 100).padStart(2, "0");
    return whole + "," + frac + "\u00a0₽";
  }
  function update() {
    if (!button) { return; }
    var boxes = form.querySelectorAll("input.js-pick:checked");
    var total = 0;
    boxes.forEach(function (box) { total += kopecks(box.dataset.amount); });
    button.textContent = "ОПЛАТИТЬ " + rub(total);
    button.disabled = boxes.length === 0;
    if (hint) {
      hint.textContent = boxes.length
        ? "Выбрано счетов: " + boxes.length
        : "Отметьте счета, которые хотите оплатить";
    }
  }
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.classList.contains("js-pick")) { update(); }
    });
    // A second click while the first request is in flight must not start a second payment.
    form.addEventListener("submit", function () {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
    update();
    // The pay bar sticks to the bottom of the window: a row focused from the keyboard must
    // not end up under it (scroll-padding covers scrolling into view; this covers the rest).
    var bar = form.querySelector(".my-invoices-paybar");
    form.addEventListener("focusin", function (event) {
      if (!bar || bar.contains(event.target)) { return; }
      var row = event.target.closest("tr") || event.target;
      // The whole row, not only its box, above the bar (scroll-padding-bottom leaves room).
      window.requestAnimationFrame(function () {
        if (row.getBoundingClientRect().bottom > bar.getBoundingClientRect().top) {
          row.scrollIntoView({ block: "nearest", behavior: "instant" });
        }
      });
    });
  }

  // Why a box is disabled: a tooltip on hover, on keyboard focus and on tap.
  if (window.bootstrap) {
    document.querySelectorAll(".pick-disabled[data-bs-toggle='tooltip']").forEach(function (el) {
      new window.bootstrap.Tooltip(el, { trigger: "hover focus" });
    });
  }

  // Details in a modal window; without the script the link opens the details page.
  var modalEl = document.getElementById("invoice-modal");
  if (!modalEl || !window.bootstrap) { return; }
  var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
  var body = document.getElementById("invoice-modal-body");
  var title = document.getElementById("invoice-modal-title");
  var details = "";  // the details URL of the invoice in the window (?partial=1)
  function load(url, fallback) {
    body.innerHTML = '<p class="text-muted">Загрузка…</p>';
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) { body.innerHTML = html; body.scrollTop = 0; })
      .catch(function () {
        body.innerHTML = '<p class="text-danger">Не удалось загрузить счёт. <a href="' + fallback + '">Открыть отдельной страницей</a></p>';
      });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.invoice-file[data-details]");
    if (!link) { return; }
    event.preventDefault();
    title.textContent = "Счёт № " + link.dataset.number;
    details = link.dataset.details;
    modal.show();
    load(details, link.href);
  });
  // Pages of a long invoice's lines stay inside the window.
  body.addEventListener("click", function (event) {
    var link = event.target.closest(".invoice-pager a[data-page]");
    if (!link || !details) { return; }
    event.preventDefault();
    load(details + "&page=" + encodeURIComponent(link.dataset.page), link.href);
  });
})();
