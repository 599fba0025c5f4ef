/* The service worker of "People I met" (contacts/views/met.py serves it at /sw.js; its scope
   is that page alone, so no other page of the site ever goes through it). It keeps one copy of
   the page and of the files the page loads, fetched by itself when the page asks (never a
   response the student navigated to: no flash message, no private list in it), and serves
   that copy only when the network fails or is too slow. The entries themselves wait in the
   page's IndexedDB (static/js/met_capture.js), not here. */
"use strict";

var VERSION = "{{ version }}";
var CACHE_PREFIX = "{{ cache_prefix }}";
var CACHE = CACHE_PREFIX + VERSION;
var SHELL_URL = "{{ shell_url|escapejs }}";
var STATIC_URL = "{{ static_url|escapejs }}";
// A venue's wifi that answers slowly: after this long, the kept copy is shown instead.
var SLOW_MS = 4000;

// The files the page loads: every attribute value under STATIC_URL (stylesheets, scripts,
// icons, and the QR reader named in a data- attribute, loaded on demand).
function staticUrls(html) {
  var urls = {};
  var pattern = /(?:src|href|data-[a-z-]+)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html))) {
    var url = match[1].replace(/&amp;/g, "&");
    if (url.indexOf(STATIC_URL) === 0) urls[url] = true;
  }
  return Object.keys(urls);
}

function forget() {
  return caches.keys().then(function (keys) {
    return Promise.all(
      keys
        .filter(function (key) {
          return key.indexOf(CACHE_PREFIX) === 0;
        })
        .map(function (key) {
          return caches.delete(key);
        })
    );
  });
}

// Fetch the page and its files and keep them; true when kept. Signed out (a redirect to the
// login page) or refused: whatever was kept goes, it belongs to a session that has ended.
function cacheShell() {
  return fetch(SHELL_URL, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
    .then(function (page) {
      if (page.type === "opaqueredirect" || !page.ok) {
        return forget().then(function () {
          return false;
        });
      }
      return page
        .clone()
        .text()
        .then(function (html) {
          return caches.open(CACHE).then(function (cache) {
            return Promise.all(
              staticUrls(html).map(function (url) {
                return fetch(url, { cache: "no-cache" }).then(function (response) {
                  if (!response.ok) throw new Error(url + " answered " + response.status);
                  return cache.put(url, response);
                });
              })
            ).then(function () {
              return cache.put(SHELL_URL, page);
            });
          });
        })
        .then(function () {
          return true;
        });
    })
    .catch(function () {
      return false;
    });
}

function keptCopy(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true });
  });
}

// Network first; the kept page when the network fails or is slower than SLOW_MS.
function page(request) {
  return keptCopy(SHELL_URL).then(function (kept) {
    var network = fetch(request).then(function (response) {
      if (response.type === "opaqueredirect") forget(); // to the login page: signed out
      return response;
    });
    if (!kept) return network;
    return new Promise(function (resolve) {
      var timer = setTimeout(function () {
        resolve(kept);
      }, SLOW_MS);
      network.then(
        function (response) {
          clearTimeout(timer);
          resolve(response);
        },
        function () {
          clearTimeout(timer);
          resolve(kept);
        }
      );
    });
  });
}

function staticFile(request) {
  return fetch(request).catch(function () {
    return keptCopy(request).then(function (kept) {
      return kept || Response.error();
    });
  });
}

self.addEventListener("install", function (event) {
  // A new version keeps its own copy before it replaces the old one (and its cache).
  event.waitUntil(cacheShell().then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (keys) {
        return Promise.all(
          keys
            .filter(function (key) {
              return key.indexOf(CACHE_PREFIX) === 0 && key !== CACHE;
            })
            .map(function (key) {
              return caches.delete(key);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// The page, once loaded online, asks for a fresh copy: {type: "cache-shell"}, answered on the
// message's port with {cached: true|false}.
self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "cache-shell") return;
  var port = event.ports && event.ports[0];
  event.waitUntil(
    cacheShell().then(function (cached) {
      if (port) port.postMessage({ cached: cached });
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL_URL) {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf(STATIC_URL) === 0) {
    event.respondWith(staticFile(request));
  }
  // Anything else (the sync, the recent list, other pages) is the browser's own business.
});
