/* One follow-up call, by keyboard: the result first (arrow keys), then for a
 * reached resident the quality (keys 1-5 anywhere outside a text box), the
 * satisfaction and the comments; Enter records the call from any choice.
 * The answers are hidden for a call that did not reach the resident. Plain
 * script, no inline code (CSP); without it the form still works. */
(function () {
  "use strict";

  var form = document.getElementById("call-form");
  if (!form) return;
  var answers = document.getElementById("answers");
  var needsMore = form.querySelector("input[name=needs_more]");
  var needsWhat = form.querySelector("[name=needs_more_what]");

  function result() {
    var checked = form.querySelector("input[name=result]:checked");
    return checked ? checked.value : "";
  }

  function showAnswers() {
    var value = result();
    answers.hidden = value !== "" && value !== "reached";
    document.body.setAttribute("data-result", value);
  }

  function isTyping(target) {
    return target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && /^(text|number|tel|search)?$/.test(target.type));
  }

  form.addEventListener("change", function (e) {
    if (e.target.name === "result") showAnswers();
  });
  needsWhat.addEventListener("input", function () {
    if (needsWhat.value.trim()) needsMore.checked = true;
  });

  form.addEventListener("keydown", function (e) {
    var target = e.target;
    if (e.key === "Enter" && !e.shiftKey && (target.type === "radio" || target.type === "checkbox")) {
      e.preventDefault();
      form.requestSubmit();
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (!/^[1-5]$/.test(e.key) || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
    var radio = form.querySelector("input[name=quality][value='" + e.key + "']");
    if (!radio) return;
    e.preventDefault();
    if (!result()) form.querySelector("input[name=result][value=reached]").checked = true;
    showAnswers();
    radio.checked = true;
    radio.focus();
  });

  var sending = false;
  form.addEventListener("submit", function (e) {
    if (sending) {
      e.preventDefault();
      return;
    }
    sending = true;
    form.setAttribute("aria-busy", "true");
  });

  showAnswers();
  // After an error the first field in error has the focus; otherwise the result.
  var invalid = form.querySelector(".error");
  var first = null;
  if (invalid) {
    var box = invalid.closest("fieldset, .field");
    first = box ? box.querySelector("input:checked, input:not([type=hidden]), textarea, select") : null;
  }
  (first || form.querySelector("input[name=result]:checked") || form.querySelector("input[name=result]")).focus();
})();
