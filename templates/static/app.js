/* Proofline -- progressive enhancement only: every page works without it.
 * Loaded from /static (CSP forbids inline script). */

/* Destructive or surprising actions ask first, in place: a form with
 * data-confirm always asks its question; a stage form (data-confirm-back,
 * data-confirm-lost) asks when the chosen option goes back or to lost
 * (data-back, data-lost).  Yes adds confirm=1; without this script the
 * server asks on a page of its own (view_confirm_page). */
(function () {
  "use strict";
  function question(form) {
    if (form.dataset.confirm) {
      return form.dataset.confirm;
    }
    var sel = form.dataset.confirmBack && form.querySelector("select[name=to]");
    var opt = sel && sel.options[sel.selectedIndex];
    if (!opt || (!opt.dataset.back && !opt.dataset.lost)) {
      return null;
    }
    return (opt.dataset.lost ? form.dataset.confirmLost
                             : form.dataset.confirmBack) +
           "\n\n" + opt.textContent;
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var q = form instanceof HTMLFormElement ? question(form) : null;
    if (!q) {
      return;
    }
    if (!window.confirm(q)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
      return;
    }
    var yes = document.createElement("input");
    yes.type = "hidden";
    yes.name = "confirm";
    yes.value = "1";
    form.appendChild(yes);
  }, true);
})();

(function () {
  "use strict";
  /* Avoid double submission: disable a form's buttons once it is sent.
   * A form answered by a download (data-download-form) leaves the page in
   * place, so its button stays usable. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.sent ||
        form.hasAttribute("data-download-form")) {
      return;
    }
    form.dataset.sent = "1";
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].disabled = true;
      }
    }, 0);
  });
})();

/* The rule editor: keep the line-number gutter beside the text, and mark
 * the line an error names. */
(function () {
  "use strict";
  var area = document.querySelector("textarea.code[name=source]");
  var gutter = document.querySelector(".gutter");
  if (!area || !gutter) {
    return;
  }
  area.addEventListener("scroll", function () {
    gutter.scrollTop = area.scrollTop;
  });
  function goTo(line) {
    var lines = area.value.split("\n");
    var pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) {
      pos += lines[i].length + 1;
    }
    area.focus();
    area.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
    var mark = document.getElementById("L" + line);
    if (mark) {
      mark.className = "hl";
    }
    area.scrollTop = Math.max(0, (line - 5) * 19.5);
  }
  var links = document.querySelectorAll("a.line-link");
  for (var i = 0; i < links.length; i++) {
    links[i].addEventListener("click", function (ev) {
      var n = parseInt(this.getAttribute("data-line"), 10);
      if (location.pathname === this.pathname && n > 0) {
        ev.preventDefault();
        goTo(n);
      }
    });
  }
  var m = /^#L(\d+)$/.exec(location.hash);
  if (m) {
    goTo(parseInt(m[1], 10));
  }
})();

/* The board: on a wide screen a card can be dragged onto another column.
 * The drop fills the card's own form (to = the column's stage) and sends
 * it, so the same confirmation and server checks apply.  A move to lost
 * first asks for the reason in the card's form.  Without a pointer or this
 * script, the form is the way (and the keyboard's). */
(function () {
  "use strict";
  var board = document.querySelector(".board[data-drag]");
  if (!board) {
    return;
  }
  var dragged = null;
  function option(card, stage) {
    var sel = card && card.querySelector("form.move select[name=to]");
    if (!sel) {
      return null;
    }
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === stage) {
        return sel.options[i];
      }
    }
    return null;
  }
  function clear() {
    var marked = board.querySelectorAll(".drop-ok");
    for (var i = 0; i < marked.length; i++) {
      marked[i].classList.remove("drop-ok");
    }
  }
  var cards = board.querySelectorAll(".board-card");
  for (var i = 0; i < cards.length; i++) {
    cards[i].draggable = true;
    cards[i].addEventListener("dragstart", function (ev) {
      dragged = this;
      this.classList.add("dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", this.dataset.id);
    });
    cards[i].addEventListener("dragend", function () {
      this.classList.remove("dragging");
      dragged = null;
      clear();
    });
  }
  var cols = board.querySelectorAll(".board-col[data-stage]");
  for (var j = 0; j < cols.length; j++) {
    cols[j].addEventListener("dragover", function (ev) {
      if (option(dragged, this.dataset.stage)) {
        ev.preventDefault();
        ev.dataTransfer.dropEffect = "move";
        this.classList.add("drop-ok");
      }
    });
    cols[j].addEventListener("dragleave", function (ev) {
      if (!this.contains(ev.relatedTarget)) {
        this.classList.remove("drop-ok");
      }
    });
    cols[j].addEventListener("drop", function (ev) {
      var card = dragged;
      var opt = option(card, this.dataset.stage);
      clear();
      if (!opt) {
        return;
      }
      ev.preventDefault();
      var form = card.querySelector("form.move");
      opt.selected = true;
      var reason = form.querySelector("select[name=lost_reason]");
      if (opt.dataset.lost && reason && !reason.value) {
        card.classList.add("needs-reason");
        reason.focus();
        return;
      }
      form.requestSubmit();
    });
  }
})();

