// Minimal chat page: one WebSocket per browser session; every text is rendered as text.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var langSelect = document.getElementById("lang");
  var statusLine = document.getElementById("status");
  var session = localStorage.getItem("journeybot.session");
  if (!session) {
    session = "s" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem("journeybot.session", session);
  }
  var lang = localStorage.getItem("journeybot.lang") || (navigator.language || "en").slice(0, 2);
  if (["en", "es", "it"].indexOf(lang) < 0) { lang = "en"; }
  langSelect.value = lang;
  var seen = {};
  var counter = 0;
  var socket = null;
  var retry = 500;

  // Lines between two ``` lines are preformatted (a comparison table): shown in <pre>.
  function fill(li, text) {
    var lines = text.split("\n"), plain = [], i = 0;
    function flush() {
      if (plain.length) { li.appendChild(document.createTextNode(plain.join("\n"))); plain = []; }
    }
    while (i < lines.length) {
      var end = -1;
      if (lines[i].trim() === "```") {
        for (var j = i + 1; j < lines.length; j++) { if (lines[j].trim() === "```") { end = j; break; } }
      }
      if (end < 0) { plain.push(lines[i]); i++; continue; }
      flush();
      var pre = document.createElement("pre");
      pre.textContent = lines.slice(i + 1, end).join("\n");
      li.appendChild(pre);
      i = end + 1;
    }
    flush();
  }

  function add(text, who, buttons) {
    var li = document.createElement("li");
    li.className = who;
    fill(li, text);
    if (buttons && buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.title, b.payload); });
        row.appendChild(btn);
      });
      li.appendChild(row);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function send(text, payload) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { statusLine.textContent = "Reconnecting…"; return; }
    add(text, "me");
    var frame = { type: "message", id: Date.now().toString(36) + "-" + (counter++) };
    if (payload) { frame.payload = payload; } else { frame.text = text; }
    socket.send(JSON.stringify(frame));
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws?session=" + encodeURIComponent(session) + "&lang=" + lang);
    socket.onopen = function () { statusLine.textContent = ""; retry = 500; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "error") { statusLine.textContent = data.error; return; }
      if (data.type !== "message" || seen[data.id]) { return; }
      seen[data.id] = true;
      add(data.text, data.from === "agent" ? "agent" : "bot", data.buttons);
    };
    socket.onclose = function () {
      statusLine.textContent = "Connection lost, reconnecting…";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    send(text);
    input.value = "";
  });
  langSelect.addEventListener("change", function () {
    lang = langSelect.value;
    localStorage.setItem("journeybot.lang", lang);
    if (socket) { socket.close(); }
  });
  connect();
})();
