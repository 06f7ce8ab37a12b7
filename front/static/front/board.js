/* The live dispatch board. Plain script, no build step, no inline code (CSP).
 *
 * State = the snapshot (GET /api/v1/board/) plus every event after its
 * last_event_id, applied in id order. The socket resumes from the last id this
 * page applied, so a reconnect (sleeping laptop, restarted server) gets exactly
 * what was missed; {"type": "resync"} means reload the snapshot.
 *
 * Red marks: the overdue list (GET /api/v1/stats/overdue/) is read with the
 * snapshot, again when the scheduler raises an `order.overdue` alert, and
 * every config.overdue_refresh_seconds. A card is red while its order is in
 * the state the list saw it in; a move clears the mark until the next read.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("board-config").textContent);
  var t = JSON.parse(document.getElementById("board-strings").textContent);
  var BOARD_STATES = ["received", "awaiting_approval", "approved", "assigned", "printed", "in_service", "returned"];
  var COLUMN_OF = { approved: "received" };
  var LEVELS = ["dispatcher", "dispatch_lead", "supervisor"];

  var orders = new Map();
  var alerts = new Map();
  // Orders an emergency start served before their approval, in any state
  // (closed too), until the lead records it: every order event says.
  var owedApproval = new Map();
  var overdue = new Map(); // order id -> {stage, state, levels, overdue_minutes}
  var overdueTimer = null;
  var lastId = null;
  var haveSnapshot = false;
  var ws = null;
  var attempt = 0;
  var lastHeard = 0;
  var soundOn = false;
  var audio = new Audio(config.sound_url);
  var heartbeatMs = config.heartbeat_seconds * 1000;
  var stopped = false; // the login or the role ended: no reconnecting
  var incidentNotes = new Map(); // incident id -> its note, read once from the order's incidents
  var filters = { search: "", area: "", service: "", assignee: "" };
  var ACTION_OF = {};
  config.actions.forEach(function (a) { ACTION_OF[a.name] = a; });
  // Alerts by severity: what must be answered first is on top, whatever came last.
  var SEVERITY = { emergency: 0, overdue: 1, problem: 2, complaint: 2, approval: 3, new_request: 4, other: 5 };

  function fmt(s, values) {
    return s.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showMessage(text) {
    var box = document.getElementById("message");
    box.textContent = text;
    box.hidden = !text;
  }

  function showStopped(text) {
    var box = document.getElementById("message");
    var link = el("a", "", t.log_in_again);
    link.href = config.login_url;
    box.replaceChildren(el("strong", "", text), document.createTextNode(" "), link);
    box.classList.add("stopped");
    box.hidden = false;
  }

  function showError(box, text) {
    box.textContent = text || "";
    box.hidden = !text;
  }

  function showAlertsError(text) {
    showError(document.getElementById("alerts-error"), text);
  }

  // --- sound -------------------------------------------------------------------------

  function beep() {
    if (!soundOn) return;
    audio.currentTime = 0;
    audio.play().then(function () {
      document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
    }).catch(function () { setSound(false); });
  }

  function setSound(on) {
    soundOn = on;
    document.getElementById("sound-warning").hidden = on;
    document.body.dataset.sound = on ? "on" : "off";
  }

  document.getElementById("start-shift").addEventListener("click", function () {
    // Browsers allow sound only after a gesture: this click is it.
    audio.play().then(function () { setSound(true); }).catch(function () { setSound(false); });
  });
  setSound(false);

  // --- state -------------------------------------------------------------------------

  function applySnapshot(snap) {
    orders.clear();
    alerts.clear();
    owedApproval.clear();
    snap.orders.forEach(function (o) { orders.set(o.id, o); });
    snap.alerts.forEach(function (a) { alerts.set(a.id, a); });
    (snap.approval_owed || []).forEach(function (o) { owedApproval.set(o.id, o); });
    lastId = snap.last_event_id;
    haveSnapshot = true;
    document.body.dataset.lastEventId = String(lastId);
    render();
    loadOverdue();
  }

  function applyEvent(msg) {
    if (lastId !== null && msg.id <= lastId) return; // seen already
    lastId = msg.id;
    var d = msg.data;
    if (msg.event.indexOf("order.") === 0) {
      if (BOARD_STATES.indexOf(d.state) >= 0) orders.set(d.id, d); else orders.delete(d.id);
      if (d.approval_owed) owedApproval.set(d.id, d); else owedApproval.delete(d.id);
      renderOrders();
      renderOwedApproval();
    } else if (msg.event === "alert.raised") {
      alerts.set(d.id, d);
      if (severityOf(d) === "emergency") setAlertsCollapsed(false); // never hidden behind a counter
      renderAlerts();
      beep();
      if (d.kind === "order.overdue") soonLoadOverdue();
    } else if (msg.event === "alert.acknowledged") {
      alerts.delete(d.id);
      renderAlerts();
      // `by` is null when no person acted (the scheduler assigned a recurring order).
      if (d.by && d.by !== config.username) showMessage(fmt(t.acknowledged_by, { name: d.by_name }));
    } else if (msg.event === "alert.repeated") {
      var a = alerts.get(d.id);
      if (a) { a.sound_count = d.sound_count; beep(); }
    } else if (msg.event === "alert.escalated") {
      var b = alerts.get(d.id);
      if (b) { b.level = d.level; b.escalated_at = d.escalated_at; renderAlerts(); beep(); }
    }
    document.body.dataset.lastEventId = String(lastId);
  }

  // --- red marks ---------------------------------------------------------------------

  function loadOverdue() {
    return fetch(config.overdue_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (body) {
        overdue.clear();
        body.results.forEach(function (row) { overdue.set(row.id, row); });
        document.body.dataset.overdueReads = String(Number(document.body.dataset.overdueReads || 0) + 1);
        renderOrders();
      })
      .catch(function () { /* keep the marks shown; the next read tries again */ });
  }

  function soonLoadOverdue() {
    // One pass of the scheduler raises many alerts at once: one read for them all.
    if (overdueTimer) return;
    overdueTimer = setTimeout(function () { overdueTimer = null; loadOverdue(); }, 500);
  }

  setInterval(loadOverdue, Math.max(5, config.overdue_refresh_seconds) * 1000);

  function lateness(minutes) {
    if (minutes < 120) return fmt(t.minutes, { n: minutes });
    if (minutes < 48 * 60) return fmt(t.hours, { n: Math.floor(minutes / 60) });
    return fmt(t.days, { n: Math.floor(minutes / 1440) });
  }

  function highestLevel(levels) {
    // Not marked yet (the deadline passed since the scheduler's last pass): the dispatcher's.
    var found = "dispatcher";
    (levels || []).forEach(function (l) { if (LEVELS.indexOf(l) > LEVELS.indexOf(found)) found = l; });
    return found;
  }

  function overdueMark(late) {
    var level = highestLevel(late.levels);
    var mark = el("div", "overdue-mark");
    mark.append(el("strong", "", fmt(t.overdue, {
      stage: t["stage_" + late.stage] || late.stage, late: lateness(late.overdue_minutes),
    })));
    mark.append(el("span", "overdue-level", fmt(t.level, { level: t["level_" + level] || level })));
    return { node: mark, level: level };
  }

  // --- socket ------------------------------------------------------------------------

  function setConnection(state) {
    var badge = document.getElementById("connection");
    badge.dataset.state = state;
    badge.textContent = t[state];
  }

  function loadSnapshot() {
    return fetch(config.snapshot_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(applySnapshot);
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
  }

  function resume() {
    send({ type: "resume", last_event_id: lastId });
  }

  function connect() {
    if (stopped) return;
    setConnection("connecting");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.ws_path);
    ws = socket;
    socket.onopen = function () {
      lastHeard = Date.now();
      // Connected first, snapshot second: the server keeps what happens
      // meanwhile and replays it from the snapshot's id.
      (haveSnapshot ? Promise.resolve() : loadSnapshot()).then(function () {
        attempt = 0;
        setConnection("connected");
        resume();
      }).catch(function () { socket.close(); });
    };
    socket.onmessage = function (e) {
      lastHeard = Date.now();
      var msg = JSON.parse(e.data);
      if (msg.type === "event") applyEvent(msg);
      else if (msg.type === "resync") loadSnapshot().then(resume).catch(function () { socket.close(); });
      else if (msg.type === "presence") renderPresence(msg.users);
      else if (msg.type === "error") showAlertsError(msg.detail);
    };
    socket.onclose = function (e) {
      if (ws !== socket) return;
      ws = null;
      if (e.code === 4401 || e.code === 4403) {
        // The login or the role ended: reconnecting would be refused again.
        stopped = true;
        setConnection("disconnected");
        showStopped(e.code === 4401 ? t.login_ended : t.role_ended);
        return;
      }
      setConnection("disconnected");
      // Backoff with jitter so a restarted server is not hit by every board at once.
      var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      setTimeout(connect, delay);
    };
  }

  // A socket can die without a close (laptop asleep, proxy gone): the server
  // pings every heartbeat, so silence for much longer means reconnect.
  setInterval(function () {
    if (!ws) return;
    if (ws.readyState === WebSocket.OPEN) send({ type: "ping" });
    if (lastHeard && Date.now() - lastHeard > heartbeatMs * 2.5) ws.close();
  }, Math.max(1000, heartbeatMs / 2));

  // --- rendering -------------------------------------------------------------------------

  function age(iso) {
    return lateness(Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000)));
  }

  // "today 15:00", "tomorrow 09:30", or the date and time, in the page's language.
  function when(iso) {
    var at = new Date(iso);
    var lang = document.documentElement.lang || undefined;
    var time = at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var today = new Date();
    var tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    if (at.toDateString() === today.toDateString()) return fmt(t.today, { time: time });
    if (at.toDateString() === tomorrow.toDateString()) return fmt(t.tomorrow, { time: time });
    return at.toLocaleDateString(lang, { month: "short", day: "numeric" }) + " " + time;
  }

  function render() { renderOrders(); renderAlerts(); renderOwedApproval(); }

  function orderLink(o) {
    if (!config.order_url) return el("strong", "number", o.number);
    var link = el("a", "order-link", o.number);
    link.href = config.order_url.replace("/0/", "/" + o.id + "/");
    link.setAttribute("aria-label", fmt(t.open_order, { number: o.number }));
    return link;
  }

  function renderOwedApproval() {
    var box = document.getElementById("approval-owed");
    var list = Array.from(owedApproval.values()).sort(function (a, b) { return a.id - b.id; });
    var items = list.map(function (o) {
      var item = el("li", "owed-order");
      item.dataset.orderId = o.id;
      item.append(orderLink(o), el("span", "", [o.service_name, o.resident, o.worker || o.partner].filter(Boolean).join(" · ")));
      return item;
    });
    box.querySelector("ul").replaceChildren.apply(box.querySelector("ul"), items);
    box.hidden = items.length === 0;
  }

  function assigneeOf(o) { return o.worker || o.partner || ""; }

  function shown(o) {
    if (filters.area && o.area !== filters.area) return false;
    if (filters.service && o.service_name !== filters.service) return false;
    if (filters.assignee && assigneeOf(o) !== filters.assignee) return false;
    if (filters.search) {
      var q = filters.search.toLowerCase();
      var number = (o.number || "").toLowerCase();
      // The number as typed in full or by its last digits; the name anywhere.
      if (number.indexOf(q) < 0 && (o.resident || "").toLowerCase().indexOf(q) < 0) return false;
    }
    return true;
  }

  // When the order is due: the agreed time, or since it came in (as soon as possible).
  function dueAt(o) { return o.requested_for || o.created_at; }

  function renderOrders() {
    var byColumn = {};
    var hidden = 0;
    orders.forEach(function (o) {
      if (!shown(o)) { hidden += 1; return; }
      var col = COLUMN_OF[o.state] || o.state;
      (byColumn[col] = byColumn[col] || []).push(o);
    });
    document.querySelectorAll(".column").forEach(function (column) {
      var list = (byColumn[column.dataset.column] || []).sort(function (a, b) {
        if (!!a.emergency_at !== !!b.emergency_at) return a.emergency_at ? -1 : 1; // an emergency first
        if (a.urgency !== b.urgency) return a.urgency === "urgent" ? -1 : 1; // then urgent
        if (dueAt(a) !== dueAt(b)) return dueAt(a) < dueAt(b) ? -1 : 1; // then the soonest due
        return a.id - b.id;
      });
      var holder = column.querySelector(".cards");
      holder.replaceChildren.apply(holder, list.map(card));
    });
    var note = document.getElementById("filter-hidden");
    note.textContent = hidden ? fmt(t.hidden_by_filter, { n: hidden }) : "";
    note.hidden = !hidden;
    fillFilterOptions();
  }

  function fillFilterOptions() {
    var values = { area: new Set(), service: new Set(), assignee: new Set() };
    orders.forEach(function (o) {
      values.area.add(o.area);
      values.service.add(o.service_name);
      if (assigneeOf(o)) values.assignee.add(assigneeOf(o));
    });
    Object.keys(values).forEach(function (key) {
      var select = document.getElementById("filter-" + key);
      var wanted = Array.from(values[key]).sort();
      if (filters[key] && wanted.indexOf(filters[key]) < 0) wanted.push(filters[key]); // keep the choice
      var have = Array.from(select.options).slice(1).map(function (opt) { return opt.value; });
      if (have.join("\u0000") === wanted.join("\u0000")) return;
      var first = select.options[0];
      select.replaceChildren(first);
      wanted.forEach(function (v) { var opt = el("option", "", v); opt.value = v; select.append(opt); });
      select.value = filters[key];
    });
  }

  var filterForm = document.getElementById("filters");
  filterForm.addEventListener("input", function () {
    filters.search = document.getElementById("filter-search").value.trim();
    filters.area = document.getElementById("filter-area").value;
    filters.service = document.getElementById("filter-service").value;
    filters.assignee = document.getElementById("filter-assignee").value;
    renderOrders();
  });
  filterForm.addEventListener("submit", function (e) { e.preventDefault(); });
  filterForm.addEventListener("reset", function () {
    filters = { search: "", area: "", service: "", assignee: "" };
    setTimeout(renderOrders, 0); // after the form has cleared its fields
  });
  document.addEventListener("keydown", function (e) {
    // "/" jumps to the search, as on many sites; not while typing elsewhere.
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (e.key === "/" && !typing && !document.querySelector("dialog[open]")) {
      e.preventDefault();
      document.getElementById("filter-search").focus();
    }
  });

  function card(o) {
    var c = el("article", "card " + o.urgency);
    c.dataset.orderId = o.id;
    var head = el("div", "card-head");
    var number = el("strong", "number");
    number.append(config.order_url ? orderLink(o) : o.number);
    head.append(number, el("span", "urgency", t[o.urgency] || o.urgency));
    c.append(head);
    var late = overdue.get(o.id);
    if (late && late.state === o.state) {
      var mark = overdueMark(late);
      c.classList.add("overdue");
      c.dataset.overdueStage = late.stage;
      c.dataset.overdueLevel = mark.level;
      c.append(mark.node);
    }
    if (o.emergency_at) {
      // Until the service ends, whether or not the pop-up was acknowledged.
      c.classList.add("emergency");
      c.append(el("div", "emergency-mark", fmt(t.emergency_mark, { at: when(o.emergency_at) })));
    }
    var resident = el("bdi", "", o.resident);
    var line = el("div", "resident");
    line.append(resident);
    c.append(line);
    c.append(el("div", "service", o.service_name));
    c.append(el("div", "area", o.area));
    c.append(el("div", "agreed" + (o.requested_for ? "" : " asap"),
      o.requested_for ? fmt(t.agreed, { when: when(o.requested_for) }) : t.asap));
    c.append(el("div", "age", age(o.created_at)));
    c.append(el("div", "assignee", o.worker || o.partner || t.unassigned));
    if (o.paperwork_owed) c.append(el("div", "owed", t.paperwork_owed));
    if (o.approval_owed) c.append(el("div", "owed approval", t.approval_owed));
    var actions = el("div", "actions");
    config.actions.forEach(function (a) {
      // `can`: what the state and its conditions allow now (approval asked
      // only where it is needed, assigning only once approved).
      if (o.can ? o.can.indexOf(a.name) < 0 : a.states.indexOf(o.state) < 0) return;
      actions.append(button(a.label, function () { run(o, a); }, a.name));
    });
    c.append(actions);
    return c;
  }

  function button(label, onclick, cls) {
    var b = el("button", cls || "", label);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  function severityOf(a) {
    var d = a.data || {};
    if (a.kind === "incident") return d.incident_kind === "emergency" ? "emergency" : "problem";
    if (a.kind === "order.overdue") return "overdue";
    if ((a.kind || "").indexOf("escalation.") === 0) return "complaint";
    if (a.kind === "order.approval_requested" || a.kind === "order.approval_owed") return "approval";
    if (a.kind === "order.received") return "new_request";
    return "other";
  }

  // The order's number as a link to its page (every alert about an order clicks through).
  function alertOrderLink(d) {
    if (d.url && !d.number) {
      // Not about an order (a home visit booked at intake): its own page.
      var link = el("a", "order-link", t.open_visits);
      link.href = d.url;
      return link;
    }
    if (!d.number) return null;
    return orderLink({ id: d.id, number: d.number });
  }

  function incidentNote(a, holder) {
    var d = a.data || {};
    if (!d.incident || !d.id) return;
    if (incidentNotes.has(d.incident)) {
      var note = incidentNotes.get(d.incident);
      if (note) holder.append(el("q", "incident-note", note));
      return;
    }
    holder.append(el("span", "incident-note reading", t.reading_incident));
    incidentNotes.set(d.incident, null);
    // Read when shown, not carried in the event every board's log keeps:
    // what a worker writes on site may be about the resident's health.
    fetch(config.orders_url + d.id + "/incidents/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (list) {
        list.forEach(function (i) { incidentNotes.set(i.id, i.note || ""); });
        renderAlerts();
      })
      .catch(function () { incidentNotes.set(d.incident, ""); renderAlerts(); });
  }

  function renderAlerts() {
    var box = document.getElementById("alerts");
    var list = Array.from(alerts.values()).sort(function (x, y) {
      var sx = SEVERITY[severityOf(x)], sy = SEVERITY[severityOf(y)];
      if (sx !== sy) return sx - sy;
      if (x.level !== y.level) return x.level === "escalated" ? -1 : 1;
      return x.raised_at < y.raised_at ? -1 : x.raised_at > y.raised_at ? 1 : x.id - y.id; // waiting longest first
    });
    var items = list.map(function (a) {
      var d = a.data || {};
      var severity = severityOf(a);
      var item = el("div", "alert " + a.level + " " + severity);
      item.dataset.alertId = a.id;
      item.dataset.kind = a.kind || "";
      item.dataset.severity = severity;
      if (d.number) item.dataset.orderNumber = d.number;
      var head = el("div", "alert-head");
      var link = alertOrderLink(d);
      if (a.kind === "order.overdue") {
        item.classList.add("overdue");
        head.append(el("strong", "", fmt(t.overdue_alert, { stage: t["stage_" + d.stage] || d.stage })));
        if (link) head.append(link);
        item.append(head);
        item.append(el("span", "", fmt(t.level, { level: t["level_" + d.level] || d.level })));
      } else {
        head.append(el("strong", "", alertTitle(a)));
        if (link) head.append(link);
        item.append(head);
        var about = el("span", "");
        if (d.resident) { about.append(el("bdi", "", d.resident)); }
        var rest = [d.service_name, d.area].filter(Boolean).join(" · ");
        if (rest) about.append(document.createTextNode((d.resident ? " · " : "") + rest));
        item.append(about);
        if (a.kind === "incident") {
          item.classList.add("incident", d.incident_kind || "problem");
          incidentNote(a, item);
          var extra = [];
          if (d.could_not_serve) extra.push(t.could_not_serve);
          if (d.to_role) extra.push(t.to_supervisor);
          if (extra.length) item.append(el("span", "", extra.join(" · ")));
        }
      }
      if (d.urgency === "urgent") item.append(el("span", "urgency", t.urgent));
      if (config.may_ack) {
        item.append(button(t.acknowledge, function () { ack([a.id]); }, "ack"));
      }
      return item;
    });
    box.replaceChildren.apply(box, items);
    var panel = document.getElementById("alerts-panel");
    panel.hidden = items.length === 0;
    var emergencies = list.filter(function (a) { return severityOf(a) === "emergency"; }).length;
    var count = document.getElementById("alerts-count");
    count.textContent = fmt(t.alerts_collapsed, { n: items.length }) +
      (emergencies ? " · " + fmt(t.emergencies, { n: emergencies }) : "");
    count.classList.toggle("has-emergency", emergencies > 0);
    var fresh = list.filter(function (a) { return severityOf(a) === "new_request"; }).length;
    document.getElementById("ack-new").hidden = !(config.may_ack && fresh > 1);
  }

  function ack(ids) {
    showAlertsError("");
    ids.forEach(function (id) { send({ type: "ack", alert: id }); });
  }

  document.getElementById("ack-new").addEventListener("click", function () {
    ack(Array.from(alerts.values()).filter(function (a) { return severityOf(a) === "new_request"; })
      .map(function (a) { return a.id; }));
  });

  // The panel folds to its counter (remembered for this tab); an emergency unfolds it.
  function setAlertsCollapsed(collapsed) {
    var panel = document.getElementById("alerts-panel");
    panel.classList.toggle("collapsed", collapsed);
    document.getElementById("alerts-toggle").setAttribute("aria-expanded", String(!collapsed));
    document.body.classList.toggle("alerts-collapsed", collapsed);
    try { sessionStorage.setItem("board.alertsCollapsed", collapsed ? "1" : ""); } catch (e) { /* private mode */ }
  }
  document.getElementById("alerts-toggle").addEventListener("click", function () {
    setAlertsCollapsed(!document.getElementById("alerts-panel").classList.contains("collapsed"));
  });
  try { setAlertsCollapsed(sessionStorage.getItem("board.alertsCollapsed") === "1"); } catch (e) { /* private mode */ }

  function alertTitle(a) {
    var d = a.data || {};
    if (a.kind === "incident") return d.incident_kind === "emergency" ? t.incident_emergency : t.incident_problem;
    if (a.kind === "escalation.opened") return t.complaint_opened;
    if (a.kind === "escalation.raised") {
      return fmt(t.complaint_raised, { level: t["level_" + d.level] || d.level });
    }
    if (a.kind === "subscription.not_ordered") return t.subscription_not_ordered;
    if (a.kind === "order.approval_owed") return t.approval_owed_alert;
    if (a.kind === "order.approval_requested") return t.approval_requested_alert;
    if (a.kind === "visit.booked") return fmt(t.visit_booked, { when: d.scheduled_at ? when(d.scheduled_at) : "" });
    return a.level === "escalated" ? t.escalated : t.new_request;
  }

  function renderPresence(users) {
    var others = users.filter(function (u) { return u.username !== config.username; });
    document.getElementById("presence").textContent =
      others.length ? others.map(function (u) { return u.name; }).join(", ") : t.nobody_else;
  }

  setInterval(renderOrders, 30000); // ages move on

  // --- actions through the order API -------------------------------------------------

  // An action of the card: who takes it chosen in the assign dialog, or its
  // words (a note, a reason) asked in the action dialog. Either dialog stays
  // open with the server's answer when the action fails.
  function run(o, a) {
    if (a.fields.indexOf("worker") >= 0 && a.fields.indexOf("partner") >= 0) openAssign(o, a);
    else openAction(o, a);
  }

  // POST the action; resolves with the order, rejects with an Error whose
  // message says why and whose `fields` are the refused fields' messages.
  function transition(o, name, body) {
    return fetch(config.orders_url + o.id + "/" + name + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error(data.detail || String(r.status));
          err.fields = data.fields || {};
          throw err;
        }
        return data; // the board itself updates from the event
      });
    }, function () { throw new Error(t.disconnected); });
  }

  function failureText(err) {
    var words = Object.keys(err.fields || {}).map(function (k) { return [].concat(err.fields[k]).join(" "); });
    return fmt(t.failed, { detail: words.length ? words.join(" ") : err.message });
  }

  function openAssign(o, a) {
    var dialog = document.getElementById("assign-dialog");
    var error = document.getElementById("assign-error");
    var printed = o.state === "printed" && a.name === "reassign";
    var note = document.getElementById("assign-note");
    document.getElementById("assign-title").textContent = a.label + " · " + o.number + " · " + o.service_name;
    document.getElementById("assign-void").hidden = !printed;
    document.getElementById("assign-note-label").hidden = !printed;
    note.value = "";
    note.required = printed;
    showError(error, "");
    var workers = document.getElementById("assign-workers");
    var partners = document.getElementById("assign-partners");
    workers.replaceChildren();
    partners.replaceChildren();
    function choose(body) {
      return function () {
        if (printed) {
          if (!note.value.trim()) { showError(error, t.required); note.focus(); return; }
          body.note = note.value.trim();
        }
        transition(o, a.name, body).then(function () { dialog.close(); })
          .catch(function (err) { showError(error, failureText(err)); });
      };
    }
    fetch(config.suggestions_url.replace("/0/", "/" + o.id + "/"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        s.workers.forEach(function (w) {
          var label = w.name + " (" + fmt(t.open_orders, { n: w.open_orders }) + ")" + (w.served_resident ? " · " + t.served_before : "");
          var li = el("li");
          li.append(button(label, choose({ worker: w.id })));
          workers.append(li);
        });
        s.partners.forEach(function (p) {
          var li = el("li");
          li.append(button(p.name, choose({ partner: p.id })));
          partners.append(li);
        });
        if (!s.workers.length) workers.append(el("li", "", t.none_found));
        if (!s.partners.length) partners.append(el("li", "", t.none_found));
      })
      .catch(function (err) { showError(error, fmt(t.failed, { detail: err.message })); });
    dialog.showModal();
    if (printed) note.focus();
  }

  var actionDialog = document.getElementById("action-dialog");
  var pending = null; // {order, action} of the open action dialog

  function openAction(o, a) {
    pending = { order: o, action: a };
    document.getElementById("action-title").textContent = a.label + " · " + o.number + " · " + o.service_name;
    var holder = document.getElementById("action-fields");
    holder.replaceChildren.apply(holder, a.inputs.map(function (input) {
      var label = el("label", "", input.label + (input.required ? " *" : ""));
      var area = el("textarea");
      area.name = input.name;
      area.rows = 3;
      area.required = input.required;
      if (input.max_length) area.maxLength = input.max_length;
      label.append(area);
      return label;
    }));
    document.getElementById("action-submit").textContent = a.label;
    showError(document.getElementById("action-error"), "");
    actionDialog.showModal();
    var first = holder.querySelector("textarea");
    (first || document.getElementById("action-submit")).focus();
  }

  document.getElementById("action-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (!pending) return;
    var body = {};
    var error = document.getElementById("action-error");
    var missing = null;
    document.querySelectorAll("#action-fields textarea").forEach(function (area) {
      body[area.name] = area.value.trim();
      if (area.required && !body[area.name] && !missing) missing = area;
    });
    if (missing) { showError(error, t.required); missing.focus(); return; }
    var submit = document.getElementById("action-submit");
    submit.disabled = true;
    transition(pending.order, pending.action.name, body)
      .then(function () { actionDialog.close(); })
      .catch(function (err) { showError(error, failureText(err)); })
      .then(function () { submit.disabled = false; });
  });
  document.getElementById("action-close").addEventListener("click", function () { actionDialog.close(); });
  actionDialog.addEventListener("close", function () { pending = null; });

  connect();
})();
