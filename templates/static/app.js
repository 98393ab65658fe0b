/* Proofline -- progressive enhancement only: every page works without it.
 * Loaded from /static (CSP forbids inline script). */
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
