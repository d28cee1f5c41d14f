// One conversation, kept live: messages, recalls and read marks arrive as the shell's socket
// events ("zt:event": chat.message, chat.recalled, chat.read, chat.members, chat.purged). Sending goes through
// the API with the form's client message id, kept until the server has the message, so a retry
// after a lost answer never shows twice; without JavaScript the form posts to the page.
(function () {
  "use strict";
  var RECALL_MS = 2 * 60 * 1000;
  var state = JSON.parse(document.getElementById("chat-state").textContent);
  var thread = document.getElementById("chat-thread");
  var list = document.getElementById("chat-messages");
  var form = document.getElementById("chat-compose");
  var words = thread.dataset;
  var watermarks = {};
  var reading = false;
  state.members.forEach(function (m) { watermarks[m.id] = { read: m.read_seq, first: m.first }; });

  function send(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": words.csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var error = new Error(data.message || String(response.status)); error.data = data; throw error; }
        return data;
      });
    });
  }

  function mark(item) {
    var holder = item.querySelector("[data-mark]");
    if (!holder) { return; }
    var seq = Number(item.dataset.seq);
    var unread = 0;
    Object.keys(watermarks).forEach(function (id) {
      var m = watermarks[id];
      if (Number(id) !== state.me && seq >= m.first && m.read < seq) { unread += 1; }
    });
    holder.parentNode.classList.toggle("read", unread === 0);
    if (state.kind === "direct") { holder.textContent = unread ? words.unread : words.read; }
    else { holder.textContent = unread ? words.nUnread.replace("{n}", unread) : words.allRead; }
  }
  function markAll() { list.querySelectorAll(".chat-message.mine").forEach(mark); }

  function recallButton(item, message) {
    var age = Date.now() - Date.parse(message.created_at);
    if (age >= RECALL_MS || item.querySelector(".chat-recall")) { return; }
    var button = document.createElement("button");
    button.type = "button"; button.className = "chat-recall"; button.textContent = words.recall;
    button.addEventListener("click", function () {
      send("POST", "/api/chat/messages/" + message.id + "/recall").then(recalled).catch(function (error) { window.alert(error.message); });
    });
    (item.querySelector(".chat-mark") || item).appendChild(button);
    setTimeout(function () { button.remove(); }, RECALL_MS - age);
  }

  function render(message) {
    if (message.recalled) {
      var gone = document.createElement("li");
      gone.className = "chat-message recalled"; gone.id = "m" + message.seq;
      gone.dataset.seq = message.seq; gone.dataset.id = message.id; gone.dataset.sender = message.sender;
      var note = document.createElement("div");
      note.className = "chat-notice"; note.textContent = message.sender_name + " " + words.recalled;
      gone.appendChild(note);
      return gone;
    }
    var item = document.createElement("li");
    item.className = "chat-message" + (message.sender === state.me ? " mine" : "");
    item.id = "m" + message.seq;
    item.dataset.seq = message.seq; item.dataset.id = message.id; item.dataset.sender = message.sender;
    var who = document.createElement("div");
    who.className = "chat-sender";
    who.textContent = message.sender_name + " · " + new Date(message.created_at).toTimeString().slice(0, 5);
    if (message.bot) {  // an integrated system's message: its name with the 机器人 mark
      var mark = document.createElement("span");
      mark.className = "chat-bot-mark"; mark.textContent = thread.dataset.bot;
      who.prepend(mark, " ");
    }
    item.appendChild(who);
    if (message.forwarded_from) {
      var forwarded = document.createElement("div");
      forwarded.className = "chat-forwarded"; forwarded.textContent = words.forwarded.replace("{name}", message.forwarded_from.sender_name);
      item.appendChild(forwarded);
    }
    if (message.quote) {
      var quote = document.createElement("blockquote");
      quote.className = "chat-quote"; quote.textContent = message.quote.text;
      item.appendChild(quote);
    }
    var bubble = document.createElement("div");
    bubble.className = "chat-bubble";
    if (message.kind === "voice" && message.file) {
      var audio = document.createElement("audio");
      var length = document.createElement("span");
      audio.controls = true; audio.preload = "none"; audio.src = message.file.url;
      length.className = "chat-duration"; length.textContent = Math.max(1, Math.round(message.duration_ms / 1000)) + "″";
      bubble.classList.add("chat-voice");
      bubble.appendChild(audio); bubble.appendChild(document.createTextNode(" ")); bubble.appendChild(length);
    } else if (message.file) {
      var link = document.createElement("a");
      link.href = message.file.url;
      if (message.kind === "image") {
        var image = document.createElement("img");
        image.src = message.thumbnail_url || message.file.url; image.alt = message.file.name;
        link.appendChild(image);
        bubble.classList.add("chat-image");
      } else {
        link.textContent = message.file.name;
        bubble.classList.add("chat-file");
      }
      bubble.appendChild(link);
    } else {
      bubble.textContent = message.text;
    }
    item.appendChild(bubble);
    if (message.urgent) {
      var urgent = document.createElement("span");
      urgent.className = "chat-urgent"; urgent.textContent = words.urgent;
      item.appendChild(urgent);
    }
    if (message.sender === state.me) {
      var line = document.createElement("div");
      var holder = document.createElement("span");
      line.className = "chat-mark"; holder.setAttribute("data-mark", "");
      line.appendChild(holder);
      item.appendChild(line);
    }
    return item;
  }

  function add(message) {
    if (message.conversation !== state.conversation || document.getElementById("m" + message.seq)) { return; }
    // Opened at a search result, with newer messages not shown: what I send takes me to the latest ones.
    if (state.newer) { if (message.sender === state.me) { window.location.assign(state.latest + "#m" + message.seq); } return; }
    var empty = list.querySelector(".chat-empty");
    if (empty) { empty.remove(); }
    var item = render(message);
    // In position order, whatever order frames and answers arrive in.
    var after = null;
    list.querySelectorAll(".chat-message").forEach(function (other) {
      if (after === null && Number(other.dataset.seq) > message.seq) { after = other; }
    });
    list.insertBefore(item, after);
    if (message.sender === state.me) { mark(item); recallButton(item, message); }
    state.last_seq = Math.max(state.last_seq, message.seq);
    item.scrollIntoView({ block: "end" });
    readUp();
  }

  function recalled(message) {
    var item = document.getElementById("m" + message.seq);
    if (!item) { return; }
    var name = item.querySelector(".chat-sender");
    var who = name ? name.textContent.split(" · ")[0] : "";
    item.className = "chat-message recalled";
    item.textContent = "";
    var note = document.createElement("div");
    note.className = "chat-notice"; note.textContent = who + " " + words.recalled;
    item.appendChild(note);
  }

  function readUp() {
    if (reading || document.visibilityState !== "visible" || state.last_seq <= state.read_seq) { return; }
    reading = true;
    var seq = state.last_seq;
    send("POST", state.api + "/read", { seq: seq }).then(function (data) {
      state.read_seq = Math.max(state.read_seq, data.read_seq);
    }).catch(function () { /* the next message or visit tries again */ }).then(function () {
      reading = false;
      if (state.last_seq > state.read_seq) { setTimeout(readUp, 500); }
    });
  }

  // Older messages, a page at a time, above the first one shown (the API pages by position).
  var more = document.getElementById("chat-more");
  if (more) {
    more.addEventListener("click", function () {
      var first = list.querySelector(".chat-message");
      var before = first ? Number(first.dataset.seq) : 0;
      more.disabled = true;
      fetch(state.api + "/messages?limit=50&before=" + before, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (page) {
          var anchor = list.firstChild;
          page.items.forEach(function (message) {
            if (document.getElementById("m" + message.seq)) { return; }
            var item = render(message);
            list.insertBefore(item, anchor);
            if (item.classList.contains("mine")) { mark(item); }
          });
          if (page.next_cursor === null) { more.remove(); } else { more.disabled = false; }
        })
        .catch(function () { more.disabled = false; });
    });
  }

  document.addEventListener("zt:event", function (event) {
    var frame = event.detail || {};
    if (frame.conversation !== state.conversation) { return; }
    if (frame.kind === "chat.message") { add(frame.message); }
    else if (frame.kind === "chat.recalled") { recalled(frame); }
    else if (frame.kind === "chat.read") {
      var m = watermarks[frame.person];
      if (m && frame.read_seq > m.read) { m.read = frame.read_seq; markAll(); }
      if (frame.person === state.me) { state.read_seq = Math.max(state.read_seq, frame.read_seq); }
    } else if (frame.kind === "chat.members") { window.location.reload(); }
    else if (frame.kind === "chat.purged") { purged(frame.seqs || []); }
    else if (frame.kind === "chat.renamed") {  // groups.py: the group's new name, on every member's open page
      document.querySelectorAll(".page-title").forEach(function (title) { title.textContent = frame.title; });
      document.title = frame.title;
    }
  });
  document.addEventListener("visibilitychange", readUp);

  function newId() {
    return (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID().replace(/-/g, "")
      : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  if (form) {
    var text = form.querySelector("textarea");
    var clientId = form.querySelector("input[name=client_msg_id]");
    var errors = document.createElement("p");
    errors.className = "errorlist"; errors.id = "chat-error"; errors.hidden = true;
    form.appendChild(errors);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) { return; }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var quoted = form.querySelector("input[name=quote]");
      send("POST", state.api + "/messages", { client_msg_id: clientId.value, text: text.value,
                                               quote: quoted.value ? Number(quoted.value) : null }).then(function (message) {
        errors.hidden = true;
        text.value = "";
        document.dispatchEvent(new CustomEvent("zt:chat-sent"));  // features.js clears the quote
        clientId.value = newId();  // this one is stored: the next message gets its own
        add(message);
      }).catch(function (error) {
        errors.textContent = error.message; errors.hidden = false;  // same id kept: sending again cannot store it twice
      }).then(function () { button.disabled = false; text.focus(); });
    });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
    });
  }

  var upload = document.getElementById("chat-upload");
  if (upload) {
    upload.addEventListener("submit", function (event) {
      var input = upload.querySelector("input[type=file]");
      if (!input.files.length) { event.preventDefault(); return; }
      event.preventDefault();
      var body = new FormData();
      var uploadId = upload.querySelector("input[name=client_msg_id]");
      body.append("file", input.files[0]);
      body.append("client_msg_id", uploadId.value);
      fetch(state.api + "/files", { method: "POST", credentials: "same-origin", body: body,
                                    headers: { Accept: "application/json", "X-CSRFToken": words.csrf } })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) { throw new Error(data.message || String(response.status)); }
            return data;
          });
        })
        .then(function (message) { input.value = ""; uploadId.value = newId(); add(message); })
        .catch(function (error) { window.alert(error.message); });
    });
  }

  list.querySelectorAll(".chat-message.mine").forEach(function (item) {
    mark(item);
  });
  // For features.js (the message menu, the pinned bar, voice): what it shares with this page.
  // retention.py: messages the retention policy deleted leave every open page.
  function purged(seqs) {
    seqs.forEach(function (seq) {
      var item = list.querySelector(".chat-message[data-seq='" + Number(seq) + "']");
      if (item) { item.remove(); }
    });
  }

  window.ztChat = { state: state, words: words, list: list, send: send, add: add, newId: newId };
  var last = list.querySelector(".chat-message:last-child");
  if (last) { last.scrollIntoView({ block: "end" }); }
  readUp();
}());
