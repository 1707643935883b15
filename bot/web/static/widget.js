/*
 * journeybot web chat widget: one self-contained script, no dependencies, no build step.
 * Embedding: <script src="https://BOT/widget.js" async data-title data-color data-position
 * data-lang data-greeting data-ref data-open>; {BOT} is the origin of that src. Everything lives
 * in an open shadow root on <div id="journeybot-widget">, styled only by {BOT}/widget.css, and
 * every node is built with createElement/textContent, so it runs under a strict CSP.
 * Protocol: POST {BOT}/widget/session {token, ref, lang, tz} -> {token, session}; the token is kept in
 * localStorage["journeybot.token"]. Then WebSocket {ws|wss}://BOT/ws?token&after&lang: the server
 * replays messages with id > after, sends {type:"ready"}, then live message/typing/error frames.
 * Close 4401 = new session; any other drop reconnects with back-off and resends the offline
 * queue in order (the server de-duplicates by client id). API: window.journeybot.
 */
(function () {
  "use strict";

  if (window.journeybot && window.journeybot.loaded) {
    return; // the script was included twice
  }

  // The visitor's time zone, so reminders respect their night, not the shop's.
  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch (error) {
      return null;
    }
  }

  var MAX_LENGTH = 2000;
  var COUNTER_FROM = MAX_LENGTH - 200;
  var TOKEN_KEY = "journeybot.token";
  var TYPING_TIMEOUT_MS = 15000;
  var BACKOFF_MIN_MS = 500;
  var BACKOFF_MAX_MS = 10000;
  var FLASH_MS = 8000;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z",
    down: "M16.59 8.59 12 13.17 7.41 8.59 6 10l6 6 6-6z",
    close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  };
  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

  function plural(one, many) {
    return function (n) {
      return Number(n) === 1 ? one.replace("{n}", n) : many.replace("{n}", n);
    };
  }

  function waitFor(fixed, timed) {
    return function (seconds) {
      return seconds ? timed.replace("{n}", seconds) : fixed;
    };
  }

  var STRINGS = {
    en: {
      chat: "Chat",
      open: "Open chat",
      close: "Close chat",
      human: "Talk to a person",
      log: "Conversation",
      you: "You:",
      assistant: "Assistant:",
      agent: named("Support team"),
      label: "Your message",
      placeholder: "Type your message…",
      send: "Send",
      typing: "The assistant is typing…",
      unread: plural("{n} unread message", "{n} unread messages"),
      star: plural("{n} star", "{n} stars"),
      rate: "Rate this conversation",
      compare: "Comparison",
      differs: "differs",
      view: "View product",
      stock_in: "In stock",
      stock_low: "Only a few left",
      stock_out: "Out of stock",
      not_delivered: "Not delivered",
      reconnecting: "Connection lost. Reconnecting…",
      unavailable: "Chat is not available on this site.",
      err_rate_limited: waitFor(
        "You're sending messages too fast — please wait a moment.",
        "You're sending messages too fast — try again in {n} s."
      ),
      err_too_long: "That message is too long (2,000 characters at most).",
      err_invalid: "Sorry, that message could not be sent.",
      err_unauthorized: "Your chat session has expired. Reconnecting…",
      err_generic: "Something went wrong. Please try again.",
    },
    es: {
      chat: "Chat",
      open: "Abrir chat",
      close: "Cerrar chat",
      human: "Hablar con una persona",
      log: "Conversación",
      you: "Tú:",
      assistant: "Asistente:",
      agent: named("Equipo de soporte"),
      label: "Tu mensaje",
      placeholder: "Escribe tu mensaje…",
      send: "Enviar",
      typing: "El asistente está escribiendo…",
      unread: plural("{n} mensaje sin leer", "{n} mensajes sin leer"),
      star: plural("{n} estrella", "{n} estrellas"),
      rate: "Valora esta conversación",
      compare: "Comparación",
      differs: "difiere",
      view: "Ver producto",
      stock_in: "En stock",
      stock_low: "Quedan pocas unidades",
      stock_out: "Agotado",
      not_delivered: "No entregado",
      reconnecting: "Se perdió la conexión. Reconectando…",
      unavailable: "El chat no está disponible en este sitio.",
      err_rate_limited: waitFor(
        "Estás enviando mensajes demasiado rápido — espera un momento, por favor.",
        "Estás enviando mensajes demasiado rápido — inténtalo de nuevo en {n} s."
      ),
      err_too_long: "El mensaje es demasiado largo (2000 caracteres como máximo).",
      err_invalid: "Lo sentimos, no se pudo enviar el mensaje.",
      err_unauthorized: "Tu sesión de chat ha caducado. Reconectando…",
      err_generic: "Algo ha salido mal. Inténtalo de nuevo.",
    },
    it: {
      chat: "Chat",
      open: "Apri la chat",
      close: "Chiudi la chat",
      human: "Parla con una persona",
      log: "Conversazione",
      you: "Tu:",
      assistant: "Assistente:",
      agent: named("Team di assistenza"),
      label: "Il tuo messaggio",
      placeholder: "Scrivi il tuo messaggio…",
      send: "Invia",
      typing: "L'assistente sta scrivendo…",
      unread: plural("{n} messaggio non letto", "{n} messaggi non letti"),
      star: plural("{n} stella", "{n} stelle"),
      rate: "Valuta questa conversazione",
      compare: "Confronto",
      differs: "diverso",
      view: "Vedi il prodotto",
      stock_in: "Disponibile",
      stock_low: "Ultimi pezzi",
      stock_out: "Esaurito",
      not_delivered: "Non consegnato",
      reconnecting: "Connessione persa. Riconnessione in corso…",
      unavailable: "La chat non è disponibile su questo sito.",
      err_rate_limited: waitFor(
        "Stai inviando messaggi troppo velocemente — attendi un momento, per favore.",
        "Stai inviando messaggi troppo velocemente — riprova tra {n} s."
      ),
      err_too_long: "Il messaggio è troppo lungo (massimo 2000 caratteri).",
      err_invalid: "Spiacenti, non è stato possibile inviare il messaggio.",
      err_unauthorized: "La sessione della chat è scaduta. Riconnessione in corso…",
      err_generic: "Qualcosa è andato storto. Riprova.",
    },
  };

  // ---- configuration, read from our own <script> tag during the first synchronous run ----

  function findOwnScript() {
    if (document.currentScript) {
      return document.currentScript;
    }
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js([?#]|$)/.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  var script = findOwnScript();
  var dataset = script ? script.dataset : {};
  var BOT = script ? new URL(script.src, location.href).origin : location.origin;
  var config = {
    title: dataset.title || "",
    color: dataset.color || "",
    position: dataset.position === "left" ? "left" : "right",
    greeting: dataset.greeting || "",
    open: dataset.open === "true",
  };

  var state = {
    lang: resolveLang(dataset.lang),
    ref: dataset.ref || null,
    token: readToken(),
    session: null,
    mounted: false,
    stopped: false, // 403: this site may not use the chat
    ws: null,
    attempt: 0,
    failedOpens: 0,
    retryTimer: 0,
    sessionEpoch: 0,
    lastId: 0,
    seen: {}, // server ids already rendered
    byClient: {}, // client id -> {id, el, frame, sent, failed, confirmed}
    outbox: [], // customer frames not sent yet, or sent on a socket that then died; in order
    sentLog: [], // the last frames sent, newest last: an error frame refers to one of them
    firstReplay: true,
    greeted: false,
    open: false,
    unread: 0,
    lastQuick: null,
    typingTimer: 0,
    connStatus: null,
    flash: null,
    flashTimer: 0,
  };
  var ui = {};
  var clientCounter = 0;
  var timeFormats = {};

  // ---- small helpers ----

  function resolveLang(value) {
    var lang = String(value || "auto").toLowerCase();
    if (lang === "auto") {
      lang = String(navigator.language || "en").toLowerCase();
    }
    lang = lang.slice(0, 2);
    return Object.prototype.hasOwnProperty.call(STRINGS, lang) ? lang : "en";
  }

  // "Marta · Support team" for a message from a person who gave their name.
  function named(team) {
    return function (name) {
      return name ? name + " · " + team : team;
    };
  }

  function t(key, arg) {
    var value = STRINGS[state.lang][key];
    return typeof value === "function" ? value(arg) : value;
  }

  function readToken() {
    try {
      return window.localStorage.getItem(TOKEN_KEY);
    } catch (error) {
      return null; // storage disabled: the token lives in memory only
    }
  }

  function storeToken(token) {
    state.token = token;
    try {
      if (token) {
        window.localStorage.setItem(TOKEN_KEY, token);
      } else {
        window.localStorage.removeItem(TOKEN_KEY);
      }
    } catch (error) {
      // storage disabled: keep the in-memory token
    }
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text != null) {
      node.textContent = String(text);
    }
    return node;
  }

  function setAttrs(node, attrs) {
    Object.keys(attrs).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    return node;
  }

  function icon(name, className) {
    var svg = document.createElementNS(SVG_NS, "svg");
    setAttrs(svg, {
      viewBox: "0 0 24 24",
      width: "24",
      height: "24",
      "aria-hidden": "true",
      focusable: "false",
      class: className || "jb-icon",
    });
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  // Marks a node's text (or one attribute) as an interface string, redone by setLanguage.
  function localize(node, key, arg, attr) {
    node.setAttribute("data-jb-key", key);
    if (arg != null) {
      node.setAttribute("data-jb-arg", arg);
    }
    if (attr) {
      node.setAttribute("data-jb-attr", attr);
    }
    applyLocalized(node);
    return node;
  }

  function applyLocalized(node) {
    var text = t(node.getAttribute("data-jb-key"), node.getAttribute("data-jb-arg"));
    var attr = node.getAttribute("data-jb-attr");
    if (attr) {
      node.setAttribute(attr, text);
    } else {
      node.textContent = text;
    }
  }

  function srOnly(key) {
    return localize(make("span", "jb-sr"), key);
  }

  function safeUrl(raw) {
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function count(text, char) {
    return text.split(char).length - 1;
  }

  // Drops punctuation that ends a sentence rather than the URL ("see https://x.y/a).").
  function trimUrl(raw) {
    var url = raw;
    for (;;) {
      var next = url.replace(/[.,;:!?'"»]+$/, "");
      if (next.slice(-1) === ")" && count(next, "(") < count(next, ")")) {
        next = next.slice(0, -1);
      }
      if (next === url) {
        return url;
      }
      url = next;
    }
  }

  function newClientId() {
    if (window.crypto && window.crypto.getRandomValues) {
      var bytes = window.crypto.getRandomValues(new Uint8Array(9));
      return "c" + Array.prototype.map.call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    }
    clientCounter += 1;
    return "c" + Date.now().toString(36) + "-" + clientCounter + Math.random().toString(36).slice(2, 8);
  }

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return "";
    }
    if (!timeFormats[state.lang]) {
      timeFormats[state.lang] = new Intl.DateTimeFormat(state.lang, { hour: "numeric", minute: "2-digit" });
    }
    return timeFormats[state.lang].format(date);
  }

  function formatNumber(n) {
    return new Intl.NumberFormat(state.lang).format(n);
  }

  // ---- building the interface ----

  function buildUi() {
    var host = make("div");
    host.id = "journeybot-widget";
    // Page rules that target every div must not reach us (CSSOM, not an inline style attribute).
    host.style.setProperty("all", "initial", "important");
    var shadow = host.attachShadow({ mode: "open" });
    var link = setAttrs(make("link"), { rel: "stylesheet", href: BOT + "/widget.css" });
    var root = make("div", "jb-root jb-" + config.position);
    root.setAttribute("lang", state.lang);
    root.hidden = true; // until the stylesheet has loaded: no flash of unstyled widget
    link.addEventListener("load", reveal);
    link.addEventListener("error", reveal);
    shadow.appendChild(link);
    shadow.appendChild(root);
    ui.host = host;
    ui.shadow = shadow;
    ui.root = root;
    root.appendChild(buildPanel());
    root.appendChild(buildLauncher());
    root.addEventListener("keydown", onRootKeydown);
  }

  function reveal() {
    ui.root.hidden = false;
    if (state.open) {
      scrollToEnd();
    }
  }

  function buildLauncher() {
    var launcher = setAttrs(make("button", "jb-launcher"), {
      type: "button",
      "aria-expanded": "false",
      "aria-controls": "jb-panel",
    });
    localize(launcher, "open", null, "aria-label");
    launcher.appendChild(icon("chat", "jb-icon jb-icon-chat"));
    launcher.appendChild(icon("down", "jb-icon jb-icon-down"));
    var badge = setAttrs(make("span", "jb-badge"), { id: "jb-badge", role: "img" });
    badge.hidden = true;
    launcher.appendChild(badge);
    launcher.addEventListener("click", function () {
      if (state.open) {
        closePanel(true);
      } else {
        openPanel(true);
      }
    });
    ui.launcher = launcher;
    ui.badge = badge;
    return launcher;
  }

  function buildPanel() {
    var panel = setAttrs(make("section", "jb-panel"), {
      id: "jb-panel",
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": "jb-title",
    });
    panel.hidden = true;
    panel.appendChild(buildHeader());
    ui.log = setAttrs(make("div", "jb-log"), {
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      tabindex: "0",
    });
    localize(ui.log, "log", null, "aria-label");
    panel.appendChild(ui.log);
    panel.appendChild(buildTyping());
    ui.status = setAttrs(make("p", "jb-status"), { role: "status" });
    panel.appendChild(ui.status);
    panel.appendChild(buildComposer());
    ui.panel = panel;
    return panel;
  }

  function buildHeader() {
    var header = make("div", "jb-header");
    var title = make("h2", "jb-title");
    title.id = "jb-title";
    if (config.title) {
      title.textContent = config.title;
    } else {
      localize(title, "chat");
    }
    var human = localize(setAttrs(make("button", "jb-human"), { type: "button" }), "human");
    human.addEventListener("click", function () {
      sendMessage(t("human"), "/ask_human");
    });
    var close = localize(setAttrs(make("button", "jb-close"), { type: "button" }), "close", null, "aria-label");
    close.appendChild(icon("close"));
    close.addEventListener("click", function () {
      closePanel(true);
    });
    header.appendChild(title);
    header.appendChild(human);
    header.appendChild(close);
    return header;
  }

  function buildTyping() {
    var typing = make("div", "jb-typing");
    typing.hidden = true;
    var dots = setAttrs(make("span", "jb-dots"), { "aria-hidden": "true" });
    for (var i = 0; i < 3; i++) {
      dots.appendChild(make("span", "jb-dot"));
    }
    typing.appendChild(dots);
    typing.appendChild(srOnly("typing"));
    ui.typing = typing;
    return typing;
  }

  function buildComposer() {
    var form = setAttrs(make("form", "jb-composer"), { novalidate: "" });
    var label = localize(make("label", "jb-sr"), "label");
    label.htmlFor = "jb-input";
    var input = setAttrs(make("textarea", "jb-input"), {
      id: "jb-input",
      rows: "1",
      maxlength: MAX_LENGTH,
      "aria-describedby": "jb-counter",
    });
    localize(input, "placeholder", null, "placeholder");
    var counter = setAttrs(make("span", "jb-counter"), { id: "jb-counter" });
    counter.hidden = true;
    var send = localize(setAttrs(make("button", "jb-send"), { type: "submit" }), "send");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.appendChild(counter);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitComposer();
    });
    input.addEventListener("keydown", onInputKeydown);
    input.addEventListener("input", onInput);
    ui.input = input;
    ui.counter = counter;
    ui.send = send;
    return form;
  }

  // A shop colour too light for white text gets dark text instead (WCAG AA, 4.5:1).
  function applyColor() {
    var color = config.color;
    if (!color || !(window.CSS && window.CSS.supports && window.CSS.supports("color", color))) {
      return;
    }
    ui.root.style.setProperty("--jb-color", color);
    var probe = make("span");
    probe.style.setProperty("color", color);
    ui.shadow.appendChild(probe);
    var computed = getComputedStyle(probe).color;
    ui.shadow.removeChild(probe);
    if (!/^rgba?\(/.test(computed)) {
      return;
    }
    var rgb = computed.match(/[\d.]+/g).slice(0, 3).map(Number);
    var linear = rgb.map(function (c) {
      var s = c / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    if (1.05 / (luminance + 0.05) < 4.5) {
      ui.root.style.setProperty("--jb-on-color", "#111827");
      ui.root.style.setProperty("--jb-ink", "#1e293b");
    }
  }

  function relocalize() {
    ui.root.setAttribute("lang", state.lang);
    Array.prototype.forEach.call(ui.shadow.querySelectorAll("[data-jb-key]"), applyLocalized);
    Array.prototype.forEach.call(ui.log.querySelectorAll("time.jb-time"), function (node) {
      node.textContent = formatTime(node.dateTime);
    });
    onInput();
    renderStatus();
  }

  // ---- panel, focus and keyboard ----

  function openPanel(moveFocus) {
    state.open = true;
    ui.panel.hidden = false;
    ui.root.classList.add("jb-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    setUnread(0);
    scrollToEnd();
    if (moveFocus) {
      ui.input.focus();
    }
  }

  function closePanel(restoreFocus) {
    state.open = false;
    ui.panel.hidden = true;
    ui.root.classList.remove("jb-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    if (restoreFocus) {
      ui.launcher.focus();
    }
  }

  function onRootKeydown(event) {
    if (event.key === "Escape" && state.open) {
      event.stopPropagation();
      closePanel(true);
    }
  }

  function onInputKeydown(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitComposer();
    }
  }

  function onInput() {
    var length = ui.input.value.length;
    var near = length >= COUNTER_FROM;
    ui.counter.hidden = !near;
    ui.counter.textContent = near ? formatNumber(length) + " / " + formatNumber(MAX_LENGTH) : "";
    ui.counter.classList.toggle("jb-counter-full", length >= MAX_LENGTH);
    autosize();
  }

  function autosize() {
    var input = ui.input;
    input.style.setProperty("height", "auto");
    if (input.scrollHeight) {
      input.style.setProperty("height", Math.min(input.scrollHeight + 2, 128) + "px");
    }
  }

  function submitComposer() {
    var text = ui.input.value.trim();
    if (!text) {
      return;
    }
    if (text.length > MAX_LENGTH) {
      flashStatus({ key: "err_too_long" }, FLASH_MS);
      return;
    }
    if (sendMessage(text)) {
      ui.input.value = "";
      onInput();
    }
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function nearEnd() {
    return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 80;
  }

  function appendToLog(node, forceScroll) {
    var follow = forceScroll || nearEnd();
    ui.log.appendChild(node);
    if (follow) {
      scrollToEnd();
    }
  }

  function setUnread(n) {
    state.unread = n;
    ui.badge.hidden = n === 0;
    if (n === 0) {
      ui.badge.textContent = "";
      ui.badge.removeAttribute("aria-label");
      ui.badge.removeAttribute("data-jb-key");
      ui.launcher.removeAttribute("aria-describedby");
      return;
    }
    ui.badge.textContent = n > 99 ? "99+" : String(n);
    localize(ui.badge, "unread", n, "aria-label");
    ui.launcher.setAttribute("aria-describedby", "jb-badge");
  }

  function setTyping(on) {
    clearTimeout(state.typingTimer);
    var follow = on && nearEnd();
    ui.typing.hidden = !on;
    if (on) {
      state.typingTimer = setTimeout(function () {
        setTyping(false);
      }, TYPING_TIMEOUT_MS);
      if (follow) {
        scrollToEnd();
      }
    }
  }

  // ---- status line: a connection state, possibly covered for a while by an error ----

  function setConnStatus(key) {
    state.connStatus = key;
    if (key) {
      clearTimeout(state.flashTimer); // being offline matters more than an earlier error
      state.flash = null;
    }
    renderStatus();
  }

  function flashStatus(flash, ms) {
    clearTimeout(state.flashTimer);
    state.flash = flash;
    state.flashTimer = setTimeout(function () {
      state.flash = null;
      renderStatus();
    }, ms);
    renderStatus();
  }

  function renderStatus() {
    var flash = state.flash;
    var text = "";
    if (state.connStatus) {
      text = t(state.connStatus);
    } else if (flash) {
      text = flash.text != null ? flash.text : t(flash.key, flash.arg);
    }
    if (ui.status.textContent !== text) {
      ui.status.textContent = text;
    }
    ui.status.classList.toggle("jb-status-error", state.connStatus ? state.connStatus === "unavailable" : Boolean(flash));
  }

  // ---- rendering messages ----

  function renderMessage(m) {
    var from = m.from === "customer" || m.from === "agent" ? m.from : "bot";
    var node = make("div", "jb-msg jb-from-" + from);
    if (m.id != null) {
      node.setAttribute("data-id", m.id);
    }
    if (m.client_id) {
      node.setAttribute("data-client-id", m.client_id);
    }
    if (from === "agent") {
      node.appendChild(localize(make("span", "jb-agent-label"), "agent", m.agent || null));
    } else {
      node.appendChild(srOnly(from === "customer" ? "you" : "assistant"));
    }
    if (m.text) {
      node.appendChild(renderText(String(m.text)));
    }
    if (m.table && Array.isArray(m.table.columns)) {
      node.appendChild(renderTable(m.table));
      node.classList.add("jb-wide");
    }
    if (Array.isArray(m.cards) && m.cards.length) {
      node.appendChild(renderCards(m.cards));
      node.classList.add("jb-wide");
    }
    if (m.ask === "csat") {
      node.appendChild(renderStars());
    }
    // A score question's 1-5 buttons are drawn as the stars above.
    if (Array.isArray(m.buttons) && m.buttons.length && m.ask !== "csat") {
      node.appendChild(renderQuickReplies(m.buttons));
    }
    var time = renderTime(m.at);
    if (time) {
      node.appendChild(time);
    }
    return node;
  }

  // Plain text with http(s) URLs turned into links; never parsed as HTML.
  function renderText(text) {
    var node = make("div", "jb-text");
    var last = 0;
    var match;
    URL_PATTERN.lastIndex = 0;
    while ((match = URL_PATTERN.exec(text)) !== null) {
      var raw = trimUrl(match[0]);
      var href = safeUrl(raw);
      if (!href) {
        continue;
      }
      node.appendChild(document.createTextNode(text.slice(last, match.index)));
      node.appendChild(makeLink(href, raw, "jb-link"));
      last = match.index + raw.length;
      URL_PATTERN.lastIndex = last;
    }
    node.appendChild(document.createTextNode(text.slice(last)));
    return node;
  }

  function makeLink(href, text, className) {
    var link = make("a", className, text);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  function renderTime(at) {
    var iso = at || new Date().toISOString();
    var text = formatTime(iso);
    if (!text) {
      return null;
    }
    var node = make("time", "jb-time", text);
    node.dateTime = iso;
    return node;
  }

  function renderTable(table) {
    var wrap = setAttrs(make("div", "jb-table-wrap"), { role: "region", tabindex: "0" });
    localize(wrap, "compare", null, "aria-label");
    var element = make("table", "jb-table");
    var head = make("thead");
    var headRow = make("tr");
    headRow.appendChild(make("td", "jb-corner"));
    table.columns.forEach(function (column) {
      headRow.appendChild(setAttrs(make("th", null, column), { scope: "col" }));
    });
    head.appendChild(headRow);
    var body = make("tbody");
    (table.rows || []).forEach(function (row) {
      body.appendChild(renderTableRow(row));
    });
    element.appendChild(head);
    element.appendChild(body);
    wrap.appendChild(element);
    return wrap;
  }

  function renderTableRow(row) {
    var line = make("tr", row.differs ? "jb-differs" : null);
    var label = setAttrs(make("th", null, row.label == null ? "" : row.label), { scope: "row" });
    if (row.differs) {
      var mark = setAttrs(make("span", "jb-differs-mark"), { title: t("differs") });
      mark.appendChild(setAttrs(make("span", null, "≠"), { "aria-hidden": "true" }));
      mark.appendChild(srOnly("differs"));
      label.appendChild(mark);
    }
    line.appendChild(label);
    (row.cells || []).forEach(function (cell) {
      line.appendChild(make("td", null, cell == null ? "" : cell));
    });
    return line;
  }

  function renderCards(cards) {
    var list = make("ul", "jb-cards");
    cards.forEach(function (card) {
      list.appendChild(renderCard(card || {}));
    });
    return list;
  }

  function renderCard(card) {
    var item = make("li", "jb-card");
    item.appendChild(make("p", "jb-card-name", card.name || ""));
    if (card.price) {
      item.appendChild(make("p", "jb-card-price", card.price));
    }
    if (card.stock === "in" || card.stock === "low" || card.stock === "out") {
      item.appendChild(localize(make("p", "jb-card-stock jb-stock-" + card.stock), "stock_" + card.stock));
    }
    if (card.description) {
      item.appendChild(make("p", "jb-card-desc", card.description));
    }
    var href = card.url ? safeUrl(card.url) : null;
    if (href) {
      var link = makeLink(href, null, "jb-card-link");
      link.appendChild(localize(make("span"), "view"));
      link.appendChild(make("span", "jb-sr", " " + (card.name || "")));
      item.appendChild(link);
    }
    return item;
  }

  function renderQuickReplies(buttons) {
    var row = make("div", "jb-quick-row");
    buttons.forEach(function (button) {
      var title = String(button.title == null ? "" : button.title);
      var payload = String(button.payload == null ? "" : button.payload);
      if (/^https?:\/\//i.test(payload)) {
        // A link button (back to the cart): opens the page, sends nothing.
        row.appendChild(
          setAttrs(make("a", "jb-quick jb-quick-link", title), {
            href: payload,
            target: "_blank",
            rel: "noopener noreferrer",
          })
        );
        return;
      }
      var quick = setAttrs(make("button", "jb-quick", title), { type: "button" });
      quick.addEventListener("click", function () {
        sendMessage(title, button.payload == null ? null : String(button.payload));
      });
      row.appendChild(quick);
    });
    return row;
  }

  // Only the quick replies of the last bot/agent message stay enabled.
  function retireQuickReplies(latestRow) {
    var previous = state.lastQuick;
    if (previous && previous !== latestRow) {
      var hadFocus = previous.contains(ui.shadow.activeElement);
      Array.prototype.forEach.call(previous.querySelectorAll("button"), function (button) {
        button.disabled = true;
      });
      if (hadFocus) {
        ui.input.focus();
      }
    }
    state.lastQuick = latestRow || null;
  }

  // ---- satisfaction stars ----

  function starsText(n) {
    return "★★★★★".slice(0, n) + "☆☆☆☆☆".slice(0, 5 - n);
  }

  function renderStars() {
    var group = setAttrs(make("div", "jb-stars"), { role: "group" });
    localize(group, "rate", null, "aria-label");
    for (var n = 1; n <= 5; n++) {
      var star = setAttrs(make("button", "jb-star", "☆"), { type: "button", "aria-pressed": "false", "data-score": n });
      localize(star, "star", n, "aria-label");
      group.appendChild(star);
    }
    group.addEventListener("click", function (event) {
      var star = event.target.closest(".jb-star");
      if (star && !star.disabled) {
        chooseStars(group, Number(star.getAttribute("data-score")), true);
      }
    });
    group.addEventListener("keydown", function (event) {
      moveStarFocus(group, event);
    });
    group.addEventListener("mouseover", previewStar);
    group.addEventListener("focusin", previewStar);
    group.addEventListener("mouseleave", function () {
      paintStars(group, Number(group.getAttribute("data-score")) || 0);
    });
    group.addEventListener("focusout", function () {
      paintStars(group, Number(group.getAttribute("data-score")) || 0);
    });
    return group;
  }

  function starsOf(group) {
    return Array.prototype.slice.call(group.querySelectorAll(".jb-star"));
  }

  function paintStars(group, n) {
    starsOf(group).forEach(function (star, i) {
      star.textContent = i < n ? "★" : "☆";
      star.classList.toggle("jb-on", i < n);
    });
  }

  function previewStar(event) {
    var star = event.target.closest && event.target.closest(".jb-star");
    var group = event.currentTarget;
    if (star && !group.hasAttribute("data-score")) {
      paintStars(group, Number(star.getAttribute("data-score")));
    }
  }

  function moveStarFocus(group, event) {
    var stars = starsOf(group);
    var index = stars.indexOf(ui.shadow.activeElement);
    var next = { ArrowRight: index + 1, ArrowUp: index + 1, ArrowLeft: index - 1, ArrowDown: index - 1, Home: 0, End: 4 }[event.key];
    if (index < 0 || next == null) {
      return;
    }
    event.preventDefault();
    stars[Math.max(0, Math.min(4, next))].focus();
  }

  function chooseStars(group, n, send) {
    var hadFocus = group.contains(ui.shadow.activeElement);
    group.setAttribute("data-score", n);
    group.classList.add("jb-done");
    starsOf(group).forEach(function (star, i) {
      star.disabled = true;
      star.setAttribute("aria-pressed", String(i === n - 1));
    });
    paintStars(group, n);
    if (send) {
      sendMessage(starsText(n), '/csat{"score": ' + n + "}");
    }
    if (hadFocus) {
      ui.input.focus();
    }
  }

  // A rating given earlier (seen in the replay, or from another tab) disables open star rows.
  function syncStars(text) {
    if (!/^[★☆]{5}$/.test(text || "")) {
      return;
    }
    var score = count(text, "★");
    Array.prototype.forEach.call(ui.log.querySelectorAll(".jb-stars:not(.jb-done)"), function (group) {
      chooseStars(group, score, false);
    });
  }

  // ---- incoming frames ----

  function onFrame(raw, socket) {
    settleSent(socket);
    var frame;
    try {
      frame = JSON.parse(raw);
    } catch (error) {
      return;
    }
    if (!frame || typeof frame !== "object") {
      return;
    }
    if (frame.type === "message") {
      onMessageFrame(frame);
    } else if (frame.type === "typing") {
      setTyping(Boolean(frame.on));
    } else if (frame.type === "ready") {
      onReady(frame);
    } else if (frame.type === "error") {
      onErrorFrame(frame, socket);
    }
  }

  function onMessageFrame(m) {
    var id = Number(m.id);
    var hasId = m.id != null && !isNaN(id);
    if (hasId) {
      if (state.seen[id]) {
        return;
      }
      state.seen[id] = true;
      state.lastId = Math.max(state.lastId, id);
    }
    if (m.from === "customer") {
      onCustomerMessage(m);
      return;
    }
    var node = renderMessage(m);
    appendToLog(node, false);
    setTyping(false);
    retireQuickReplies(node.querySelector(".jb-quick-row"));
    if (!state.open && !state.firstReplay) {
      setUnread(state.unread + 1);
    }
  }

  function onCustomerMessage(m) {
    var entry = m.client_id ? state.byClient[m.client_id] : null;
    if (entry) {
      // Our own message coming back (live echo or replay): just record its id.
      if (m.id != null) {
        entry.el.setAttribute("data-id", m.id);
      }
      confirmEntry(entry);
      return;
    }
    var node = renderMessage(m);
    if (m.client_id) {
      state.byClient[m.client_id] = { id: m.client_id, el: node, confirmed: true };
    }
    appendToLog(node, false);
    syncStars(m.text);
  }

  function onReady(frame) {
    state.lastId = Math.max(state.lastId, Number(frame.last_id) || 0);
    if (!state.firstReplay) {
      return;
    }
    state.firstReplay = false;
    if (!ui.log.querySelector(".jb-msg")) {
      showGreeting();
    }
  }

  function showGreeting() {
    if (!config.greeting || state.greeted) {
      return;
    }
    state.greeted = true;
    var node = renderMessage({ from: "bot", text: config.greeting });
    node.classList.add("jb-greeting");
    appendToLog(node, true);
  }

  function onErrorFrame(frame, socket) {
    var code = String(frame.code || "");
    if (code !== "unauthorized") {
      markFailed(findRefused(frame, socket));
    }
    var seconds = Math.ceil(Number(frame.retry_after) || 0);
    if (code === "rate_limited") {
      flashStatus({ key: "err_rate_limited", arg: seconds || null }, Math.max(seconds, 3) * 1000);
    } else if (code === "too_long" || code === "invalid" || code === "unauthorized") {
      flashStatus({ key: "err_" + code }, FLASH_MS);
    } else if (frame.error) {
      flashStatus({ text: String(frame.error) }, FLASH_MS);
    } else {
      flashStatus({ key: "err_generic" }, FLASH_MS);
    }
  }

  // Error frames name no message: the refused one is the newest sent on this socket that is
  // neither refused nor stored yet (the server answers each frame in order, at once).
  function findRefused(frame, socket) {
    var named = frame.client_id != null ? frame.client_id : typeof frame.id === "string" ? frame.id : null;
    if (named != null && state.byClient[named] && !state.byClient[named].confirmed) {
      return state.byClient[named];
    }
    for (var i = state.sentLog.length - 1; i >= 0; i--) {
      var entry = state.sentLog[i];
      if (entry.socket === socket && !entry.failed && !entry.confirmed) {
        return entry;
      }
    }
    return null;
  }

  function markFailed(entry) {
    if (!entry || entry.failed) {
      return;
    }
    entry.failed = true;
    removeFromOutbox(entry);
    entry.el.classList.remove("jb-pending");
    entry.el.classList.add("jb-failed");
    entry.note = localize(make("span", "jb-failed-note"), "not_delivered");
    entry.el.appendChild(entry.note);
  }

  function confirmEntry(entry) {
    entry.confirmed = true;
    removeFromOutbox(entry);
    entry.el.classList.remove("jb-pending");
    if (entry.failed) {
      // the heuristic guessed wrong: the server did store it
      entry.failed = false;
      entry.el.classList.remove("jb-failed");
      if (entry.note && entry.note.parentNode) {
        entry.note.parentNode.removeChild(entry.note);
      }
    }
  }

  function removeFromOutbox(entry) {
    var index = state.outbox.indexOf(entry);
    if (index >= 0) {
      state.outbox.splice(index, 1);
    }
  }

  // A frame from the server after our send shows that socket was alive: what we sent on it
  // leaves the outbox (a frame sent just before a silent drop stays, to be sent again).
  function settleSent(socket) {
    state.outbox = state.outbox.filter(function (entry) {
      return !(entry.sent && entry.socket === socket);
    });
  }

  // ---- outgoing messages ----

  function sendMessage(text, payload) {
    if (state.stopped) {
      setConnStatus("unavailable");
      return false;
    }
    var id = newClientId();
    var frame = { type: "message", id: id, text: text };
    if (payload != null) {
      frame.payload = payload;
    }
    var node = renderMessage({ from: "customer", text: text, client_id: id });
    node.classList.add("jb-pending");
    var entry = { id: id, frame: frame, el: node, sent: false, failed: false, confirmed: false };
    state.outbox.push(entry);
    state.byClient[id] = entry;
    appendToLog(node, true);
    if (socketOpen()) {
      transmit(entry);
    }
    return true;
  }

  function socketOpen() {
    return Boolean(state.ws) && state.ws.readyState === WebSocket.OPEN;
  }

  function transmit(entry) {
    try {
      state.ws.send(JSON.stringify(entry.frame));
    } catch (error) {
      return; // the socket is closing: the entry stays queued for the next connection
    }
    entry.sent = true;
    entry.socket = state.ws;
    entry.el.classList.remove("jb-pending");
    if (state.sentLog.indexOf(entry) < 0) {
      state.sentLog.push(entry);
      state.sentLog.splice(0, state.sentLog.length - 50);
    }
  }

  // The queue goes out in order; a resend is safe, the server de-duplicates by client id.
  function flushOutbox() {
    state.outbox.slice().forEach(function (entry) {
      if (socketOpen()) {
        transmit(entry);
      }
    });
  }

  // ---- session and socket ----

  function startSession() {
    clearTimeout(state.retryTimer);
    state.retryTimer = 0;
    var epoch = ++state.sessionEpoch;
    var body = JSON.stringify({
      token: readToken() || state.token,
      ref: state.ref,
      lang: state.lang,
      tz: browserTimeZone(),
    });
    fetch(BOT + "/widget/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: body,
      credentials: "omit",
    })
      .then(function (response) {
        if (epoch !== state.sessionEpoch) {
          return null;
        }
        if (response.status === 403) {
          stop();
          return null;
        }
        if (!response.ok) {
          throw new Error("session: HTTP " + response.status);
        }
        return response.json().then(function (session) {
          if (epoch === state.sessionEpoch) {
            onSession(session);
          }
        });
      })
      .catch(function () {
        if (epoch === state.sessionEpoch && !state.stopped) {
          scheduleRetry(startSession);
        }
      });
  }

  function onSession(session) {
    if (!session || typeof session.token !== "string" || !session.token) {
      throw new Error("session: no token");
    }
    storeToken(session.token);
    var id = session.session == null ? null : String(session.session);
    var changed = state.session !== null && id !== state.session;
    state.session = id;
    if (changed) {
      closeSocket();
      resetConversation();
    }
    if (!state.ws) {
      connect();
    }
  }

  function stop() {
    state.stopped = true;
    clearTimeout(state.retryTimer);
    closeSocket();
    setConnStatus("unavailable");
  }

  function socketUrl() {
    var bot = new URL(BOT);
    var scheme = bot.protocol === "https:" ? "wss://" : "ws://";
    return scheme + bot.host + "/ws?token=" + encodeURIComponent(state.token) +
      "&after=" + state.lastId + "&lang=" + encodeURIComponent(state.lang);
  }

  function connect() {
    clearTimeout(state.retryTimer);
    state.retryTimer = 0;
    if (state.stopped) {
      return;
    }
    if (!state.token) {
      startSession();
      return;
    }
    var socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      scheduleRetry(connect);
      return;
    }
    var opened = false;
    state.ws = socket;
    socket.onopen = function () {
      if (socket !== state.ws) {
        return;
      }
      opened = true;
      state.attempt = 0;
      state.failedOpens = 0;
      setConnStatus(null);
      flushOutbox();
    };
    socket.onmessage = function (event) {
      if (socket === state.ws) {
        onFrame(event.data, socket);
      }
    };
    socket.onclose = function (event) {
      if (socket === state.ws) {
        state.ws = null;
        onSocketClosed(event.code, opened);
      }
    };
  }

  function onSocketClosed(code, opened) {
    setTyping(false);
    if (code === 4401) {
      // Drop the refused token, unless another tab has already stored a newer one to share.
      var refused = state.token;
      state.token = null;
      if (readToken() === refused) {
        storeToken(null);
      }
      scheduleRetry(startSession);
      return;
    }
    // A handshake refused over and over may be a token the server no longer knows.
    if (!opened) {
      state.failedOpens += 1;
      if (state.failedOpens >= 3) {
        state.failedOpens = 0;
        scheduleRetry(startSession);
        return;
      }
    }
    scheduleRetry(connect);
  }

  function closeSocket() {
    var socket = state.ws;
    state.ws = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      try {
        socket.close(1000);
      } catch (error) {
        // already closed
      }
    }
    setTyping(false);
  }

  // Exponential back-off 0.5 s -> 10 s, with +/-25 % jitter.
  function scheduleRetry(next) {
    if (!socketOpen()) {
      setConnStatus("reconnecting"); // a failed setRef re-post keeps a working socket
    }
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.min(state.attempt, 10)));
    var delay = Math.max(BACKOFF_MIN_MS, Math.min(BACKOFF_MAX_MS, base * (0.75 + Math.random() * 0.5)));
    state.attempt += 1;
    clearTimeout(state.retryTimer);
    state.retryNext = next;
    state.retryTimer = setTimeout(function () {
      state.retryTimer = 0;
      next();
    }, delay);
  }

  function retryNow() {
    if (state.retryTimer && state.retryNext) {
      clearTimeout(state.retryTimer);
      state.retryTimer = 0;
      state.retryNext();
    }
  }

  // A different session (after 4401, or a new token) is a different conversation.
  function resetConversation() {
    state.lastId = 0;
    state.seen = {};
    state.firstReplay = true;
    state.greeted = false;
    state.lastQuick = null;
    state.byClient = {};
    ui.log.textContent = "";
    state.outbox.forEach(function (entry) {
      state.byClient[entry.id] = entry;
      ui.log.appendChild(entry.el);
    });
    setUnread(0);
  }

  function changeLanguage(lang) {
    var next = resolveLang(lang);
    if (next === state.lang) {
      return;
    }
    state.lang = next;
    relocalize();
    if (state.ws) {
      closeSocket();
      connect(); // the same token, after the highest id seen, with the new lang
    }
  }

  // ---- start ----

  var pending = [];

  function whenMounted(action) {
    if (state.mounted) {
      action();
    } else {
      pending.push(action);
    }
  }

  function mount() {
    if (state.mounted) {
      return;
    }
    buildUi();
    document.body.appendChild(ui.host);
    applyColor();
    state.mounted = true;
    if (config.open) {
      openPanel(false); // opened at load: do not steal the page's focus
    }
    pending.splice(0).forEach(function (action) {
      action();
    });
    window.addEventListener("online", retryNow);
    startSession();
  }

  window.journeybot = {
    loaded: true,
    open: function () {
      whenMounted(function () {
        openPanel(true);
      });
    },
    close: function () {
      whenMounted(function () {
        closePanel(Boolean(ui.shadow.activeElement));
      });
    },
    setRef: function (ref) {
      state.ref = ref == null || ref === "" ? null : String(ref);
      if (state.mounted && !state.stopped) {
        startSession();
      }
    },
    setLanguage: function (lang) {
      whenMounted(function () {
        changeLanguage(lang);
      });
    },
  };

  if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount);
  }
})();
