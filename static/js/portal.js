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
