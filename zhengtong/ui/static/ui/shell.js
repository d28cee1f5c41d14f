// The shell's one live connection (zhengtong/platform/notices/consumers.py).
// Every event is stored before it is pushed, so the tab keeps the last id it saw and, on each
// reconnect, asks for what came after it; ids it has seen are ignored, so nothing shows twice.
// Each frame is dispatched as a "zt:event" DOM event for the page. When the socket cannot
// connect (no broker, a proxy without WebSocket) the tab polls /api/events until it can.
(function () {
  "use strict";
  var CURSOR_KEY = "zt.events.cursor";  // sessionStorage: one cursor per tab, kept across pages
  var POLL_MS = 15000;
  var FAILURES_BEFORE_POLLING = 2;
  var UNAUTHENTICATED = 4401;
  var BADGE_TABS = { messages: "messages", todo: "home" };  // count name → shell tab
  var status = document.getElementById("live-status");
  var delay = 1000;
  var failures = 0;
  var pollTimer = null;
  var lastId = readCursor();

  function readCursor() {
    try {
      var value = window.sessionStorage.getItem(CURSOR_KEY);
      return value === null ? null : parseInt(value, 10);
    } catch (error) {
      return null;  // storage disabled: the tab starts from where the log stands
    }
  }
  function keepCursor(id) {
    lastId = id;
    try { window.sessionStorage.setItem(CURSOR_KEY, String(id)); } catch (error) { /* see readCursor */ }
  }
  function setState(state) { if (status) { status.dataset.state = state; } }

  function showBadges(counts) {
    Object.keys(BADGE_TABS).forEach(function (name) {
      if (!(name in counts)) { return; }
      document.querySelectorAll('a[data-tab="' + BADGE_TABS[name] + '"]').forEach(function (tab) {
        var badge = tab.querySelector(".tab-badge");
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "tab-badge";
          tab.appendChild(badge);
        }
        badge.textContent = counts[name] > 99 ? "99+" : String(counts[name]);
        badge.hidden = counts[name] <= 0;
      });
    });
  }

  function receive(frame) {
    if (typeof frame.id === "number") {
      if (lastId !== null && frame.id <= lastId) { return; }
      keepCursor(frame.id);
    } else if (frame.type === "hello") {
      if (lastId === null) { keepCursor(frame.cursor); }
    } else if (frame.type === "pong") {
      return;
    }
    if (frame.counts) { showBadges(frame.counts); }
    document.dispatchEvent(new CustomEvent("zt:event", { detail: frame }));
  }

  function getJson(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) { throw new Error(path + ": " + response.status); }
      return response.json();
    });
  }
  function poll() {
    var query = lastId === null ? "" : "?cursor=" + lastId;
    getJson("/api/events" + query).then(function (page) {
      var reached = Number(page.next_cursor);
      page.items.forEach(receive);
      if (lastId === null || reached > lastId) { keepCursor(reached); }
      pollTimer = setTimeout(poll, page.more ? 0 : POLL_MS);
    }).catch(function () { pollTimer = setTimeout(poll, POLL_MS); });
  }
  function startPolling() {
    if (pollTimer !== null) { return; }
    setState("polling");
    pollTimer = setTimeout(poll, 0);
    getJson("/api/events/badges").then(function (badges) { showBadges(badges.counts); }).catch(function () { /* next poll */ });
  }
  function stopPolling() {
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var query = lastId === null ? "" : "?cursor=" + lastId;
    var socket = new WebSocket(scheme + window.location.host + "/ws/events/" + query);
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true; delay = 1000; failures = 0;
      stopPolling();
      setState("open");
    });
    socket.addEventListener("message", function (event) { receive(JSON.parse(event.data)); });
    socket.addEventListener("close", function (event) {
      if (event.code === UNAUTHENTICATED) { setState("closed"); return; }
      failures = opened ? 0 : failures + 1;
      if (failures >= FAILURES_BEFORE_POLLING) { startPolling(); } else { setState("closed"); }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  if ("WebSocket" in window) { connect(); } else { startPolling(); }
}());
