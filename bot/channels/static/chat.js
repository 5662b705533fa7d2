(function () {
  "use strict";
  var URL_MESSAGES = "/chat/messages";
  var HISTORY_KEY = "caunoi.history";
  var HISTORY_SIZE = 40;
  var POLL_VISIBLE = 4000, POLL_HIDDEN = 60000, POLL_MAX = 30000;
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var history = [];
  var pollDelay = POLL_VISIBLE, pollTimer = null, busy = 0;

  function uuid4() {
    var c = window.crypto || window.msCrypto;
    if (c && c.randomUUID) { return c.randomUUID(); }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) { c.getRandomValues(b); } else { for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); } }
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = "";
    for (var j = 0; j < 16; j++) { h += (b[j] + 256).toString(16).slice(1); if (j === 3 || j === 5 || j === 7 || j === 9) { h += "-"; } }
    return h;
  }

  function escapeHtml(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // The bot's markup, safely: escape everything first, then links (http/https only), bold, "- " lists.
  function inline(line) {
    line = line.replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, function (_, label, url) {
      return '<a href="' + url + '" rel="noopener noreferrer" target="_blank">' + label + "</a>";
    });
    return line.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  }

  function render(markup) {
    var lines = escapeHtml(markup).split("\n"), html = "", list = false, para = [];
    function flush() { if (para.length) { html += "<p>" + para.join("<br>") + "</p>"; para = []; } }
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (/^\s*- /.test(line)) {
        flush();
        if (!list) { html += "<ul>"; list = true; }
        html += "<li>" + inline(line.replace(/^\s*- /, "")) + "</li>";
        continue;
      }
      if (list) { html += "</ul>"; list = false; }
      if (line.trim() === "") { flush(); } else { para.push(inline(line)); }
    }
    if (list) { html += "</ul>"; }
    flush();
    return html;
  }

  function show(entry, remember) {
    var box = document.createElement("div");
    box.className = "msg " + (entry.who === "me" ? "me" : "bot") + (entry.kind && entry.kind !== "reply" && entry.who !== "me" ? " official" : "") + (entry.failed ? " failed" : "");
    if (entry.who === "me") {
      var p = document.createElement("p");
      p.textContent = entry.text;
      box.appendChild(p);
    } else {
      box.innerHTML = render(entry.text);
      if (entry.buttons && entry.buttons.length) {
        var row = document.createElement("div");
        row.className = "buttons";
        entry.buttons.forEach(function (b) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = b.text;
          button.setAttribute("data-payload", b.data);
          button.addEventListener("click", function () { send({ payload: b.data }, b.text); });
          row.appendChild(button);
        });
        box.appendChild(row);
      }
    }
    log.appendChild(box);
    if (remember) {
      history.push(entry);
      if (history.length > HISTORY_SIZE) { history = history.slice(-HISTORY_SIZE); }
      try { sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history)); } catch (e) { /* private mode */ }
    }
    box.scrollIntoView ? box.scrollIntoView({ block: "end" }) : window.scrollTo(0, document.body.scrollHeight);
    return box;
  }

  function receive(data) {
    var messages = (data && data.messages) || [];
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      show({ who: "bot", kind: m.kind, text: m.text, buttons: m.buttons }, true);
    }
    return messages.length;
  }

  function setStatus(text) { statusLine.textContent = text; }

  function request(method, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(URL_MESSAGES, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var e = new Error("HTTP " + response.status); e.status = response.status; e.data = data; throw e; }
        return data;
      });
    });
  }

  // One message, retried with the same client_id (the server creates nothing twice).
  function send(what, shown) {
    var body = { client_id: uuid4() };
    if (what.payload) { body.payload = what.payload; } else { body.text = what.text; }
    if (shown) { show({ who: "me", text: shown }, true); }
    busy++; sendButton.disabled = true; setStatus("Đang gửi…");
    var attempt = 0;
    function tryOnce() {
      attempt++;
      return request("POST", body).then(function (data) {
        setStatus("");
        receive(data);
        pollDelay = POLL_VISIBLE;
      }, function (error) {
        var retryable = !error.status || error.status >= 500 || error.status === 429;
        if (retryable && attempt < 4) {
          setStatus("Mạng chậm, đang thử gửi lại…");
          return new Promise(function (resolve) { setTimeout(resolve, 1500 * attempt); }).then(tryOnce);
        }
        setStatus(retryable ? "Chưa gửi được. Kiểm tra mạng rồi gửi lại." : "Tin nhắn không gửi được.");
      });
    }
    return tryOnce().then(function () { busy--; sendButton.disabled = busy > 0; }, function () { busy--; sendButton.disabled = busy > 0; });
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, document.hidden ? POLL_HIDDEN : pollDelay);
  }

  function poll() {
    if (busy) { schedulePoll(); return; }
    request("GET").then(function (data) {
      pollDelay = receive(data) ? POLL_VISIBLE : Math.min(pollDelay + 2000, 12000);
    }, function () {
      pollDelay = Math.min(pollDelay * 2, POLL_MAX);
    }).then(schedulePoll, schedulePoll);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    send({ text: text }, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true })); }
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { pollDelay = POLL_VISIBLE; poll(); } else { schedulePoll(); }
  });

  try { history = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]") || []; } catch (e) { history = []; }
  if (history.length) {
    history.forEach(function (entry) { show(entry, false); });
    poll();
  } else {
    send({ text: "/start" }).then(schedulePoll);
  }
})();
