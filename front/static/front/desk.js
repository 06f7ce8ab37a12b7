/* The desk and the order page: a print opens its PDF in a new tab (a plain
 * form post to the print API); this page then reloads so the order moves to
 * the next pile. A reprint (a lost or jammed copy) needs a reason, said by
 * its field before anything is sent; its PDF opens in a new tab like a
 * print's. No inline code (CSP). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".print-form"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button");
      // After the post has left: a second click would print a reprint.
      setTimeout(function () { button.disabled = true; }, 0);
      setTimeout(function () { window.location.reload(); }, 1500);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll(".reprint-form"), function (form) {
    var reason = form.querySelector("input[name=reason]");
    var error = form.querySelector(".error");
    var done = form.querySelector(".done");

    function clear() {
      error.textContent = "";
      reason.removeAttribute("aria-invalid");
    }

    reason.addEventListener("input", function () { if (reason.value.trim()) { clear(); } });

    form.addEventListener("submit", function (event) {
      if (!reason.value.trim()) {
        // The API refuses it too (a 400 by the field); said here, by the field.
        event.preventDefault();
        done.textContent = "";
        error.textContent = form.dataset.reasonRequired;
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      // The PDF opens in a new tab, as a print's does; the page then shows
      // the new copy (and the void ones) or says it is done.
      clear();
      var button = form.querySelector("button[type=submit]");
      setTimeout(function () { button.disabled = true; }, 0);
      setTimeout(function () {
        if (form.dataset.reload) {
          window.location.reload();
        } else {
          reason.value = "";
          button.disabled = false;
          done.textContent = form.dataset.done;
        }
      }, 1500);
    });
  });
})();
