// The conversation list stays current: a chat event for me refetches the list and swaps it in.
(function () {
  "use strict";
  var timer = null;
  function refresh() {
    var current = document.getElementById("chat-list");
    if (!current) { return; }
    fetch(current.dataset.fragmentUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        ["chat-list", "chat-unread-total"].forEach(function (id) {
          var fresh = holder.querySelector("#" + id);
          var now = document.getElementById(id);
          if (fresh && now) { now.replaceWith(fresh); }
        });
      })
      .catch(function () { /* the next event tries again */ });
  }
  document.addEventListener("zt:event", function (event) {
    var kind = (event.detail && event.detail.kind) || "";
    if (kind.indexOf("chat.") === 0) {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);  // a burst of messages is one refetch
    }
  });
}());
