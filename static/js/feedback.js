// «Формы обратной связи»: show the dispute fields only for «Несогласие с услугой»; choosing an
// invoice reloads the form with that invoice's lines (only the chosen invoice's lines are
// rendered, so hundreds of invoices keep the page small). Without JS every field stays
// visible and the first submit shows the chosen invoice's lines with a message.
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
  }

  form.querySelectorAll("input[name='kind']").forEach(function (radio) { radio.addEventListener("change", refresh); });
  if (invoiceSelect) {
    invoiceSelect.addEventListener("change", function () {
      var params = new URLSearchParams({ kind: "service_dispute" });
      if (invoiceSelect.value) params.set("invoice", invoiceSelect.value);
      window.location.assign(window.location.pathname + "?" + params.toString());
    });
  }
  refresh();
})();
