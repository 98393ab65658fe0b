/* Proofline -- the service worker of the visit pages (README "Offline
 * visits").  Served at /sw.js (nginx, Cache-Control: no-cache) and
 * registered by offline.js with the scope /visits: it sees only the visit
 * pages and what they load.
 *
 * Pages (/visits, /visits/new): network first; a good answer is kept, so
 * the last one seen is shown when the network is gone.  Static assets
 * (the list below on install, anything else under /static/ the visit
 * pages load, e.g. a script another feature adds): network first too,
 * the kept copy offline.  Nothing else is touched:
 * requests that change something (POST) and the API always go to the
 * network, and their failures reach the page, which queues the visit.
 * A page that answers with the sign-in page (signed out, session ended)
 * empties the cache: a signed-in user's pages are never shown to the next
 * one.  offline.js empties it on sign-out and on the sign-in page too. */
"use strict";

var CACHE = "proofline-visits-v1";  /* a new name drops the old cache */
var PAGES = ["/visits", "/visits/new"];
var ASSETS = ["/static/app.js", "/static/app.css", "/static/offline.js",
              "/static/favicon.svg", "/static/logo.svg"];

self.addEventListener("install", function (ev) {
  ev.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(ASSETS);
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (ev) {
  ev.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k !== CACHE;
    }).map(function (k) {
      return caches.delete(k);
    }));
  }).then(function () {
    return self.clients.claim();
  }));
});

/* Bumped by every clear: an answer fetched before a sign-out (with the
 * previous user's cookie) that arrives after it is not kept. */
var generation = 0;

function clearAll() {
  generation += 1;
  return caches.keys().then(function (keys) {
    return Promise.all(keys.map(function (k) { return caches.delete(k); }));
  });
}

/* Keep the visit pages as they are now (offline.js asks on each visit
 * page, so that /visits/new is there offline even when only /visits was
 * opened). */
function warm() {
  var started = generation;
  return caches.open(CACHE).then(function (c) {
    return Promise.all(PAGES.map(function (path) {
      return fetch(path, {credentials: "same-origin"}).then(function (resp) {
        if (keep(resp, path) && started === generation) {
          return c.put(path, resp);
        }
        return null;
      }).catch(function () { return null; });
    }));
  });
}

self.addEventListener("message", function (ev) {
  if (ev.data === "clear") {
    ev.waitUntil(clearAll());
  } else if (ev.data === "warm") {
    ev.waitUntil(warm());
  }
});

function keep(resp, path) {
  return resp.ok && resp.type === "basic" && !resp.redirected &&
         new URL(resp.url).pathname === path;
}

function page(req, path) {
  var started = generation;
  return fetch(req).then(function (resp) {
    var url = new URL(resp.url || req.url);
    if (url.pathname === "/login" || resp.status === 401) {
      clearAll();
      return resp;
    }
    if (keep(resp, path) && url.search === "" && started === generation) {
      var copy = resp.clone();
      caches.open(CACHE).then(function (c) { return c.put(path, copy); });
    }
    return resp;
  }, function () {
    return caches.open(CACHE).then(function (c) {
      return c.match(path);
    }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

/* Assets: the network first as well (nginx answers them from its own
 * cache and the browser's HTTP cache still applies), the kept copy when
 * there is no network -- after a release the new pages never run the old
 * scripts. */
function asset(ev, req, path) {
  return fetch(req).then(function (resp) {
    if (resp.ok && resp.type === "basic") {
      var copy = resp.clone();
      ev.waitUntil(caches.open(CACHE).then(function (c) {
        return c.put(path, copy);
      }));
    }
    return resp;
  }, function () {
    return caches.open(CACHE).then(function (c) {
      return c.match(path);
    }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (ev) {
  var req = ev.request;
  var url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (req.mode === "navigate" && PAGES.indexOf(url.pathname) >= 0) {
    ev.respondWith(page(req, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0 ||
             ASSETS.indexOf(url.pathname) >= 0) {
    ev.respondWith(asset(ev, req, url.pathname));
  }
});
