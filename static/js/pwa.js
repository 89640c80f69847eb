// The installable app (SPEC §3.9): worker registration, «Установить приложение», offline cards.
(function () {
  "use strict";
  var root = document.documentElement;
  var CARDS_PREFIX = "dms-cards-";

  function purgeCards() {
    if (!window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf(CARDS_PREFIX) === 0; })
        .map(function (n) { return caches.delete(n); }));
    });
  }

  // A page served to a signed-out visitor (the login page after «Выход» or after the session
  // expired): no cached card may outlive the session that fetched it.
  if (root.dataset.session === "anonymous") { purgeCards(); }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/", updateViaCache: "none"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The first card viewed may load before the worker controls the page: ask it to keep one.
      if (document.querySelector("[data-offline-card]") && !navigator.serviceWorker.controller
          && registration.active) {
        registration.active.postMessage({type: "card-viewed", url: location.href});
      }
    }).catch(function () { /* no worker: the site still works online */ });
  }

  // «Установить приложение», only where the browser offers installation.
  var installBar = document.querySelector("[data-install-bar]");
  var installButton = document.querySelector("[data-install-app]");
  var deferred = null;
  var showBar = function (show) { if (installBar) { installBar.hidden = !show; } };
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    deferred = event;
    showBar(true);
  });
  if (installButton) {
    installButton.addEventListener("click", function () {
      if (!deferred) { return; }
      deferred.prompt();
      deferred.userChoice.finally(function () { deferred = null; showBar(false); });
    });
  }
  window.addEventListener("appinstalled", function () { showBar(false); });

  // On a card: say plainly when it is the saved copy.
  var note = document.querySelector("[data-offline-note]");
  if (note) {
    var sync = function () { note.hidden = navigator.onLine; };
    window.addEventListener("online", sync);
    window.addEventListener("offline", sync);
    sync();
  }

  // On the offline page: links to the cards this device keeps.
  var list = document.querySelector("[data-offline-cards]");
  if (list && window.caches) {
    caches.keys().then(function (names) {
      var cards = names.filter(function (n) { return n.indexOf(CARDS_PREFIX) === 0; });
      return Promise.all(cards.map(function (n) {
        return caches.open(n).then(function (c) { return c.keys(); });
      }));
    }).then(function (groups) {
      // Names stay out of this page: the worker checks the session only when a card is opened.
      [].concat.apply([], groups).forEach(function (request, index) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = request.url;
        link.textContent = "Карточка полиса " + (index + 1);
        item.appendChild(link);
        list.appendChild(item);
      });
      list.hidden = !list.children.length;
    });
  }
})();
