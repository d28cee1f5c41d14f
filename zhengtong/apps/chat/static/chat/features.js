// A message's menu (引用 / 转发 / 置顶 / 收藏 / 撤回 / 加急), the pinned bar and voice recording, on top of
// chat.js (window.ztChat). Other devices follow through the socket's chat.pins, chat.starred and
// chat.urgent events.
(function () {
  "use strict";
  var chat = window.ztChat;
  if (!chat) { return; }
  var state = chat.state, words = chat.words, list = chat.list;
  var pinsBar = document.getElementById("chat-pins");
  var dialog = document.getElementById("chat-forward");
  var compose = document.getElementById("chat-compose");

  function note(item, text) {
    var line = document.createElement("div");
    line.className = "chat-done"; line.setAttribute("role", "status"); line.textContent = text;
    item.appendChild(line);
    setTimeout(function () { line.remove(); }, 4000);
  }
  function failed(error) { window.alert(error.message); }

  // --- the pinned bar ----------------------------------------------------------------------------
  function showPins(pins) {
    var holder = pinsBar.querySelector(".chat-pin-list");
    holder.textContent = "";
    pins.forEach(function (message) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#m" + message.seq; link.dataset.seq = message.seq;
      var text = message.text.length > 40 ? message.text.slice(0, 39) + "…" : message.text;
      link.textContent = message.sender_name + "：" + text;
      entry.appendChild(link);
      holder.appendChild(entry);
    });
    pinsBar.hidden = pins.length === 0;
    var pinned = {};
    pins.forEach(function (message) { pinned[message.id] = true; });
    list.querySelectorAll(".chat-message").forEach(function (item) { item.toggleAttribute("data-pinned", !!pinned[item.dataset.id]); });
  }
  function reloadPins() {
    fetch(state.api + "/pins", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(showPins).catch(function () { /* the next event or visit shows them */ });
  }

  // --- 引用 ---------------------------------------------------------------------------------------
  var quoting = null;
  function quote(item) {
    if (!compose) { return; }
    compose.querySelector("input[name=quote]").value = item.dataset.id;
    if (!quoting) {
      quoting = document.createElement("div");
      quoting.className = "chat-quoting"; quoting.id = "chat-quoting";
      var clear = document.createElement("button");
      clear.type = "button"; clear.className = "chat-unquote"; clear.textContent = "×"; clear.setAttribute("aria-label", words.cancel);
      clear.addEventListener("click", unquote);
      quoting.appendChild(document.createElement("span"));
      quoting.appendChild(clear);
      compose.insertBefore(quoting, compose.querySelector("textarea"));
    }
    var bubble = item.querySelector(".chat-bubble");
    quoting.firstChild.textContent = words.quote + "：" + (bubble ? bubble.textContent.trim().slice(0, 60) : "");
    compose.querySelector("textarea").focus();
  }
  function unquote() {
    if (compose) { compose.querySelector("input[name=quote]").value = ""; }
    if (quoting) { quoting.remove(); quoting = null; }
  }
  document.addEventListener("zt:chat-sent", unquote);

  // --- 转发 ---------------------------------------------------------------------------------------
  var forwarding = null;  // the message and one client id per target, kept while the dialog is open (a retry sends the same)
  function forward(item) {
    if (!dialog) { return; }
    forwarding = { id: item.dataset.id, item: item, ids: {} };
    dialog.querySelectorAll("input[name=target]").forEach(function (box) { box.checked = false; });
    dialog.querySelector("#chat-forward-error").hidden = true;
    dialog.showModal();
  }
  if (dialog) {
    dialog.querySelector("form").addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.value !== "send") { return; }
      event.preventDefault();
      var targets = [];
      dialog.querySelectorAll("input[name=target]:checked").forEach(function (box) {
        forwarding.ids[box.value] = forwarding.ids[box.value] || chat.newId();
        targets.push({ conversation: Number(box.value), client_msg_id: forwarding.ids[box.value] });
      });
      if (!targets.length) { return; }
      chat.send("POST", "/api/chat/messages/" + forwarding.id + "/forward", { targets: targets }).then(function () {
        dialog.close();
        note(forwarding.item, words.forwardedDone);
      }).catch(function (error) {
        var shown = dialog.querySelector("#chat-forward-error");
        shown.textContent = error.message; shown.hidden = false;
      });
    });
  }

  // --- 置顶, 收藏, 加急 ------------------------------------------------------------------------------
  function pin(item) {
    var pinned = item.hasAttribute("data-pinned");
    chat.send(pinned ? "DELETE" : "POST", "/api/chat/messages/" + item.dataset.id + "/pin").then(showPins).catch(failed);
  }
  function star(item) {
    var starred = item.hasAttribute("data-starred");
    chat.send(starred ? "DELETE" : "POST", "/api/chat/messages/" + item.dataset.id + "/star").then(function (answer) {
      item.toggleAttribute("data-starred", answer.starred);
      if (answer.starred) { note(item, words.starredDone); }
    }).catch(failed);
  }
  function urgent(item) {
    chat.send("POST", "/api/chat/messages/" + item.dataset.id + "/urgent").then(function (answer) {
      markUrgent(item);
      note(item, words.urgentDone.replace("{n}", answer.unconfirmed));
    }).catch(failed);
  }
  function markUrgent(item) {
    if (!item || item.querySelector(".chat-urgent")) { return; }
    var badge = document.createElement("span");
    badge.className = "chat-urgent"; badge.textContent = words.urgent;
    var bubble = item.querySelector(".chat-bubble");
    if (bubble) { bubble.after(badge); }
  }

  // --- the menu ----------------------------------------------------------------------------------
  function actions(item) {
    var mine = Number(item.dataset.sender) === state.me;
    var items = [];
    if (state.active) {
      items.push([words.quote, quote], [words.forward, forward]);
    }
    if (state.may_pin) { items.push([item.hasAttribute("data-pinned") ? words.unpin : words.pin, pin]); }
    items.push([item.hasAttribute("data-starred") ? words.unstar : words.star, star]);
    var recall = item.querySelector(".chat-recall");
    if (recall) { items.push([words.recall, function () { recall.click(); }]); }
    if (mine && state.active && !item.querySelector(".chat-urgent")) { items.push([words.urgent, urgent]); }
    return items;
  }
  function closeMenus() { list.querySelectorAll(".chat-menu").forEach(function (menu) { menu.remove(); }); }
  function openMenu(item, toggle) {
    var open = item.querySelector(".chat-menu");
    closeMenus();
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    if (open) { return; }
    var menu = document.createElement("div");
    menu.className = "chat-menu"; menu.setAttribute("role", "menu");
    actions(item).forEach(function (entry) {
      var button = document.createElement("button");
      button.type = "button"; button.setAttribute("role", "menuitem"); button.textContent = entry[0];
      button.addEventListener("click", function () { closeMenus(); entry[1](item); });
      menu.appendChild(button);
    });
    toggle.after(menu);
  }
  function equip(item) {
    if (!item.classList || !item.classList.contains("chat-message") || item.classList.contains("recalled")
        || item.querySelector(".chat-actions")) { return; }
    var toggle = document.createElement("button");
    toggle.type = "button"; toggle.className = "chat-actions"; toggle.textContent = "⋯";
    toggle.setAttribute("aria-label", words.actions); toggle.setAttribute("aria-haspopup", "menu");
    toggle.addEventListener("click", function () { openMenu(item, toggle); });
    var who = item.querySelector(".chat-sender");
    if (who) { who.appendChild(toggle); }
  }
  list.querySelectorAll(".chat-message").forEach(equip);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) { change.addedNodes.forEach(equip); });
  }).observe(list, { childList: true });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { closeMenus(); } });

  document.addEventListener("zt:event", function (event) {
    var frame = event.detail || {};
    if (frame.conversation !== state.conversation) { return; }
    var item = frame.message && list.querySelector(".chat-message[data-id='" + Number(frame.message) + "']");
    if (frame.kind === "chat.pins" || frame.kind === "chat.purged") { reloadPins(); }
    else if (frame.kind === "chat.starred" && item) { item.toggleAttribute("data-starred", frame.starred); }
    else if (frame.kind === "chat.urgent") { markUrgent(item); }
  });

  // --- an image opens full size over the page (the link itself downloads it) -----------------------
  var viewer = document.getElementById("chat-viewer");
  if (viewer) {
    list.addEventListener("click", function (event) {
      var link = event.target.closest(".chat-image a");
      if (!link) { return; }
      event.preventDefault();
      var full = viewer.querySelector("img");
      full.src = link.getAttribute("href"); full.alt = link.querySelector("img") ? link.querySelector("img").alt : "";
      viewer.querySelector("a").href = link.getAttribute("href");
      viewer.showModal();
    });
    viewer.addEventListener("click", function (event) { if (event.target.tagName !== "A") { viewer.close(); } });
  }

  // --- voice (at most a minute) ------------------------------------------------------------------
  // On a phone (a coarse pointer): hold the button while speaking, let go to send, slide off it to cancel;
  // a hold shorter than HOLD_MIN_MS sends nothing and says to hold. On a PC: click to start, click to send.
  // The button's data-state tells where it is: idle, starting (asking for the microphone), recording, cancelling.
  var record = document.getElementById("chat-record");
  var timer = document.getElementById("chat-timer");
  var noMic = document.getElementById("chat-no-mic");
  if (!record) { return; }
  var canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  record.hidden = !canRecord;
  noMic.hidden = canRecord;
  if (!canRecord) { return; }
  var TYPES = [["audio/webm;codecs=opus", "webm"], ["audio/ogg;codecs=opus", "ogg"], ["audio/mp4", "m4a"]];
  var HOLD_MIN_MS = 600;
  var holding = !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
  var recorder = null, started = 0, ticking = null, limit = null, discard = false, released = false;

  function show(stateName) {
    record.dataset.state = stateName;
    var label = { idle: holding ? "hold" : "start", starting: holding ? "release" : "stop",
                  recording: holding ? "release" : "stop", cancelling: "cancel" }[stateName];
    record.textContent = record.dataset[label];
    timer.hidden = stateName === "idle" || stateName === "starting";
  }
  show("idle");
  record.dataset.mode = holding ? "hold" : "tap";
  var hintLine = document.getElementById("chat-voice-hint"), hintTimer = null;
  function hint(text) {
    hintLine.textContent = text; hintLine.hidden = false;
    clearTimeout(hintTimer);
    hintTimer = setTimeout(function () { hintLine.hidden = true; }, 4000);
  }

  function stop(keep) {
    discard = !keep;
    if (recorder && recorder.state === "recording") { recorder.stop(); }
  }
  function upload(blob, extension, duration) {
    var body = new FormData();
    body.append("file", blob, "voice." + extension);
    body.append("client_msg_id", chat.newId());
    body.append("duration_ms", String(duration));
    fetch(state.api + "/voice", { method: "POST", credentials: "same-origin", body: body,
                                  headers: { Accept: "application/json", "X-CSRFToken": words.csrf } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.message || String(response.status)); }
          return data;
        });
      })
      .then(chat.add).catch(failed);
  }
  function begin() {
    discard = false; released = false;
    show("starting");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = TYPES.filter(function (t) { return MediaRecorder.isTypeSupported(t[0]); })[0] || TYPES[0];
      var pieces = [];
      recorder = new MediaRecorder(stream, { mimeType: type[0] });
      recorder.addEventListener("dataavailable", function (event) { if (event.data.size) { pieces.push(event.data); } });
      recorder.addEventListener("stop", function () {
        var duration = Math.min(state.voice_max_ms, Math.max(1, Date.now() - started));
        stream.getTracks().forEach(function (track) { track.stop(); });
        clearInterval(ticking); clearTimeout(limit);
        recorder = null;
        show("idle");
        if (holding && !discard && duration < HOLD_MIN_MS) { discard = true; hint(record.dataset.holdLonger); }
        if (pieces.length && !discard) { upload(new Blob(pieces, { type: type[0].split(";")[0] }), type[1], duration); }
      });
      started = Date.now();
      recorder.start();
      show("recording"); timer.textContent = "0″";
      ticking = setInterval(function () { timer.textContent = Math.floor((Date.now() - started) / 1000) + "″"; }, 250);
      limit = setTimeout(function () { stop(true); }, state.voice_max_ms);
      if (released) { stop(record.dataset.keep === "yes"); }  // let go while the microphone was being opened
    }).catch(function (error) {
      show("idle");
      record.hidden = true;
      noMic.hidden = false;
      noMic.title = error.message;
    });
  }
  function outside(event) {
    var box = record.getBoundingClientRect();
    return event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom;
  }
  if (holding) {
    record.addEventListener("contextmenu", function (event) { event.preventDefault(); });
    record.addEventListener("pointerdown", function (event) {
      if (record.dataset.state !== "idle") { return; }
      event.preventDefault();
      try { record.setPointerCapture(event.pointerId); } catch (ignored) { /* a synthetic pointer */ }
      begin();
    });
    record.addEventListener("pointermove", function (event) {
      if (record.dataset.state === "recording" || record.dataset.state === "cancelling") {
        show(outside(event) ? "cancelling" : "recording");
      }
    });
    var release = function (event) {
      var keep = event.type === "pointerup" && !outside(event);
      if (record.dataset.state === "starting") { released = true; record.dataset.keep = keep ? "yes" : "no"; return; }
      if (recorder) { stop(keep); }
    };
    record.addEventListener("pointerup", release);
    record.addEventListener("pointercancel", release);
  } else {
    record.addEventListener("click", function () {
      if (recorder) { stop(true); return; }
      if (record.dataset.state === "idle") { begin(); }
    });
  }
}());