/* Recovery codes: copy them all, or download them as a text file made in
 * the browser (the server keeps only their hashes).  Without this script
 * the codes stay selectable on the page. */
(function () {
  "use strict";
  var bar = document.querySelector(".keep-codes");
  if (!bar) {
    return;
  }
  var status = bar.querySelector("[role=status]");
  function text(id) {
    var list = document.getElementById(id);
    var codes = list.querySelectorAll("code");
    var lines = [list.dataset.title, ""];
    for (var i = 0; i < codes.length; i++) {
      lines.push(codes[i].textContent);
    }
    return lines.join("\n") + "\n";
  }
  bar.hidden = false;
  bar.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) {
      return;
    }
    if (b.dataset.copy) {
      var done = function () { status.textContent = b.dataset.done; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text(b.dataset.copy)).then(done);
      } else {
        var area = document.createElement("textarea");
        area.value = text(b.dataset.copy);
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        document.body.removeChild(area);
        done();
      }
    } else if (b.dataset.download) {
      var url = URL.createObjectURL(new Blob([text(b.dataset.download)],
                                             {type: "text/plain"}));
      var a = document.createElement("a");
      a.href = url;
      a.download = b.dataset.filename;
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }
  });
})();

/* The customer list re-sorted around the position, nearest first: the
 * same page asked again with near=lat,lng (the server measures), its
 * options taken over.  Not when the rep searched or chose already. */
function nearestFirst(form, coords) {
  "use strict";
  var select = form.querySelector("select[data-nearby]");
  var query = new URLSearchParams(window.location.search);
  if (!select || query.get("q") || query.get("near") || query.get("customer") ||
      !window.fetch || !window.DOMParser) {
    return;
  }
  query.set("near", coords.latitude.toFixed(6) + "," +
            coords.longitude.toFixed(6));
  window.fetch(window.location.pathname + "?" + query.toString(),
               {credentials: "same-origin"}).then(function (r) {
    return r.ok ? r.text() : "";
  }).then(function (html) {
    var doc = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector("select[data-nearby]");
    var hint = doc.querySelector("[data-nearest]");
    if (!fresh || !hint) {
      return;
    }
    select.innerHTML = fresh.innerHTML;
    select.selectedIndex = 0;
    (select.closest("label") || select).insertAdjacentElement("afterend", hint);
  }).catch(function () {
    /* offline or refused: the list stays as it was */
  });
}

