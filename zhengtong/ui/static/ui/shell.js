// The shell's one live connection: reconnects with back-off and shows its state.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var delay = 1000;
  function setState(state) { if (status) { status.dataset.state = state; } }
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/events/");
    socket.addEventListener("open", function () { delay = 1000; setState("open"); });
    socket.addEventListener("message", function (event) {
      var data = JSON.parse(event.data);
      document.dispatchEvent(new CustomEvent("zt:event", { detail: data }));
    });
    socket.addEventListener("close", function (event) {
      setState("closed");
      if (event.code === 4401) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  if ("WebSocket" in window) { connect(); }
}());
