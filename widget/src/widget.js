/* Tenpoint widget. One global (`tenpoint`), everything else inside this IIFE.
 * Config from the script tag's data-* attributes or tenpoint('init', {...}). */
(function (w, d) {
  "use strict";
  var PREFIX = "[tenpoint]";
  var existing = w.tenpoint;
  if (existing && existing.loaded) return; // loading twice is harmless
  var script = d.currentScript || d.querySelector("script[src*='widget.js']");
  var base = script ? new URL(script.src, d.baseURI).origin : "";
  var state = { key: script && script.getAttribute("data-site-key"), user: {} };

  function log(err) { try { console.error(PREFIX, err); } catch (_) {} }
  function safe(fn) { return function () { try { return fn.apply(this, arguments); } catch (e) { log(e); } }; }

  function anonymousId() {
    var k = "tenpoint_anon", id;
    try { id = localStorage.getItem(k); } catch (_) {}
    if (!id) {
      id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
      try { localStorage.setItem(k, id); } catch (_) {}
    }
    return id;
  }

  function post(path, body, idem) {
    var url = base + path + "?key=" + encodeURIComponent(state.key) +
      (idem ? "&idempotency_key=" + encodeURIComponent(idem) : "");
    return fetch(url, { method: "POST", body: JSON.stringify(body), keepalive: true,
      headers: { "Content-Type": "text/plain" } }).then(function (r) {
      return r.json().then(function (j) { if (!r.ok) throw j; return j; });
    });
  }

  function who() {
    var u = state.user || {}, body = {};
    if (u.id) body.user_id = String(u.id); else body.anonymous_id = anonymousId();
    if (u.locale) body.locale = u.locale;
    else if (navigator.language) body.locale = navigator.language;
    return body;
  }

  function el(tag, cls, text) {
    var n = d.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  function render(survey) {
    var host = el("div"); host.setAttribute("data-tenpoint", "");
    var root = host.attachShadow({ mode: "open" });
    var css = el("link"); css.rel = "stylesheet"; css.href = base + "/widget.css";
    var box = el("section", "tp");
    box.setAttribute("role", "dialog"); box.setAttribute("aria-label", survey.texts.question);
    box.dir = survey.dir; box.lang = survey.locale;
    var q = el("p", "q", survey.texts.question); q.id = "tp-q";
    var scale = el("div", "scale"); scale.setAttribute("role", "radiogroup");
    scale.setAttribute("aria-labelledby", "tp-q");
    var chosen = null, buttons = [];
    for (var i = 0; i <= 10; i++) {
      var b = el("button", "s", String(i));
      b.type = "button"; b.setAttribute("role", "radio"); b.setAttribute("aria-checked", "false");
      b.tabIndex = i === 0 ? 0 : -1; b.dataset.score = String(i);
      buttons.push(b); scale.appendChild(b);
    }
    function pick(n, focus) {
      chosen = n;
      buttons.forEach(function (b, j) {
        b.setAttribute("aria-checked", j === n ? "true" : "false"); b.tabIndex = j === n ? 0 : -1;
      });
      if (focus) buttons[n].focus();
      comment.hidden = false; send.disabled = false;
    }
    scale.addEventListener("click", function (e) { var s = e.target.dataset && e.target.dataset.score; if (s) pick(+s, false); });
    scale.addEventListener("keydown", function (e) {
      var cur = chosen == null ? 0 : chosen, dirSign = survey.dir === "rtl" ? -1 : 1;
      if (e.key === "ArrowRight" || e.key === "ArrowUp") { pick(Math.min(10, Math.max(0, cur + (e.key === "ArrowUp" ? 1 : dirSign))), true); e.preventDefault(); }
      else if (e.key === "ArrowLeft" || e.key === "ArrowDown") { pick(Math.min(10, Math.max(0, cur - (e.key === "ArrowDown" ? 1 : dirSign))), true); e.preventDefault(); }
    });
    var labels = el("div", "labels");
    labels.appendChild(el("span", "", survey.texts.low_label || survey.strings.low_label));
    labels.appendChild(el("span", "", survey.texts.high_label || survey.strings.high_label));
    var comment = el("textarea", "c"); comment.hidden = true;
    comment.setAttribute("aria-label", survey.strings.comment_placeholder);
    comment.placeholder = survey.strings.comment_placeholder;
    var send = el("button", "send", survey.strings.submit); send.type = "button"; send.disabled = true;
    var close = el("button", "x", "×"); close.type = "button"; close.setAttribute("aria-label", survey.strings.close);
    close.addEventListener("click", function () { host.remove(); });
    var idem = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    send.addEventListener("click", safe(function () {
      var body = who(); body.survey = survey.key; body.score = chosen;
      if (comment.value) body.comment = comment.value;
      send.disabled = true; send.textContent = survey.strings.sending;
      post("/v1/responses", body, idem).then(function () {
        box.textContent = ""; var t = el("p", "done", survey.strings.thank_you);
        t.setAttribute("role", "status"); box.appendChild(t);
        setTimeout(function () { host.remove(); }, 4000);
      }).catch(function (e) { log(e); send.disabled = false; send.textContent = survey.strings.submit; });
    }));
    box.appendChild(close); box.appendChild(q); box.appendChild(scale); box.appendChild(labels);
    box.appendChild(comment); box.appendChild(send);
    root.appendChild(css); root.appendChild(box);
    d.body.appendChild(host);
  }

  var api = {
    init: function (opts) { opts = opts || {}; if (opts.siteKey) state.key = opts.siteKey; state.user = opts.user || {}; },
    show: function (surveyKey) {
      var body = who(); body.survey = surveyKey;
      post("/v1/eligibility", body).then(function (res) { if (res.eligible) render(res.survey); }).catch(log);
    }
  };

  var queue = (existing && existing.q) || [];
  var tp = function (cmd) {
    var fn = api[cmd];
    if (!fn) return log("unknown command " + cmd);
    return safe(fn).apply(null, Array.prototype.slice.call(arguments, 1));
  };
  tp.loaded = true;
  w.tenpoint = tp;
  for (var i = 0; i < queue.length; i++) tp.apply(null, queue[i]);
})(window, document);
