// «Формы обратной связи»: show the dispute fields only for «Несогласие с услугой» and only the
// lines of the chosen invoice. Without JS every field stays visible and the server validates.
(function () {
  "use strict";
  var form = document.querySelector(".fb-form");
  if (!form) return;
  document.body.classList.add("fb-js");
  var invoiceSelect = form.querySelector("select[name='invoice']");

  function kind() {
    var checked = form.querySelector("input[name='kind']:checked");
    return checked ? checked.value : "";
  }

  function refresh() {
    var dispute = kind() === "service_dispute";
    form.querySelectorAll(".fb-only-dispute").forEach(function (el) { el.classList.toggle("fb-hide", !dispute); });
    form.querySelectorAll(".fb-only-general").forEach(function (el) { el.classList.toggle("fb-hide", dispute); });
    form.querySelectorAll(".fb-only-contact").forEach(function (el) { el.classList.toggle("fb-hide", kind() !== "contact_change"); });
    var chosen = invoiceSelect ? invoiceSelect.value : "";
    form.querySelectorAll(".fb-invoice-lines").forEach(function (group) {
      var show = chosen !== "" && group.getAttribute("data-invoice") === chosen;
      group.setAttribute("data-hidden", show ? "0" : "1");
      if (!show) {
        // A line left ticked in a hidden invoice would be sent with the wrong invoice.
        group.querySelectorAll("input[type='checkbox']").forEach(function (box) { box.checked = false; });
      }
    });
  }

  form.querySelectorAll("input[name='kind']").forEach(function (radio) { radio.addEventListener("change", refresh); });
  if (invoiceSelect) invoiceSelect.addEventListener("change", refresh);
  refresh();
})();
