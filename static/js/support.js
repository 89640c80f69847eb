// «Поддержка»: poll the message list so staff answers appear without reloading the page.
(function () {
  "use strict";
  var chat = document.getElementById("support-chat");
  if (!chat) return;
  var url = chat.dataset.pollUrl;
  var interval = parseInt(chat.dataset.pollMs || "3000", 10);
  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && html.trim() !== chat.innerHTML.trim()) {
          chat.innerHTML = html;
          document.querySelectorAll(".portal-unread").forEach(function (b) { b.remove(); });
        }
      })
      .catch(function () { /* offline: try again on the next tick */ });
  }
  window.setInterval(refresh, interval);
})();