/* Check-in: a client id made here (sending the form twice makes one
 * visit) and the browser's position, when it gives one. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkin]");
  if (!form) {
    return;
  }
  var id = form.elements.client_id;
  if (id && !id.value) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    id.value = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  var note = form.querySelector("[data-position]");
  if (!navigator.geolocation) {
    return;
  }
  navigator.geolocation.getCurrentPosition(function (p) {
    form.elements.lat.value = p.coords.latitude.toFixed(6);
    form.elements.lng.value = p.coords.longitude.toFixed(6);
    form.elements.accuracy.value = Math.round(p.coords.accuracy);
    if (note && note.dataset.located) {
      note.textContent = note.dataset.located;
    }
    nearestFirst(form, p.coords);
  }, function () {
    if (note && note.dataset.failed) {
      note.textContent = note.dataset.failed;
    }
  }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
})();

/* Before submitting: would this activity count?  The form's content is
 * sent to /activities/check as the rep types (the rules decide, nothing
 * is saved) and the answer shown under it.  Offline the hint stays
 * empty; the server decides again on arrival anyway. */
(function () {
  "use strict";
  var hint = document.querySelector("[data-verdict]");
  var form = hint && hint.closest("form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var timer = null;
  var seq = 0;
  function ask() {
    var mine = ++seq;
    var body = new URLSearchParams();
    ["_csrf", "kind", "need", "competitor", "next_step", "content"].forEach(
      function (name) {
        var el = form.elements[name];
        if (el && el.value !== undefined) {
          body.append(name, el.value);
        }
      });
    window.fetch("/activities/check", {
      method: "POST", credentials: "same-origin", body: body,
      headers: {"Accept": "application/json"}
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (v) {
      if (v && mine === seq) {
        hint.textContent = v.text;
        hint.classList.toggle("verdict-no", !v.effective);
      }
    }).catch(function () {
      hint.textContent = "";
    });
  }
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
  ask();
})();

/* Quick notes: a dictated note fills in the new activity or visit form.
 * Without this script the note box posts to the page itself and the
 * server answers with the form filled in.  Here the same request runs in
 * the background and what the server proposed ([data-prefill]) is copied
 * into the form on this page, leaving alone what the rep typed and what
 * was not recognised.  The moment the rep starts the note is sent as
 * note_at (dates such as 明天 count from it).  On the visit form the
 * proposal is kept for the visit's content form, after check-in, for the
 * same customer only.  Kept apart from the visit page's other scripts. */
(function () {
  "use strict";
  var KEY = "proofline.note";
  var FIELDS = {need: "need", competitor: "competitor",
                nextStep: "next_step", nextDate: "next_date",
                content: "content"};

  function setIfEmpty(form, name, value) {
    var el = form.elements[name];
    if (el && value && !el.value) {
      el.value = value;
    }
  }

  function fillContent(form, p) {
    for (var k in FIELDS) {
      if (Object.prototype.hasOwnProperty.call(FIELDS, k)) {
        setIfEmpty(form, FIELDS[k], p[k]);
      }
    }
  }

  /* The visit page after check-in: the note taken before it. */
  var done = document.querySelector("form[action$='/complete']");
  var link = document.querySelector("a[href^='/customers/']");
  if (done && link && window.sessionStorage) {
    try {
      var kept = JSON.parse(sessionStorage.getItem(KEY) || "null");
      if (kept && link.getAttribute("href") === "/customers/" + kept.customer) {
        fillContent(done, kept);
        sessionStorage.removeItem(KEY);
      }
    } catch (e) { /* nothing kept */ }
  }

  var box = document.querySelector("form[data-quick-note]");
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  var area = box.elements.note;
  var at = box.elements.note_at;
  var status = box.querySelector("[data-note-status]");
  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }
  area.addEventListener("input", function () {
    if (!at.value) {
      var d = new Date();
      at.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" +
                 pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
                 pad(d.getMinutes());
    }
  });
  function target() {
    return document.querySelector("form[action='/activities']") ||
           document.querySelector("form[data-checkin]");
  }
  function replace(sel, doc) {
    var old = box.querySelector(sel);
    var fresh = doc.querySelector("form[data-quick-note] " + sel);
    if (old && fresh) {
      old.parentNode.replaceChild(document.importNode(fresh, true), old);
    }
  }
  function fill(form, doc) {
    var p = doc.querySelector("[data-prefill]");
    if (!form || !p) {
      return;
    }
    var d = p.dataset;
    if (d.customer !== "0" && form.elements.customer &&
        (!picked || !form.elements.customer.value)) {
      form.elements.customer.value = d.customer;
    }
    if (d.kind && form.elements.kind) {
      for (var i = 0; i < form.elements.kind.options.length; i++) {
        if (form.elements.kind.options[i].value === d.kind) {
          form.elements.kind.value = d.kind;
        }
      }
    }
    var vt = form.elements.visit_type;
    for (var j = 0; d.visitType && vt && j < vt.options.length; j++) {
      if (vt.options[j].value === d.visitType) {
        vt.value = d.visitType;
      }
    }
    fillContent(form, d);
    /* The contacts to tick belong to the proposed customer. */
    var fresh = doc.querySelector("form[action='/activities'] fieldset");
    var old = form.querySelector("fieldset");
    if (fresh && d.customer !== "0") {
      fresh = document.importNode(fresh, true);
      if (old) {
        old.parentNode.replaceChild(fresh, old);
      } else {
        var submit = form.querySelector("button[type=submit]");
        submit.parentNode.insertBefore(fresh, submit);
      }
    }
    latest = d.customer !== "0" ? d : null;
  }
  /* No customer recognised: none chosen, unless the rep chose one. */
  function blank(form, doc) {
    var sel = form && form.elements.customer;
    var none = doc.querySelector("select[name=customer] option[value='']");
    if (!sel || picked || !none || doc.querySelector("[data-prefill]") &&
        doc.querySelector("[data-prefill]").dataset.customer !== "0") {
      return;
    }
    if (!sel.querySelector("option[value='']")) {
      sel.insertBefore(document.importNode(none, true), sel.firstChild);
    }
    sel.value = "";
  }
  var latest = null;
  var picked = false;
  var form0 = target();
  if (form0 && form0.elements.customer) {
    form0.elements.customer.addEventListener("change", function () {
      picked = true;
    });
  }
  if (form0 && form0.hasAttribute("data-checkin") && window.sessionStorage) {
    form0.addEventListener("submit", function () {
      if (!latest) {
        return;
      }
      var keep = {customer: form0.elements.customer.value};
      for (var k in FIELDS) {
        if (Object.prototype.hasOwnProperty.call(FIELDS, k)) {
          keep[k] = latest[k];
        }
      }
      try {
        sessionStorage.setItem(KEY, JSON.stringify(keep));
      } catch (e) { /* the rep fills it in */ }
    });
  }
  box.addEventListener("submit", function (ev) {
    ev.preventDefault();
    ev.stopPropagation();   /* not a page load: keep the button usable */
    status.textContent = box.dataset.working;
    fetch(location.pathname, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: new URLSearchParams(new FormData(box)).toString()
    }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (!doc.querySelector("form[data-quick-note]")) {
        throw new Error("no proposal");
      }
      replace("[data-note-status]", doc);
      replace("[data-recognised]", doc);
      status = box.querySelector("[data-note-status]");
      var err = box.querySelector(".field-error");
      if (err) {
        err.parentNode.removeChild(err);
      }
      var fresh = doc.querySelector("form[data-quick-note] .field-error");
      if (fresh) {
        area.parentNode.parentNode.insertBefore(
          document.importNode(fresh, true), area.parentNode.nextSibling);
      }
      fill(target(), doc);
      blank(target(), doc);
    }).catch(function () {
      status.textContent = box.dataset.failed;
    });
  });
})();
