(function () {
  "use strict";
  var URL_MESSAGES = "/chat/messages";
  var URL_FILES = "/chat/files";
  var MAX_FILE = 8 * 1024 * 1024;  // the server's limit (casework.files.storage.MAX_FILE_BYTES)
  var SHRINK_ABOVE = 1024 * 1024, SHRINK_TO = 1600;  // a phone photo is sent at 1600 px: less data to pay for
  var HISTORY_KEY = "caunoi.history";
  var HISTORY_SIZE = 40;
  var POLL_VISIBLE = 4000, POLL_HIDDEN = 60000, POLL_MAX = 30000;
  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var pickers = [document.getElementById("photo"), document.getElementById("voice")];
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
      if (entry.why) { note(box, entry.why); }
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
      saveHistory();
    }
    box.scrollIntoView ? box.scrollIntoView({ block: "end" }) : window.scrollTo(0, document.body.scrollHeight);
    return box;
  }

  function saveHistory() {
    try { sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history)); } catch (e) { /* private mode */ }
  }

  function note(box, text) {
    var why = document.createElement("p");
    why.className = "why";
    why.textContent = text;
    box.appendChild(why);
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

  // While something is being sent: no second send, no second file, and no poll racing it.
  function working(delta) {
    busy += delta;
    sendButton.disabled = busy > 0;
    pickers.forEach(function (picker) {
      picker.disabled = busy > 0;
      picker.parentNode.className = "pick" + (busy > 0 ? " off" : "");
    });
  }

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
    working(1); setStatus("Đang gửi…");
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
    return tryOnce().then(function () { working(-1); }, function () { working(-1); });
  }

  // Files: a photo or a recording from the phone's own camera or recorder, sent as a form.
  var FILES = {
    photo: { shown: "📷 Ảnh", name: "anh", sending: "Đang gửi ảnh…", tooBig: "Ảnh quá lớn (tối đa 8 MB). Bạn hãy chụp lại, hoặc chọn ảnh khác." },
    voice: { shown: "🎤 Ghi âm", name: "ghi-am", sending: "Đang gửi ghi âm…", tooBig: "Ghi âm quá lớn (tối đa 8 MB). Bạn hãy ghi ngắn hơn, hoặc chia thành vài đoạn." }
  };
  var NOT_TAKEN = "Tệp này không phải ảnh hay ghi âm nên Cầu Nối không nhận được. Bạn hãy chụp ảnh hoặc ghi âm lại.";

  function size(bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, Math.round(bytes / 1024)) + " KB" : (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  // A large photo is redrawn at SHRINK_TO px as JPEG (which also drops its hidden data, such as where
  // it was taken); anything the browser cannot redraw (HEIC, an old browser) goes as it is.
  function shrink(file) {
    if (file.size <= SHRINK_ABOVE || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, SHRINK_TO / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        if (!canvas.toBlob) { resolve(file); return; }
        canvas.toBlob(function (blob) { resolve(blob && blob.size < file.size ? blob : file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  // XMLHttpRequest rather than fetch: it reports how much has gone, which matters on a slow line.
  function upload(blob, clientId, what) {
    return new Promise(function (resolve, reject) {
      var form = new FormData();
      form.append("client_id", clientId);
      form.append("file", blob, what.name);  // never the phone's own file name
      var xhr = new XMLHttpRequest();
      xhr.open("POST", URL_FILES);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.timeout = 180000;
      if (xhr.upload) {
        xhr.upload.onprogress = function (event) {
          if (event.lengthComputable) { setStatus(what.sending + " " + Math.round(100 * event.loaded / event.total) + "%"); }
        };
      }
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) { resolve(data); return; }
        var error = new Error("HTTP " + xhr.status); error.status = xhr.status; error.data = data; reject(error);
      };
      xhr.onerror = xhr.ontimeout = function () { reject(new Error("network")); };
      xhr.send(form);
    });
  }

  function sendFile(file, kind) {
    var what = FILES[kind];
    var entry = { who: "me", text: what.shown + " (" + size(file.size) + ")" };
    var box = show(entry, true);
    var clientId = uuid4(), attempt = 0;
    working(1); setStatus(what.sending);
    function fail(text) {
      entry.failed = true; entry.why = text;
      box.className += " failed";
      note(box, text);
      saveHistory();
      setStatus(text);
    }
    function tryOnce(blob) {
      attempt++;
      return upload(blob, clientId, what).then(function (data) {
        setStatus("");
        receive(data);
        pollDelay = POLL_VISIBLE;
      }, function (error) {
        var retryable = !error.status || error.status >= 500 || error.status === 429;
        if (retryable && attempt < 4) {
          setStatus("Mạng chậm, đang thử gửi lại…");
          return new Promise(function (resolve) { setTimeout(resolve, 1500 * attempt); }).then(function () { return tryOnce(blob); });
        }
        if (error.status === 413) { fail(what.tooBig); }
        else if (error.status === 415) { fail(NOT_TAKEN); }
        else if (error.status === 403) { fail("Chưa gửi được. Bạn hãy tải lại trang rồi gửi lại."); }
        else { fail(retryable ? "Chưa gửi được. Kiểm tra mạng rồi gửi lại." : "Tệp này không gửi được."); }
      });
    }
    var ready = kind === "photo" ? shrink(file) : Promise.resolve(file);
    return ready.then(function (blob) {
      if (blob.size > MAX_FILE) { fail(what.tooBig); return; }
      if (blob !== file) { entry.text = what.shown + " (" + size(blob.size) + ")"; box.firstChild.textContent = entry.text; saveHistory(); }
      return tryOnce(blob);
    }).then(function () { working(-1); }, function () { working(-1); });
  }

  pickers.forEach(function (picker) {
    picker.addEventListener("change", function () {
      var file = picker.files && picker.files[0];
      picker.value = "";  // the same file may be chosen again
      if (file) { sendFile(file, picker.id === "photo" ? "photo" : "voice"); }
    });
  });

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
