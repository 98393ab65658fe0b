/* Proofline -- visits without the network (README "Offline visits").
 *
 * On every page: signing out empties the caches of the visit pages (and
 * so does the sign-in page), so that one user's pages are never shown to
 * the next.
 *
 * On the visit pages (those with the queue, partials/offline_queue): the
 * service worker (/sw.js) is registered for /visits; a check-in made
 * without the network (or whose request fails on the network) becomes an
 * item in IndexedDB, under the id the check-in form was given (its
 * client_id), with its photos (Blobs), its content and whether the rep
 * completed it.  Items are sent in order through the JSON API with the
 * session's cookie and CSRF token when the network returns (the `online`
 * event, a page load, the retry button): check-in, each photo not yet
 * confirmed, completion.  The server treats the same client id, and the
 * same photo bytes in the same slot, as what it already has, so a replay
 * after a lost answer changes nothing.  An item is removed only when the
 * server confirmed its completion; a refusal (a 4xx with its message, e.g.
 * 422 photos_missing naming the photos) leaves it "needs fixing" for the
 * rep; no network, a 5xx or an ended session leave it waiting.
 *
 * Items carry their owner (company and login): another user signed in on
 * the same phone neither sees nor sends them. */
(function () {
  "use strict";

  function clearCaches() {
    var work = [];
    if (window.caches) {
      work.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) {
          return window.caches.delete(k);
        }));
      }));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("clear");
    }
    return Promise.all(work).catch(function () { return null; });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.cleared ||
        new URL(form.action, location.href).pathname !== "/logout") {
      return;
    }
    ev.preventDefault();
    form.dataset.cleared = "1";
    clearCaches().then(function () { form.submit(); });
  }, true);
  if (location.pathname === "/login") {
    clearCaches();
  }
})();

