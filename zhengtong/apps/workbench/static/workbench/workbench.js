// The 工作台 list stays current: when the shell's socket says the to-dos changed, the list is
// fetched again and swapped in; while the socket is not open, every 30 s instead.
(function () {
  "use strict";
  var POLL_MS = 30000;
  var stale = false;

  function board() { return document.getElementById("wb-board"); }

  function busy(element) {
    // Never swap the list under someone typing a comment or choosing items.
    var active = document.activeElement;
    return (active && element.contains(active) && active.matches("input, select, textarea")) ||
      element.querySelector(".wb-pick:checked, .wb-act[open]") !== null;
  }

  function refresh() {
    var current = board();
    if (!current) { return; }
    if (busy(current)) { stale = true; return; }
    stale = false;
    fetch(current.dataset.fragmentUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#wb-board");
        var now = board();
        if (fresh && now && !busy(now)) { now.replaceWith(fresh); }
      })
      .catch(function () { stale = true; });
  }

  document.addEventListener("zt:event", function (event) {
    if (event.detail && event.detail.kind === "todo.changed") { refresh(); }
  });
  document.addEventListener("focusout", function () { if (stale) { setTimeout(refresh, 0); } });
  setInterval(function () {
    var status = document.getElementById("live-status");
    var live = status && status.dataset.state === "open";
    if (stale || (!live && document.visibilityState === "visible")) { refresh(); }
  }, POLL_MS);
}());
