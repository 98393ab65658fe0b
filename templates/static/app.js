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
  /* Avoid double submission: disable a form's buttons once it is sent. */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.sent) {
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