(function () {
  "use strict";
  var queueEl = document.querySelector("[data-offline-queue]");
  if (!queueEl || !window.indexedDB || !window.Promise) {
    return;
  }
  var owner = queueEl.dataset.owner || "";
  var text = queueEl.dataset;
  var listEl = queueEl.querySelector("[data-queue-list]");
  var countEl = queueEl.querySelector("[data-queue-count]");
  var statusEl = queueEl.querySelector("[data-queue-status]");
  var editor = document.querySelector("[data-offline-visit]");
  var checkin = document.querySelector("form[data-checkin]");
  var current = null;   /* the item in the editor */
  var running = false;

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", {scope: "/visits"})
      .catch(function () { return null; });
    navigator.serviceWorker.ready.then(function (reg) {
      if (navigator.onLine && reg.active) {
        reg.active.postMessage("warm");
      }
    });
  }

  /* --- IndexedDB: one store of items keyed by client id. */
  var dbp = null;
  function db() {
    if (!dbp) {
      dbp = new Promise(function (ok, fail) {
        var req = window.indexedDB.open("proofline-offline", 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore("visits", {keyPath: "id"});
        };
        req.onsuccess = function () { ok(req.result); };
        req.onerror = function () { fail(req.error); };
      });
    }
    return dbp;
  }
  function store(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (ok, fail) {
        var t = d.transaction("visits", mode);
        var out = fn(t.objectStore("visits"));
        t.oncomplete = function () { ok(out && out.result); };
        t.onerror = function () { fail(t.error); };
        t.onabort = function () { fail(t.error); };
      });
    });
  }
  function items() {
    return store("readonly", function (s) { return s.getAll(); })
      .then(function (all) {
        return (all || []).filter(function (it) {
          return it.owner === owner;
        }).sort(function (a, b) { return a.created - b.created; });
      });
  }
  function save(it) {
    return store("readwrite", function (s) { s.put(it); });
  }
  function drop(id) {
    return store("readwrite", function (s) { s.delete(id); });
  }

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (txt !== undefined) {
      e.textContent = txt;
    }
    return e;
  }
  function status(msg) {
    statusEl.textContent = msg || "";
    if (msg) {
      queueEl.hidden = false;
    }
  }

  /* --- The queue as the rep sees it. */
  function render() {
    return items().then(function (all) {
      listEl.textContent = "";
      countEl.textContent = all.length === 0 ? text.none
        : all.length === 1 ? text.countOne
        : text.count.replace("{n}", String(all.length));
      all.forEach(function (it) {
        var li = el("li", "task-item");
        li.dataset.queueItem = it.id;
        li.dataset.state = it.state;
        var main = el("div", "task-main");
        main.appendChild(el("span", "task-title", it.customer_name));
        main.appendChild(document.createTextNode(" "));
        main.appendChild(el("span", "badge", it.type_name));
        main.appendChild(document.createTextNode(" "));
        main.appendChild(el("span", it.state === "fix" ? "badge badge-warn"
                            : "badge", text["state" + it.state[0]
                              .toUpperCase() + it.state.slice(1)]));
        main.appendChild(el("p", "task-meta",
                            new Date(it.created).toLocaleString()));
        if (it.message) {
          var m = el("p", it.state === "fix" ? "alert alert-error" : "hint",
                     it.message);
          m.dataset.queueMessage = "";
          if (it.missing) {
            m.dataset.missing = it.missing.join(" ");
          }
          main.appendChild(m);
        }
        if (it.state === "draft" || it.state === "fix") {
          var acts = el("p", "actions");
          if (it.kind !== "activity") {
            var cont = el("button", "button", text.continue);
            cont.type = "button";
            cont.addEventListener("click", function () { resume(it.id); });
            acts.appendChild(cont);
            acts.appendChild(document.createTextNode(" "));
          }
          var del = el("button", "button", text.delete);
          del.type = "button";
          del.addEventListener("click", function () {
            if (window.confirm(text.deleteConfirm)) {
              drop(it.id).then(render);
            }
          });
          acts.appendChild(del);
          main.appendChild(acts);
        }
        li.appendChild(main);
        listEl.appendChild(li);
      });
      queueEl.hidden = all.length === 0 && !statusEl.textContent;
      return all;
    });
  }

  /* --- Sending: check-in, photos, completion; the item goes when the
   * server confirmed the completion. */
  function token() {
    var t = document.querySelector("input[name=_csrf]");
    return t ? t.value : "";
  }
  function send(path, body) {
    var headers = {"X-CSRF-Token": token(), "Accept": "application/json"};
    if (!(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(body);
    }
    return fetch(path, {method: "POST", credentials: "same-origin",
                        headers: headers, body: body})
      .then(function (resp) {
        return resp.text().then(function (t) {
          var json = null;
          try {
            json = JSON.parse(t);
          } catch (e) {
            json = null;
          }
          return {status: resp.status, body: json || {}};
        });
      }, function () {
        return {status: 0, body: {}};
      });
  }
  /* What an answer means for the item: null (go on), or why it stops. */
  function verdict(r) {
    if (r.status >= 200 && r.status < 300) {
      return null;
    }
    if (r.status === 0) {
      return {later: true, message: text.network};
    }
    if (r.status === 401 || r.status === 403) {
      return {later: true, message: r.body.message || text.signIn};
    }
    if (r.status >= 500 || r.status === 429 || r.status === 408) {
      return {later: true, message: text.serverBusy};
    }
    var msg = r.body.message || r.body.error || String(r.status);
    var missing = null;
    if (Array.isArray(r.body.missing)) {
      missing = r.body.missing.map(function (m) { return m.key; });
      msg += " " + text.missing + r.body.missing.map(function (m) {
        return m.name || m.key;
      }).join("、");
    }
    if (r.body.fields && typeof r.body.fields === "object") {
      Object.keys(r.body.fields).forEach(function (k) {
        msg += " " + r.body.fields[k];
      });
    }
    return {later: false, message: msg, missing: missing};
  }
  function sendActivity(it) {
    var c = it.content || {}, body = {kind: it.kind_value,
      customer: Number(it.customer), client_id: it.id};
    ["need", "competitor", "next_step", "content"].forEach(function (k) {
      body[k] = c[k] || "";
    });
    if (c.next_date) {
      body.next_date = c.next_date;
    }
    if (c.contacts && c.contacts.length) {
      body.contacts = c.contacts;
    }
    return send("/api/v1/activities", body).then(verdict);
  }
  function sendItem(it) {
    if (it.kind === "activity") {
      return sendActivity(it);
    }
    var start = Promise.resolve(null);
    if (!it.visit_id) {
      /* The phone's time of the check-in: the server places the visit
       * there (bounded by its own clock) and keeps its time of arrival. */
      var body = {customer: Number(it.customer), visit_type: it.visit_type,
                  client_id: it.id,
                  checked_in_at: new Date(it.created).toISOString()};
      if (it.lat !== "" && it.lng !== "") {
        body.lat = Number(it.lat);
        body.lng = Number(it.lng);
        if (it.accuracy !== "") {
          body.accuracy = Number(it.accuracy);
        }
      }
      start = send("/api/v1/visits", body).then(function (r) {
        var v = verdict(r);
        if (!v) {
          it.visit_id = r.body.id;
          return save(it).then(function () { return null; });
        }
        return v;
      });
    }
    var chain = start;
    it.photos.forEach(function (p) {
      chain = chain.then(function (v) {
        if (v || p.sent) {
          return v;
        }
        var fd = new FormData();
        fd.append("key", p.key);
        fd.append("file", p.blob, p.file_name || (p.key + ".jpg"));
        return send("/api/v1/visits/" + it.visit_id + "/photos", fd)
          .then(function (r) {
            var why = verdict(r);
            if (!why) {
              p.sent = true;
              return save(it).then(function () { return null; });
            }
            return why;
          });
      });
    });
    return chain.then(function (v) {
      /* Photos queued on a visit's own page, not completed there: sent. */
      if (v || !it.content) {
        return v;
      }
      var c = it.content;
      var body = {};
      ["need", "competitor", "next_step", "content"].forEach(function (k) {
        body[k] = c[k] || "";
      });
      if (c.next_date) {
        body.next_date = c.next_date;
      }
      if (c.contacts) {
        body.contacts = c.contacts;
      }
      return send("/api/v1/visits/" + it.visit_id + "/complete", body)
        .then(verdict);
    });
  }
  var again = false;
  function replay(all) {
    if (running) {
      again = true;   /* an item queued meanwhile: one more round */
      return Promise.resolve();
    }
    running = true;
    again = false;
    var sent = 0;
    return items().then(function (list) {
      var chain = Promise.resolve(false);
      list.forEach(function (it) {
        chain = chain.then(function (stop) {
          if (stop || it.state === "draft" ||
              (it.state === "fix" && !all)) {
            return stop;
          }
          it.state = "sending";
          it.message = "";
          return save(it).then(render).then(function () {
            return sendItem(it);
          }).then(function (v) {
            if (!v) {
              sent++;
              return drop(it.id).then(function () { return false; });
            }
            it.state = v.later ? "waiting" : "fix";
            it.message = v.message;
            it.missing = v.missing || null;
            return save(it).then(function () { return v.later; });
          });
        });
      });
      return chain;
    }).then(function () {
      running = false;
      if (sent > 0) {
        status(text.uploaded.replace("{n}", String(sent)));
      }
      if (again && navigator.onLine) {
        return replay(all);
      }
      return render();
    }, function () {
      running = false;
      return render();
    });
  }

  /* --- The offline visit form on /visits/new. */
  function slots(it) {
    var box = editor.querySelector("[data-offline-slots]");
    var kinds = editor.querySelectorAll("[data-type-photos]");
    var want = null;
    for (var i = 0; i < kinds.length; i++) {
      if (kinds[i].dataset.typePhotos === it.visit_type) {
        want = kinds[i].querySelectorAll("li");
      }
    }
    box.textContent = "";
    Array.prototype.forEach.call(want || [], function (w) {
      var key = w.dataset.key;
      var li = el("li", "photo-slot");
      li.dataset.slot = key;
      li.appendChild(el("span", "photo-name", w.textContent));
      var have = it.photos.some(function (p) { return p.key === key; });
      if (have) {
        li.classList.add("photo-done");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", "badge", editor.dataset.taken));
      }
      var input = el("input");
      input.type = "file";
      input.accept = "image/*";
      input.setAttribute("capture", "environment");
      input.setAttribute("aria-label", w.textContent);
      input.name = "photo_" + key;
      input.addEventListener("change", function () {
        var f = input.files && input.files[0];
        if (!f) {
          return;
        }
        /* A new shot replaces one not sent yet for the same slot. */
        it.photos = it.photos.filter(function (p) {
          return p.key !== key || p.sent;
        });
        it.photos.push({key: key, blob: f, file_name: f.name, sent: false});
        save(it).then(function () { slots(it); render(); });
      });
      li.appendChild(input);
      box.appendChild(li);
    });
  }
  function open(it) {
    current = it;
    editor.querySelector("[data-offline-customer]").textContent =
      it.customer_name + " · " + it.type_name;
    var form = editor.querySelector("[data-offline-content]");
    var c = it.content || {};
    ["need", "competitor", "next_step", "next_date", "content"]
      .forEach(function (k) { form.elements[k].value = c[k] || ""; });
    slots(it);
    editor.hidden = false;
    if (checkin) {
      checkin.closest("section").hidden = true;
    }
    editor.scrollIntoView();
  }
  function close() {
    current = null;
    editor.hidden = true;
    if (checkin) {
      checkin.closest("section").hidden = false;
      checkin.elements.client_id.value = newId();
      delete checkin.dataset.sent;
      var b = checkin.querySelectorAll("button[type=submit]");
      for (var i = 0; i < b.length; i++) {
        b[i].disabled = false;
      }
    }
  }
  function resume(id) {
    if (id.indexOf("visit-") === 0) {
      location.assign("/visits/" + id.slice(6));
      return;
    }
    if (!editor) {
      location.assign("/visits/new#offline-" + id);
      return;
    }
    items().then(function (all) {
      all.forEach(function (it) {
        if (it.id === id) {
          open(it);
        }
      });
    });
  }
  function queueCheckin(form) {
    var cust = form.elements.customer, type = form.elements.visit_type;
    if (!cust || !cust.value || !type || !type.value) {
      return;
    }
    var it = {
      id: form.elements.client_id.value || newId(), owner: owner,
      created: Date.now(), customer: cust.value,
      customer_name: cust.options[cust.selectedIndex].textContent,
      visit_type: type.value,
      type_name: type.options[type.selectedIndex].textContent,
      lat: form.elements.lat.value, lng: form.elements.lng.value,
      accuracy: form.elements.accuracy.value, photos: [], content: null,
      state: "draft", message: "", visit_id: 0
    };
    save(it).then(function () {
      open(it);
      return render();
    });
  }

  if (editor && checkin) {
    checkin.addEventListener("submit", function (ev) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      if (!navigator.onLine) {
        queueCheckin(checkin);
        return;
      }
      /* Online: the same check-in through the API; a network failure
       * queues it, a refusal shows the server's page (same client id:
       * still one visit). */
      var e = checkin.elements, body = {
        customer: Number(e.customer.value), visit_type: e.visit_type.value,
        client_id: e.client_id.value
      };
      if (e.lat.value !== "" && e.lng.value !== "") {
        body.lat = Number(e.lat.value);
        body.lng = Number(e.lng.value);
        if (e.accuracy.value !== "") {
          body.accuracy = Number(e.accuracy.value);
        }
      }
      send("/api/v1/visits", body).then(function (r) {
        if (r.status === 0) {
          queueCheckin(checkin);
        } else if (r.status === 200 || r.status === 201) {
          location.assign("/visits/" + r.body.id + "?done=checked_in");
        } else {
          HTMLFormElement.prototype.submit.call(checkin);
        }
      });
    }, false);
    editor.querySelector("[data-offline-content]")
      .addEventListener("submit", function (ev) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        var it = current, form = ev.target;
        if (!it) {
          return;
        }
        it.content = {};
        ["need", "competitor", "next_step", "next_date", "content"]
          .forEach(function (k) { it.content[k] = form.elements[k].value; });
        it.state = "waiting";
        it.message = "";
        save(it).then(function () {
          form.reset();
          close();
          status(text.queued);
          return render();
        }).then(function () {
          if (navigator.onLine) {
            replay(false);
          }
        });
      }, false);
  }

  /* --- A visit checked in online whose own page (/visits/<id>) has lost
   * the network: its photos and its completion are queued against the
   * visit's id ("visit-<id>") and sent like the rest. */
  var where = /^\/visits\/(\d+)$/.exec(location.pathname);
  var doneForm = document.querySelector('form[action$="/complete"]');
  function pageItem(vid) {
    var id = "visit-" + vid;
    return items().then(function (all) {
      var h1 = document.querySelector("h1");
      var small = h1 && h1.querySelector("small");
      return all.filter(function (it) { return it.id === id; })[0] || {
        id: id, owner: owner, created: Date.now(), customer: "",
        customer_name: h1 ? h1.firstChild.textContent.trim() : "",
        visit_type: "", type_name: small ? small.textContent : "",
        lat: "", lng: "", accuracy: "", photos: [], content: null,
        state: "waiting", message: "", visit_id: vid
      };
    });
  }
  function pageContent(form) {
    var c = {contacts: []};
    ["need", "competitor", "next_step", "next_date", "content"]
      .forEach(function (k) {
        c[k] = form.elements[k] ? form.elements[k].value : "";
      });
    var picks = form.querySelectorAll("input[name=contact]:checked");
    Array.prototype.forEach.call(picks, function (p) {
      var cons = form.elements["consensus_" + p.value];
      c.contacts.push({id: Number(p.value), consensus: cons ? cons.value : ""});
    });
    return c;
  }
  if (where) {
    document.addEventListener("submit", function (ev) {
      var form = ev.target, photo = form.elements && form.elements.file &&
        /\/photos$/.test(form.getAttribute("action") || "");
      if (navigator.onLine || (!photo && form !== doneForm)) {
        return;
      }
      ev.preventDefault();
      ev.stopImmediatePropagation();
      pageItem(Number(where[1])).then(function (it) {
        it.state = "waiting";
        it.message = "";
        if (!photo) {
          it.content = pageContent(form);
          return save(it);
        }
        var f = form.elements.file.files[0], key = form.elements.key.value;
        if (!f) {
          return null;
        }
        it.photos = it.photos.filter(function (p) {
          return p.key !== key || p.sent;
        });
        it.photos.push({key: key, blob: f, file_name: f.name, sent: false});
        var slot = form.closest("[data-slot]");
        if (slot) {
          slot.classList.add("photo-done");
        }
        form.reset();
        return save(it);
      }).then(function () {
        status(text.queued);
        return render();
      });
    }, true);
  }

  /* --- Any activity form marked data-offline-activity (the activity
   * page; a quick-note form may opt in the same way): offline, the
   * activity is queued with a client id of its own and sent to
   * POST /api/v1/activities, where the same id is the same activity. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (navigator.onLine || !(form instanceof HTMLFormElement) ||
        !form.hasAttribute("data-offline-activity")) {
      return;
    }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    var e = form.elements, cust = e.customer, kind = e.kind;
    var pick = function (sel) {
      return sel && sel.options ? sel.options[sel.selectedIndex].textContent
        : "";
    };
    var it = {
      id: (e.client_id && e.client_id.value) || newId(), owner: owner,
      created: Date.now(), kind: "activity",
      kind_value: kind ? kind.value : "visit", customer: cust.value,
      customer_name: pick(cust), type_name: pick(kind), visit_type: "",
      photos: [], content: pageContent(form), state: "waiting",
      message: "", visit_id: 0
    };
    save(it).then(function () {
      form.reset();
      if (e.client_id) {
        e.client_id.value = newId();
      }
      status(text.queued);
      return render();
    });
  }, true);

  queueEl.querySelector("[data-queue-retry]").addEventListener(
    "click", function () { replay(true); });
  window.addEventListener("online", function () { replay(false); });
  window.addEventListener("offline", function () {
    status(text.offlineNow);
  });
  render().then(function () {
    var m = /^#offline-([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (m) {
      resume(m[1]);
    }
    if (!navigator.onLine) {
      status(text.offlineNow);
    } else {
      replay(false);
    }
  });
})();
