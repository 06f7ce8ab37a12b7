/* The front desk's intake screen. Plain script, no build step, no inline code (CSP).
 *
 * The phone field looks the caller up as it is typed (the server renders the
 * card); one resident is taken at once and the service field gets the focus,
 * several are offered under the keys 1, 2, ...; an unknown number opens the
 * registration form. Each outcome is its own form, posted with fetch: the page
 * never reloads, so an error keeps everything typed and is shown by its field.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("intake-config").textContent);
  var t = config.strings;
  var services = config.services;

  var phone = document.getElementById("phone");
  var lookup = document.getElementById("lookup");
  var registerForm = document.getElementById("register-form");
  var servedForm = document.getElementById("served-form");
  var filter = document.getElementById("service-filter");
  var serviceId = document.getElementById("service-id");
  var list = document.getElementById("service-list");
  var chosen = document.getElementById("service-chosen");
  var approvalHint = document.getElementById("service-approval");
  var result = document.getElementById("result");
  var serveNow = document.getElementById("serve-now");
  var serveWorker = document.getElementById("serve-now-worker");
  var duplicateBox = document.getElementById("duplicate");
  var duplicateOk = document.getElementById("duplicate-ok");
  var recurringBox = document.getElementById("recurring");
  var whenBox = document.getElementById("when");
  var discardDialog = document.getElementById("discard-dialog");
  var servedOrder = null;   // {id, number} of the request just taken, for "serve now"
  var tabs = Array.prototype.slice.call(document.querySelectorAll(".outcomes [role=tab]"));
  var panels = {
    served: servedForm,
    refer: document.getElementById("refer-form"),
    "no-card": document.getElementById("no-card-form"),
    "out-of-area": document.getElementById("out-of-area-form")
  };
  var ORDER = ["served", "refer", "no-card", "out-of-area"];
  var FIRST_FIELD = {
    served: "#service-filter",
    refer: "#referred-to",
    "no-card": "input[name=no_card_action]:checked",
    "out-of-area": "#other-area"
  };

  var resident = null;      // the chosen resident's card element
  var outcome = "served";
  var lastLooked = null;    // the phone text last asked about
  var lookupTimer = null;
  var lookupSeq = 0;
  var inputAt = 0;          // when the number last changed, for the measured lookup time
  var matches = [];         // services shown in the list
  var active = -1;          // highlighted one
  var busy = false;

  function fmt(s, values) {
    return s.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function channel() {
    var checked = document.querySelector("input[name=channel]:checked");
    return checked ? checked.value : "phone";
  }

  // --- errors by their fields ------------------------------------------------------

  function clearErrors() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-error-for]"), function (slot) {
      slot.textContent = "";
    });
    Array.prototype.forEach.call(document.querySelectorAll("[aria-invalid=true]"), function (input) {
      input.removeAttribute("aria-invalid");
    });
  }

  function slotFor(form, field) {
    var scopes = form ? [form, document] : [document];
    for (var i = 0; i < scopes.length; i++) {
      var slots = scopes[i].querySelectorAll("[data-error-for]");
      for (var j = 0; j < slots.length; j++) {
        if (slots[j].getAttribute("data-error-for").split(" ").indexOf(field) >= 0) return slots[j];
      }
    }
    return null;
  }

  function inputFor(form, field) {
    if (field === "service") return filter;
    if (field === "phone" || field === "caller_phone") return phone;
    if (field === "time_today") return document.getElementById("time-today");
    if (field === "appointment") return document.getElementById("appointment");
    return form ? form.querySelector("[name=" + field + "]:not([type=hidden])") : null;
  }

  function showErrors(form, body) {
    clearErrors();
    var fields = body.fields || {};
    var first = null;
    var placed = false;
    Object.keys(fields).forEach(function (field) {
      var slot = slotFor(form, field) || slotFor(form, "__all__");
      if (!slot) return;
      slot.textContent = (slot.textContent ? slot.textContent + " " : "") + fields[field].join(" ");
      placed = true;
      var input = inputFor(form, field);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        if (!first) first = input;
      }
    });
    if (!placed) {
      var general = slotFor(form, "__all__");
      if (general) general.textContent = body.detail || "";
    }
    if (first) first.focus();
  }

  // --- the caller: lookup as typed ---------------------------------------------------

  function digits(text) {
    return (text.match(/\d/g) || []).length;
  }

  function scheduleLookup(delay) {
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(runLookup, delay);
  }

  function runLookup() {
    var text = phone.value.trim();
    if (text === lastLooked) return;
    lastLooked = text;
    if (digits(text) < 7) {
      setLookup("", "empty");
      return;
    }
    var seq = ++lookupSeq;
    lookup.setAttribute("aria-busy", "true");
    fetch(config.lookup_url + "?phone=" + encodeURIComponent(text), {
      credentials: "same-origin", headers: { Accept: "text/html" }
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then(function (html) {
      if (seq !== lookupSeq) return; // a newer lookup is on its way
      lookup.removeAttribute("aria-busy");
      showLookup(html);
    }).catch(function (err) {
      lookup.removeAttribute("aria-busy");
      setLookup("", "error");
      slotFor(null, "phone").textContent = fmt(t.failed, { detail: err.message });
    });
  }

  function setLookup(html, state) {
    lookup.innerHTML = html;
    lookup.setAttribute("data-state", state);
    selectResident(null);
    registerForm.hidden = true;
  }

  function showLookup(html) {
    setLookup(html, "loading");
    var box = lookup.querySelector(".lookup-result");
    var state = box ? box.getAttribute("data-state") : "error";
    lookup.setAttribute("data-state", state);
    document.body.setAttribute("data-lookup", state);
    document.body.setAttribute("data-lookup-ms", String(Math.round(performance.now() - inputAt)));
    if (state === "unknown") {
      registerForm.hidden = false;
      registerForm.querySelector("[name=phone]").value = phone.value.trim();
    } else if (state === "found") {
      var cards = lookup.querySelectorAll(".resident-card");
      if (cards.length === 1) {
        selectResident(cards[0]);
        focusOutcome();
      } else {
        cards[0].querySelector(".pick").focus();
      }
    }
  }

  function selectResident(card) {
    Array.prototype.forEach.call(lookup.querySelectorAll(".resident-card"), function (c) {
      c.classList.toggle("selected", c === card);
      c.querySelector(".pick").setAttribute("aria-pressed", c === card ? "true" : "false");
    });
    resident = card;
    document.body.setAttribute("data-resident", card ? card.getAttribute("data-resident-id") : "");
    // The warning of an open order of the same service is about this resident.
    var service = serviceId.value && services.filter(function (s) { return String(s.id) === serviceId.value; })[0];
    duplicateOk.value = "";
    var open = service && openOrders()[serviceId.value];
    showDuplicate(open ? { number: open.number, url: open.url } : null, false);
    if (!card) return;
    // A resident from another community is outcome 4, with the area filled in.
    if (card.getAttribute("data-area-served") === "0") {
      var select = panels["out-of-area"].querySelector("[name=area]");
      select.value = card.getAttribute("data-area-id");
    }
  }

  function pick(n) {
    var cards = lookup.querySelectorAll(".resident-card");
    if (n >= 1 && n <= cards.length) {
      selectResident(cards[n - 1]);
      focusOutcome();
      return true;
    }
    return false;
  }

  phone.addEventListener("input", function () {
    inputAt = performance.now();
    // Eleven digits is a whole number here (mobile, or landline with its area
    // code): look it up at once; a shorter one waits for a pause in the typing.
    scheduleLookup(digits(phone.value) >= 11 ? 0 : 250);
  });
  phone.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      lastLooked = null;
      scheduleLookup(0);
    }
  });

  lookup.addEventListener("click", function (e) {
    var button = e.target.closest(".pick");
    if (button) pick(Number(button.getAttribute("data-pick")));
  });
  lookup.addEventListener("keydown", function (e) {
    if (/^[1-9]$/.test(e.key) && !e.altKey && !e.ctrlKey && pick(Number(e.key))) e.preventDefault();
  });

  // --- registering an unknown caller ----------------------------------------------------

  registerForm.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy) return;
    busy = true;
    registerForm.querySelector("[name=phone]").value = phone.value.trim();
    post(registerForm.action, new FormData(registerForm)).then(function (r) {
      if (r.ok) {
        return r.text().then(function (html) {
          clearErrors();
          lastLooked = phone.value.trim();
          showLookup(html);
        });
      }
      return r.json().then(function (body) { showErrors(registerForm, body); });
    }).catch(function (err) {
      slotFor(registerForm, "__all__").textContent = fmt(t.failed, { detail: err.message });
    }).then(function () { busy = false; });
  });

  registerForm.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.ctrlKey && e.target.tagName === "SELECT") {
      e.preventDefault();
      registerForm.requestSubmit();
    }
  });

  // --- the service picker ----------------------------------------------------------------

  function score(service, q) {
    var fields = [service.code, service.name, service.name_en || ""];
    var best = -1;
    fields.forEach(function (f) {
      var at = f.toLowerCase().indexOf(q);
      if (at === 0) best = Math.max(best, 2);
      else if (at > 0) best = Math.max(best, 1);
    });
    return best;
  }

  function label(service) {
    return service.name + (service.name_en ? " · " + service.name_en : "") + " · " + service.code;
  }

  function renderList() {
    list.innerHTML = "";
    matches.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "service-option-" + s.id;
      li.setAttribute("data-id", String(s.id));
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.textContent = label(s);
      list.appendChild(li);
    });
    list.hidden = matches.length === 0;
    filter.setAttribute("aria-expanded", matches.length ? "true" : "false");
    if (active >= 0 && matches[active]) filter.setAttribute("aria-activedescendant", "service-option-" + matches[active].id);
    else filter.removeAttribute("aria-activedescendant");
  }

  function showChosen(service) {
    // The price as the caller hears it, and the approval an external or
    // special service waits for: said before the request is taken.
    chosen.textContent = service ? "✓ " + label(service) + " — " + service.price : "";
    approvalHint.textContent = service && service.needs_approval ? fmt(t.needs_approval, { reason: service.approval }) : "";
    approvalHint.hidden = !approvalHint.textContent;
    showRecurring(service);
    duplicateOk.value = "";
    var open = service && openOrders()[String(service.id)];
    showDuplicate(open ? { number: open.number, url: open.url } : null, false);
  }

  // --- the same service already open for this resident: said before it is taken -----

  function openOrders() {
    if (!resident) return {};
    try { return JSON.parse(resident.getAttribute("data-open-services") || "{}"); } catch (_e) { return {}; }
  }

  function showDuplicate(order, focus) {
    duplicateBox.hidden = !order;
    document.body.setAttribute("data-duplicate", order ? order.number : "");
    if (!order) return;
    document.getElementById("duplicate-text").textContent = fmt(t.duplicate, { number: order.number });
    var link = document.getElementById("duplicate-link");
    link.href = order.url;
    if (focus) document.getElementById("duplicate-take").focus();
  }

  document.getElementById("duplicate-take").addEventListener("click", function () {
    duplicateOk.value = "on";
    servedForm.requestSubmit();
  });

  // --- a recurring service: a subscription with its schedule, or one order -------------

  function showRecurring(service) {
    var recurring = !!(service && service.recurring);
    recurringBox.hidden = !recurring;
    recurringBox.disabled = !recurring;
    if (!recurring) document.getElementById("recurring-on").checked = true;
    syncSchedule();
  }

  function syncSchedule() {
    var subscribing = !recurringBox.disabled && document.getElementById("recurring-on").checked;
    document.getElementById("schedule").hidden = !subscribing;
    whenBox.hidden = subscribing; // still sent: a subscription's own times are its schedule
    document.getElementById("weekdays").hidden = document.getElementById("repeat").value !== "weekly";
    document.body.setAttribute("data-subscribing", subscribing ? "1" : "");
  }

  recurringBox.addEventListener("change", syncSchedule);

  function filterServices() {
    var q = filter.value.trim().toLowerCase();
    serviceId.value = "";
    showChosen(null);
    if (!q) {
      matches = [];
      active = -1;
      renderList();
      return;
    }
    matches = services
      .map(function (s) { return { s: s, score: score(s, q) }; })
      .filter(function (m) { return m.score >= 0; })
      .sort(function (a, b) { return b.score - a.score; })
      .slice(0, 8)
      .map(function (m) { return m.s; });
    active = matches.length ? 0 : -1;
    renderList();
    if (!matches.length) chosen.textContent = fmt(t.no_service, { text: filter.value.trim() });
  }

  function choose(service) {
    serviceId.value = String(service.id);
    filter.value = label(service);
    showChosen(service);
    matches = [];
    active = -1;
    renderList();
  }

  filter.addEventListener("input", filterServices);
  filter.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!matches.length) return;
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + matches.length) % matches.length;
      renderList();
    } else if (e.key === "Enter") {
      // Enter takes the highlighted service and the request, the common case
      // in one key; Tab takes the service and goes on to the time and notes.
      e.preventDefault();
      if (active >= 0 && matches[active]) choose(matches[active]);
      if (!e.ctrlKey) servedForm.requestSubmit();
    } else if (e.key === "Tab" && active >= 0 && matches[active]) {
      choose(matches[active]);
    } else if (e.key === "Escape" && matches.length) {
      e.preventDefault();
      e.stopPropagation();
      matches = [];
      renderList();
    }
  });
  list.addEventListener("mousedown", function (e) {
    var li = e.target.closest("li[data-id]");
    if (!li) return;
    e.preventDefault(); // keep the focus in the filter
    var id = Number(li.getAttribute("data-id"));
    choose(services.filter(function (s) { return s.id === id; })[0]);
  });

  // A time typed means that choice of "when".
  [["time-today", "today"], ["appointment", "appointment"]].forEach(function (pair) {
    document.getElementById(pair[0]).addEventListener("input", function () {
      servedForm.querySelector("input[name=when][value=" + pair[1] + "]").checked = true;
    });
  });
  document.getElementById("home-visit-at").addEventListener("input", function () {
    panels["no-card"].querySelector("input[name=no_card_action][value=home_visit]").checked = true;
  });

  // --- outcomes ---------------------------------------------------------------------------

  function setOutcome(name, focus) {
    outcome = name;
    tabs.forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.getAttribute("data-outcome") === name ? "true" : "false");
    });
    ORDER.forEach(function (key) { panels[key].hidden = key !== name || !result.hidden; });
    document.body.setAttribute("data-outcome", name);
    if (focus) focusOutcome();
  }

  function focusOutcome() {
    var field = panels[outcome].querySelector(FIRST_FIELD[outcome]);
    if (field && result.hidden) field.focus();
  }

  tabs.forEach(function (tab) {
    tab.addEventListener("click", function () { setOutcome(tab.getAttribute("data-outcome"), true); });
  });

  function post(url, data) {
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" }
    });
  }

  function submitOutcome(form) {
    if (busy) return;
    // A click on the button takes the highlighted (or the only) match, as Enter does.
    if (form === servedForm && !serviceId.value && active >= 0 && matches[active]) choose(matches[active]);
    var data = new FormData(form);
    data.set("channel", channel());
    data.set("caller_phone", phone.value.trim());
    data.set("resident", resident ? resident.getAttribute("data-resident-id") : "");
    if (form !== servedForm && serviceId.value) data.set("service", serviceId.value);
    busy = true;
    form.setAttribute("aria-busy", "true");
    post(form.action, data).then(function (r) {
      return r.json().then(function (body) {
        if (r.ok) showResult(body);
        else if (r.status === 409 && body.duplicate) {
          clearErrors();
          showDuplicate(body.duplicate, true);
        } else showErrors(form, body);
      });
    }).catch(function (err) {
      slotFor(form, "__all__").textContent = fmt(t.failed, { detail: err.message });
    }).then(function () {
      busy = false;
      form.removeAttribute("aria-busy");
    });
  }

  ORDER.forEach(function (key) {
    panels[key].addEventListener("submit", function (e) {
      e.preventDefault();
      submitOutcome(panels[key]);
    });
    // Enter on a choice submits too, as it does in a text field.
    panels[key].addEventListener("keydown", function (e) {
      var target = e.target;
      if (e.key === "Enter" && !e.ctrlKey && (target.type === "radio" || target.type === "checkbox" ||
                                               target.tagName === "SELECT")) {
        e.preventDefault();
        panels[key].requestSubmit();
      }
    });
  });

  function showResult(body) {
    clearErrors();
    ORDER.forEach(function (key) { panels[key].hidden = true; });
    result.hidden = false;
    result.setAttribute("data-outcome", body.outcome);
    document.getElementById("result-outcome").textContent = body.outcome_display;
    document.getElementById("result-number").textContent = body.number || "";
    document.getElementById("result-number").hidden = !body.number;
    document.getElementById("result-reply").textContent = body.reply;
    document.body.setAttribute("data-result", body.outcome);
    var link = document.getElementById("result-order-link");
    link.href = body.order_url || body.visit_url || "";
    link.textContent = body.order_url ? t.open_order + " " + body.number : t.open_visit;
    document.getElementById("result-order").hidden = !link.getAttribute("href");
    var booked = document.getElementById("visit-booked");
    booked.textContent = body.visit_id ? t.visit_booked : "";
    booked.hidden = !body.visit_id;
    document.body.setAttribute("data-visit", body.visit_id ? String(body.visit_id) : "");
    servedOrder = body.order_id ? { id: body.order_id, number: body.number } : null;
    if (body.serve_now) offerServeNow(body.serve_now.workers);
    else document.getElementById("new-call").focus();
  }

  // --- "serve now": an urgent request started at once ------------------------------------

  function offerServeNow(workers) {
    serveWorker.innerHTML = "";
    workers.forEach(function (w) {
      var option = document.createElement("option");
      option.value = String(w.id);
      option.textContent = fmt(t.worker_option, { name: w.name, open: w.open_orders }) +
        (w.served_resident ? " · " + t.served_before : "");
      serveWorker.appendChild(option);
    });
    var none = document.getElementById("serve-now-none");
    none.textContent = workers.length ? "" : t.no_skilled_worker;
    none.hidden = workers.length > 0;
    serveWorker.closest(".field").hidden = !workers.length;
    serveNow.querySelector("button[type=submit]").hidden = !workers.length;
    serveNow.hidden = false;
    document.body.setAttribute("data-serve-now", "offered");
    if (workers.length) serveWorker.focus();
    else document.getElementById("new-call").focus();
  }

  serveNow.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy || !servedOrder || !serveWorker.value) return;
    busy = true;
    serveNow.setAttribute("aria-busy", "true");
    fetch(config.orders_url + servedOrder.id + "/emergency_start/", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify({ worker: Number(serveWorker.value) })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) {
          showErrors(serveNow, { detail: body.detail, fields: body.fields || {} });
          return;
        }
        clearErrors();
        serveNow.hidden = true;
        var done = document.getElementById("serve-now-done");
        done.textContent = fmt(t.serve_now_started, { worker: body.worker_name || serveWorker.selectedOptions[0].textContent });
        done.hidden = false;
        document.body.setAttribute("data-serve-now", "started");
        document.getElementById("result-order-link").focus();
      });
    }).catch(function (err) {
      slotFor(serveNow, "__all__").textContent = fmt(t.failed, { detail: err.message });
    }).then(function () {
      busy = false;
      serveNow.removeAttribute("aria-busy");
    });
  });

  serveNow.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.ctrlKey && e.target === serveWorker) {
      e.preventDefault();
      serveNow.requestSubmit();
    }
  });

  function newCall() {
    // Notes prefilled for a follow-up's resident (?notes=) are not the next caller's.
    servedForm.elements.notes.defaultValue = "";
    Object.keys(panels).forEach(function (key) { panels[key].reset(); });
    registerForm.reset();
    clearErrors();
    phone.value = "";
    lastLooked = null;
    setLookup("", "empty");
    document.body.removeAttribute("data-lookup");
    document.body.removeAttribute("data-result");
    serviceId.value = "";
    showChosen(null);
    matches = [];
    renderList();
    duplicateOk.value = "";
    showDuplicate(null, false);
    showRecurring(null);
    serveNow.hidden = true;
    serveWorker.innerHTML = "";
    servedOrder = null;
    document.getElementById("serve-now-done").hidden = true;
    document.getElementById("visit-booked").hidden = true;
    document.body.removeAttribute("data-visit");
    document.getElementById("result-order").hidden = true;
    document.body.removeAttribute("data-serve-now");
    result.hidden = true;
    setOutcome("served", false);
    phone.focus();
  }

  document.getElementById("new-call").addEventListener("click", newCall);

  // --- the next caller in mid-call: cleared after a confirmation if anything typed
  // has not been taken ---------------------------------------------------------------------

  function changed(el) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button" || el.disabled) return false;
    if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      // A single choice without a preset one starts on its first option.
      var options = Array.prototype.slice.call(el.options);
      var preset = options.some(function (o) { return o.defaultSelected; });
      return options.some(function (o, i) {
        return o.selected !== (o.defaultSelected || (!preset && !el.multiple && i === 0));
      });
    }
    return el.value !== el.defaultValue;
  }

  function unsaved() {
    if (!result.hidden) return false; // taken: what is on the screen is recorded
    if (phone.value.trim()) return true;
    var forms = [registerForm].concat(ORDER.map(function (key) { return panels[key]; }));
    return forms.some(function (form) { return Array.prototype.some.call(form.elements, changed); });
  }

  var beforeDialog = null;

  function nextCaller() {
    if (!unsaved()) {
      newCall();
      return;
    }
    beforeDialog = document.activeElement;
    discardDialog.returnValue = "";
    discardDialog.showModal();
    document.body.setAttribute("data-confirm", "discard");
  }

  discardDialog.addEventListener("close", function () {
    document.body.removeAttribute("data-confirm");
    if (discardDialog.returnValue === "discard") newCall();
    else if (beforeDialog && beforeDialog.focus) beforeDialog.focus();
  });

  document.getElementById("next-caller").addEventListener("click", nextCaller);

  document.addEventListener("keydown", function (e) {
    if (e.altKey && !e.ctrlKey && /^Digit[1-4]$/.test(e.code)) {
      e.preventDefault();
      if (result.hidden) setOutcome(ORDER[Number(e.code.slice(5)) - 1], true);
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (!registerForm.hidden && registerForm.contains(document.activeElement)) registerForm.requestSubmit();
      else if (result.hidden) panels[outcome].requestSubmit();
    } else if (e.key === "Escape" && !e.defaultPrevented && !document.querySelector("dialog[open]")) {
      // The service list closes first (its own Esc); then the next caller.
      e.preventDefault();
      nextCaller();
    }
  });

  setOutcome("served", false);
  if (lookup.querySelector(".lookup-result")) {
    // Opened for a known resident (?resident=<id>, after a follow-up call):
    // their card is in the page already; take it as if looked up.
    lastLooked = phone.value.trim();
    showLookup(lookup.innerHTML);
  } else {
    phone.focus();
  }
})();
