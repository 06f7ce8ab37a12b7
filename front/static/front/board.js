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
      else if (msg.type === "error") showMessage(msg.detail);
    };
    socket.onclose = function () {
      if (ws !== socket) return;
      ws = null;
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
    var minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
    return minutes < 120 ? fmt(t.minutes, { n: minutes }) : fmt(t.hours, { n: Math.floor(minutes / 60) });
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

  function renderOrders() {
    var byColumn = {};
    orders.forEach(function (o) {
      var col = COLUMN_OF[o.state] || o.state;
      (byColumn[col] = byColumn[col] || []).push(o);
    });
    document.querySelectorAll(".column").forEach(function (column) {
      var list = (byColumn[column.dataset.column] || []).sort(function (a, b) {
        if (a.urgency !== b.urgency) return a.urgency === "urgent" ? -1 : 1; // urgent first
        return a.created_at < b.created_at ? -1 : 1; // then oldest first
      });
      var holder = column.querySelector(".cards");
      holder.replaceChildren.apply(holder, list.map(card));
    });
  }

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
    c.append(el("div", "resident", o.resident));
    c.append(el("div", "service", o.service_name));
    c.append(el("div", "area", o.area));
    c.append(el("div", "age", age(o.created_at)));
    c.append(el("div", "assignee", o.worker || o.partner || t.unassigned));
    if (o.paperwork_owed) c.append(el("div", "owed", t.paperwork_owed));
    if (o.approval_owed) c.append(el("div", "owed approval", t.approval_owed));
    var actions = el("div", "actions");
    config.actions.forEach(function (a) {
      if (a.states.indexOf(o.state) < 0) return;
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

  function renderAlerts() {
    var box = document.getElementById("alerts");
    var items = [];
    alerts.forEach(function (a) {
      var d = a.data || {};
      var item = el("div", "alert " + a.level);
      item.dataset.alertId = a.id;
      item.dataset.kind = a.kind || "";
      if (d.number) item.dataset.orderNumber = d.number;
      if (a.kind === "order.overdue") {
        item.classList.add("overdue");
        item.append(el("strong", "", fmt(t.overdue_alert, { stage: t["stage_" + d.stage] || d.stage })));
        item.append(el("span", "", d.number + " · " + fmt(t.level, { level: t["level_" + d.level] || d.level })));
      } else {
        item.append(el("strong", "", alertTitle(a)));
        item.append(el("span", "", [d.number, d.resident, d.service_name, d.area].filter(Boolean).join(" · ")));
        if (a.kind === "incident") {
          item.classList.add("incident", d.incident_kind || "problem");
          var extra = [];
          if (d.could_not_serve) extra.push(t.could_not_serve);
          if (d.to_role) extra.push(t.to_supervisor);
          if (extra.length) item.append(el("span", "", extra.join(" · ")));
        }
      }
      if (d.urgency === "urgent") item.append(el("span", "urgency", t.urgent));
      if (config.may_ack) {
        item.append(button(t.acknowledge, function () { send({ type: "ack", alert: a.id }); }, "ack"));
      }
      items.push(item);
    });
    items.reverse(); // newest on top
    box.replaceChildren.apply(box, items);
    box.hidden = items.length === 0;
  }

  function alertTitle(a) {
    var d = a.data || {};
    if (a.kind === "incident") return d.incident_kind === "emergency" ? t.incident_emergency : t.incident_problem;
    if (a.kind === "escalation.opened") return t.complaint_opened;
    if (a.kind === "escalation.raised") {
      return fmt(t.complaint_raised, { level: t["level_" + d.level] || d.level });
    }
    if (a.kind === "subscription.not_ordered") return t.subscription_not_ordered;
    if (a.kind === "order.approval_owed") return t.approval_owed_alert;
    return a.level === "escalated" ? t.escalated : t.new_request;
  }

  function renderPresence(users) {
    var others = users.filter(function (u) { return u.username !== config.username; });
    document.getElementById("presence").textContent =
      others.length ? others.map(function (u) { return u.name; }).join(", ") : t.nobody_else;
  }

  setInterval(renderOrders, 30000); // ages move on

  // --- actions through the order API -------------------------------------------------

  // An action of the card: who takes it chosen in the assign dialog, a
  // reason asked for, or nothing more to ask.
  function run(o, a) {
    if (a.fields.indexOf("worker") >= 0 && a.fields.indexOf("partner") >= 0) {
      openAssign(o, a.name);
    } else if (a.fields.indexOf("reason") >= 0) {
      var reason = window.prompt(t.cancel_reason);
      if (reason) transition(o, a.name, { reason: reason });
    } else {
      transition(o, a.name, {});
    }
  }

  function transition(o, name, body) {
    return fetch(config.orders_url + o.id + "/" + name + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.detail || String(r.status));
        showMessage("");
        return data; // the board itself updates from the event
      });
    }).catch(function (err) { showMessage(fmt(t.failed, { detail: err.message })); });
  }

  function openAssign(o, name) {
    var dialog = document.getElementById("assign-dialog");
    document.getElementById("assign-title").textContent = o.number + " · " + o.service_name;
    var workers = document.getElementById("assign-workers");
    var partners = document.getElementById("assign-partners");
    workers.replaceChildren();
    partners.replaceChildren();
    fetch(config.suggestions_url.replace("/0/", "/" + o.id + "/"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        function choose(body) {
          return function () { transition(o, name, body).then(function () { dialog.close(); }); };
        }
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
      });
    dialog.showModal();
  }

  connect();
})();
