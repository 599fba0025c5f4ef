/* Nobody is signed in (templates/contacts/_met_head.html): the copy of "People I met" that its
   service worker kept for offline use belonged to a session that has ended, so it goes, and so
   does the worker. Entries still waiting in IndexedDB stay: they carry their author's id and
   are sent when that person signs in here again (static/js/met_capture.js). */
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = script ? new URL(script.dataset.swUrl, location.href).href : "";
  if (window.caches) {
    window.caches.keys().then(function (keys) {
      keys.forEach(function (key) {
        if (key.indexOf("rapport-met-") === 0) window.caches.delete(key);
      });
    });
  }
  if (workerUrl && navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      registrations.forEach(function (registration) {
        var worker = registration.active || registration.waiting || registration.installing;
        if (worker && worker.scriptURL === workerUrl) registration.unregister();
      });
    });
  }
})();
