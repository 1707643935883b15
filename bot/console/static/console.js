// Live updates for the support console: the server says which conversation changed, and the
// page fetches its own fragment again (server-rendered, every customer text escaped there).
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) {
    return;
  }
  var fragment = live.getAttribute("data-fragment");
  var only = live.getAttribute("data-conversation");
  var delay = 1000;

  function refresh() {
    fetch(fragment, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          window.location.assign("/console/login");
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) {
          live.innerHTML = html;
          live.setAttribute("data-refreshed", String(Date.now()));
        }
      });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/console/ws");
    socket.onopen = function () {
      delay = 1000;
      document.body.setAttribute("data-live", "on");
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "changed" && (!only || String(data.conversation) === only)) {
        refresh();
      }
    };
    socket.onclose = function () {
      document.body.setAttribute("data-live", "off");
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  connect();
})();
