/* The desk: a print opens its PDF in a new tab (a plain form post to the
 * print API); this page then reloads so the order moves to the next pile.
 * No inline code (CSP). */
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
})();
