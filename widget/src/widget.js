/* Tenpoint widget. One global (`tenpoint`); everything else lives inside this IIFE.
 * Settings come from the script tag's data-* attributes or tenpoint('init', {...}); calls
 * made before the script loaded wait in tenpoint.q (the snippet's stub) and replay here.
 * No eval, no inline style or script: the styles travel inside this file (widget/build.py
 * puts the minified widget.css in CSS) and reach the shadow root as a constructed stylesheet,
 * which needs no request of its own and no CSP exception. Browsers without constructed
 * stylesheets get a <link> to the collector's widget.css instead (with the CSP nonce). */
(function (w, d) {
  "use strict";
  var prior = w.tenpoint;
  if (prior && prior.loaded) return; // a second copy of the script is harmless
  var OUTBOX = "tenpoint_outbox", ANON = "tenpoint_anon", QUIET = "tenpoint_quiet", CSS = "__TENPOINT_CSS__", base = null;
  var me = d.currentScript;
  function attr(n) { return me && me.getAttribute("data-" + n); }
  var cfg = {
    key: attr("site-key"), api: attr("api") || (me && me.src ? new URL(me.src, d.baseURI).origin : ""),
    nonce: attr("nonce") || (me && me.nonce) || "", auto: attr("auto") !== "false", user: {}
  };
  if (attr("user-id")) cfg.user.id = attr("user-id");
  if (attr("locale")) cfg.user.locale = attr("locale");
  var handlers = { response: [], dismiss: [], show: [] };
  var current = null, pending = false, busy = {}, timer = 0, backoff = 2000, mem = [], live = "";

  function log(e) { try { console.error("[tenpoint]", e && e.message || e); } catch (_) { /* no console */ } }
  function safe(fn) {
    return function () { try { return fn.apply(this, arguments); } catch (e) { log(e); } };
  }
  function emit(name, data) {
    handlers[name].forEach(function (cb) { try { cb(data); } catch (e) { log(e); } });
  }
  function hex(a) { return Array.prototype.map.call(a, function (x) { return (x + 256).toString(16).slice(1); }).join(""); }
  function uid() {
    var a = new Uint8Array(16);
    w.crypto.getRandomValues(a);
    return hex(a);
  }
  // Proof of work (an ALTCHA challenge, when the survey asks for it): the number n with
  // SHA-256(salt + n) = challenge, tried 64 at a time. No solution (no crypto.subtle on a
  // plain-http page): the answer still goes, and the collector holds it for review.
  function solve(c) {
    var n = 0, enc = new TextEncoder();
    function one(k) {
      return w.crypto.subtle.digest("SHA-256", enc.encode(c.salt + k)).then(function (x) {
        return hex(new Uint8Array(x)) === c.challenge ? btoa(JSON.stringify({ algorithm: c.algorithm,
          challenge: c.challenge, number: k, salt: c.salt, signature: c.signature })) : "";
      });
    }
    function batch() {
      var tries = [];
      for (var i = 0; i < 64 && n <= c.maxNumber; i++) tries.push(one(n++));
      return tries.length ? Promise.all(tries).then(function (r) { return r.join("") || batch(); }) : "";
    }
    return Promise.resolve().then(batch).catch(function (e) { log(e); return ""; });
  }
  function store(k, v) {
    try { if (v === undefined) return localStorage.getItem(k); if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); return 1; } catch (_) { return null; }
  }
  function anon() {
    var id = store(ANON);
    if (!id) { id = uid(); store(ANON, id); }
    return id;
  }
  // When this browser was first seen, kept beside the anonymous id: the collector's hint for
  // min_days_since_signup, so it need not store every visitor to count days for them.
  function seen() {
    var t = +store("tenpoint_seen");
    if (!(t > 0)) { t = Date.now(); store("tenpoint_seen", String(t)); }
    return new Date(t).toISOString();
  }
  // The visitor's whole language list, not only the first: the collector stores it on the
  // person, and an email later (no browser, no Accept-Language) can then still fall back to
  // the second language. Whole tags only, within the 35 characters the collector accepts.
  function langs() {
    var all = navigator.languages || [], out = navigator.language || "";
    for (var i = 0; i < all.length; i++) {
      if (!i) out = all[0]; else if ((out + "," + all[i]).length <= 35) out += "," + all[i];
    }
    return out;
  }
  function category(s) { return s <= 6 ? "detractor" : s <= 8 ? "passive" : "promoter"; }
  // Theme "auto" follows the host page, not only the system (docs/widget.md): the first
  // opaque background of <body> or <html> decides by its luminance; a page without one
  // shows the canvas, dark only when its color-scheme allows dark and the system prefers it.
  function hostTheme() {
    for (var e = d.body, c; e; e = e.parentElement) {
      c = getComputedStyle(e).backgroundColor.match(/[\d.]+/g);
      if (!(c[3] < .5)) return c[0] * 3 + c[1] * 6 + +c[2] < 1280;
    }
    c = getComputedStyle(e = d.documentElement).colorScheme;
    return /dark/.test(c) && (!/light/.test(c) || matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function call(method, to, path, body, idem) {
    var url = to.api + path + "?key=" + encodeURIComponent(to.key) +
      (idem ? "&idempotency_key=" + encodeURIComponent(idem) : "");
    // text/plain keeps POSTs "simple" CORS requests: no preflight round trip. keepalive only
    // for writes (they carry an idempotency key), which must outlive the page: Chromium sends
    // keepalive requests through the browser process, and the answer to the eligibility
    // question, needed only while the page lives, arrived about 15 ms later that way.
    return fetch(url, { method: method, body: body, keepalive: !!idem, credentials: "omit",
      headers: { "Content-Type": "text/plain" } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.ok) return j;
        // A refused origin comes with CORS headers so its message (the origin to allow) shows.
        var x = j.error || {}, c = x.code || "";
        var e = new Error(c === "origin_not_allowed" ? c + ": " + x.message : method + " " + path + ": " + r.status + " " + c);
        e.status = r.status;
        throw e;
      });
    });
  }

  // The outbox: answers wait in localStorage until the collector has them. A retry reuses
  // the item's Idempotency-Key, so the collector stores one response however often we try.
  function readBox() {
    var raw = store(OUTBOX);
    try { return raw === null ? mem : JSON.parse(raw || "[]"); } catch (_) { return []; }
  }
  function writeBox(list) { mem = list; store(OUTBOX, JSON.stringify(list)); }
  function change(k, fields) {
    var list = readBox();
    for (var i = 0; i < list.length; i++) {
      if (list[i].k !== k) continue;
      if (!fields) list.splice(i, 1);
      else for (var f in fields) { if (fields[f] === null) delete list[i][f]; else list[i][f] = fields[f]; }
      break;
    }
    writeBox(list);
  }
  function retryable(e) { return !e.status || e.status >= 500 || e.status === 429 || e.status === 408; }
  function flush() {
    clearTimeout(timer);
    readBox().forEach(function (it) {
      if (busy[it.k] || it.w && it.k === live) return; // its proof of work is still being found
      // A week old: dropped, well inside the collector's replay window (30 days), past
      // which a retry could be stored twice. Items from older widgets are dated now.
      if (!it.a) change(it.k, { a: Date.now() });
      else if (Date.now() - it.a > 6048e5) return change(it.k);
      var job;
      if (!it.r) {
        job = call("POST", it, "/v1/responses", it.b, it.k).then(function (res) {
          change(it.k, { r: res.id, t: res.edit_token || "" });
        });
      } else if (it.p) {
        var body = JSON.stringify(Object.assign({ edit_token: it.t }, it.p));
        job = call("PATCH", it, "/v1/responses/" + it.r, body, it.k + "-2").then(function () {
          change(it.k, { p: null });
        });
      } else {
        if (it.f || it.k !== live) change(it.k); // finished, or left behind by a closed page
        return;
      }
      busy[it.k] = 1;
      job.then(function () { busy[it.k] = 0; backoff = 2000; flush(); }, function (e) {
        busy[it.k] = 0;
        log(e);
        if (!retryable(e)) return change(it.k);
        timer = setTimeout(flush, backoff);
        backoff = Math.min(backoff * 2, 60000);
      });
    });
  }

  function who() {
    var u = cfg.user, b = {};
    if (u.id) b.user_id = String(u.id); else b.anonymous_id = anon();
    if (u.token) b.identity_token = u.token;
    if (u.email) b.email = u.email;
    if (u.properties) b.properties = u.properties;
    return b;
  }

  // A quiet period: after an automatic check that no survey could pass on any page, the
  // collector says how long to stop asking ("<until> <person>" in localStorage). It only
  // spares requests: the collector still decides every check that is made.
  function check(extra) {
    if (current || pending || !cfg.key) return;
    var body = who(), u = cfg.user, id = body.user_id || body.anonymous_id;
    var auto = !extra.survey && !extra.event, q = store(QUIET) || "", i = q.indexOf(" ");
    if (auto && q.slice(i + 1) === id && +q.slice(0, i) > Date.now()) return;
    var lang = u.locale || langs();
    if (lang) body.locale = lang;
    body.first_seen_at = seen();
    for (var f in extra) body[f] = extra[f];
    pending = true;
    call("POST", cfg, "/v1/eligibility", JSON.stringify(body)).then(function (res) {
      pending = false;
      if (auto && res.recheck_after) store(QUIET, Date.now() + res.recheck_after * 1e3 + " " + id);
      if (!res.eligible || !res.survey || current) return;
      var wait = ((res.survey.show_on || {}).delay_seconds || 0) * 1000;
      var show = safe(function () { if (!current) render(res.survey, res.display_id, res.display_token, res.proof_of_work); });
      if (wait) setTimeout(show, wait); else show(); // no extra task when there is no delay
    }).catch(function (e) { pending = false; log(e); });
  }

  function h(tag, props, kids) {
    var n = d.createElement(tag);
    for (var p in props) {
      if (props[p] == null) continue;
      if (p === "text") n.textContent = props[p]; else n.setAttribute(p, props[p]);
    }
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function onBrand(hex) {
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#fff" : "#000";
  }

  function render(s, displayId, token, work) {
    var T = s.texts, S = s.strings, look = s.appearance || {}, shown = Date.now();
    var proof = work && solve(work); // found while the person reads
    var host = h("tenpoint-survey"), root = host.attachShadow({ mode: "open" });
    var brand = look.brand_color, built = "adoptedStyleSheets" in root, link = null;
    if (built) {
      // Styled before it is attached: visible at once, never unstyled.
      if (!base) { base = new CSSStyleSheet(); base.replaceSync(CSS); }
      var sheets = [base];
      if (brand && /^#[0-9a-f]{6}$/i.test(brand)) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(":host{--tp-brand:" + brand + ";--tp-on-brand:" + onBrand(brand) + "}");
        sheets.push(sheet);
      }
      root.adoptedStyleSheets = sheets;
    } else {
      link = h("link", { rel: "stylesheet", href: cfg.api + "/widget.css", nonce: cfg.nonce || null });
    }
    var theme = /^(light|dark)$/.test(look.theme) ? look.theme : hostTheme() ? "dark" : "light";
    var box = h("div", { "class": "tp pos-" + (look.position || "bottom-right") + " theme-" + theme,
      role: "dialog", "aria-labelledby": "tp-q", dir: s.dir || "ltr", lang: s.locale, hidden: built ? null : "" });
    var close = h("button", { type: "button", "class": "x", "aria-label": S.close, text: "\u00d7" });
    var body = h("div", { "class": "body" });
    var item = null, cat = "";
    box.appendChild(close);
    box.appendChild(body);
    if (link) {
      root.appendChild(link);
      // Shown once its stylesheet is in, so the page never sees an unstyled flash.
      link.addEventListener("load", function () { box.removeAttribute("hidden"); });
      link.addEventListener("error", function () { log("widget.css failed to load"); finish(); });
    }
    root.appendChild(box);
    d.body.appendChild(host);
    current = host;

    // A non-modal dialog (WAI-ARIA APG): focus moves in when it appears and goes back to
    // where it was when it closes; Escape closes it wherever focus is, unless the host page
    // already handled that Escape (its own dialog, say).
    var before = d.activeElement;
    var onKey = safe(function (e) { if (e.key === "Escape" && !e.defaultPrevented) dismiss(); });
    d.addEventListener("keydown", onKey);
    function finish() {
      if (item) { change(item.k, { f: 1 }); flush(); }
      if (current === host) current = null;
      d.removeEventListener("keydown", onKey);
      var inside = d.activeElement === host;
      host.remove();
      if (inside && before) before.focus();
    }
    function dismiss() {
      if (!item) {
        // The eligibility engine throttles this person after a decline.
        if (displayId) call("POST", cfg, "/v1/declines", JSON.stringify({ display_id: displayId }), uid()).catch(log);
        emit("dismiss", { survey: s.key });
      }
      finish();
    }
    close.addEventListener("click", safe(dismiss));

    function step(kids, focus) {
      body.textContent = "";
      kids.forEach(function (k) { if (k) body.appendChild(k); });
      if (focus) focus.focus();
    }

    // Step 1: the score, a native radio group (arrow keys for free); a pointer click or
    // Enter confirms it, and it is posted at once so a skipped follow-up never loses it.
    var send = h("button", { type: "submit", "class": "send", disabled: "", text: S.submit });
    var trap = h("input", { name: "website", hidden: "", tabindex: "-1", autocomplete: "off" });
    var scale = h("div", { "class": "scale" }), chosen = null;
    for (var i = 0; i <= 10; i++) {
      scale.appendChild(h("label", { "class": "s" }, [
        h("input", { type: "radio", name: "score", value: i,
          "aria-describedby": i === 0 ? "tp-lo" : i === 10 ? "tp-hi" : null }),
        h("span", { text: i })]));
    }
    var form = h("form", { "class": "score" }, [h("fieldset", { role: "radiogroup", "aria-labelledby": "tp-q" }, [
      h("legend", { "class": "q", id: "tp-q", text: T.question }), scale,
      h("div", { "class": "ends", "aria-hidden": "true" }, [
        h("span", { id: "tp-lo", text: T.low_label || S.low_label }),
        h("span", { id: "tp-hi", text: T.high_label || S.high_label })])]), trap, send]);
    scale.addEventListener("change", function (e) { chosen = +e.target.value; send.removeAttribute("disabled"); });
    scale.addEventListener("click", safe(function (e) { if (e.detail > 0 && e.target.name === "score") confirm(+e.target.value); }));
    scale.addEventListener("keydown", safe(function (e) { if (e.key === "Enter" && chosen !== null) { e.preventDefault(); confirm(chosen); } }));
    form.addEventListener("submit", safe(function (e) { e.preventDefault(); if (chosen !== null) confirm(chosen); }));
    // Not while the visitor types in a field of the host page: focus stays there (the survey
    // waits at the end of the page's tab order, and Escape still closes it).
    var typing = before && (/^(INPUT|TEXTAREA|SELECT)$/.test(before.tagName) || before.isContentEditable);
    step([form], typing ? null : scale.querySelector("input"));
    emit("show", { survey: s.key });

    function confirm(score) {
      if (item) return;
      cat = category(score);
      var b = who();
      b.survey = s.key; b.score = score; b.channel = "in_app"; b.locale = s.locale;
      if (displayId) b.display_id = displayId;
      // The display's token goes back with the answer: the collector checks it was shown
      // to this visitor, once, and times the answer from it (docs/protection.md).
      if (token) b.display_token = token;
      b.signals = { webdriver: !!navigator.webdriver, elapsed_ms: Date.now() - shown, honeypot: trap.value };
      item = { k: uid(), a: Date.now(), api: cfg.api, key: cfg.key, b: JSON.stringify(b) };
      live = item.k;
      if (proof) {
        // In the outbox at once, so a closed page never loses the score; sent once solved.
        item.w = 1;
        proof.then(function (p) {
          if (p) b.proof_of_work = p;
          change(item.k, { b: JSON.stringify(b), w: null });
          flush();
        });
      }
      writeBox(readBox().concat([item]));
      flush();
      emit("response", { survey: s.key, score: score, category: cat });
      followUp();
    }

    // Step 2: the follow-up question for the category, and the optional second question.
    function followUp() {
      var c = h("textarea", { id: "tp-c", maxlength: "5000", rows: "3" }), c2 = null;
      var kids = [h("label", { "class": "q", "for": "tp-c", id: "tp-q", text: (T.follow_up || {})[cat] || S.comment_placeholder }), c];
      if (T.second_question) {
        c2 = h("textarea", { id: "tp-c2", maxlength: "5000", rows: "2" });
        kids.push(h("label", { "class": "q2", "for": "tp-c2", text: T.second_question }), c2);
      }
      var skip = h("button", { type: "button", "class": "skip", text: S.skip });
      kids.push(h("div", { "class": "row" }, [skip, h("button", { type: "submit", "class": "send", text: S.submit })]));
      var f2 = h("form", { "class": "more" }, kids);
      skip.addEventListener("click", safe(thanks));
      f2.addEventListener("submit", safe(function (e) {
        e.preventDefault();
        var p = {};
        if (c.value.trim()) p.comment = c.value.trim();
        if (c2 && c2.value.trim()) p.answers = { second: c2.value.trim() };
        if (p.comment || p.answers) change(item.k, { p: p });
        thanks();
      }));
      step([f2], c);
    }

    // Step 3: thanks, which may differ by category (promoters: a link to review or refer).
    function thanks() {
      change(item.k, { f: 1 });
      flush();
      var msg = h("p", { "class": "q", id: "tp-q", role: "status", tabindex: "-1",
        text: (T.thank_you || {})[cat] || S.thank_you });
      var a = cat === "promoter" && T.promoter_link_url ? h("a", { href: T.promoter_link_url,
        target: "_blank", rel: "noopener", text: T.promoter_link_label || T.promoter_link_url }) : null;
      step([msg, a], msg);
      if (!a) setTimeout(finish, 6000);
    }
  }

  var api = {
    init: function (o) {
      o = o || {};
      if (o.siteKey) cfg.key = o.siteKey;
      if (o.api) cfg.api = o.api;
      if (o.nonce) cfg.nonce = o.nonce;
      if (o.auto === false) cfg.auto = false;
      if (o.user) cfg.user = o.user;
    },
    show: function (key) { check({ survey: key }); },
    track: function (event) { check({ event: String(event), url: location.href }); },
    reset: function () {
      cfg.user = {};
      store(ANON, null);
      store(QUIET, null);
      store("tenpoint_seen", null);
      if (current) { current.remove(); current = null; }
    },
    on: function (name, cb) {
      if (!handlers[name] || typeof cb !== "function") throw new Error("unknown event " + name);
      handlers[name].push(cb);
    }
  };

  function tenpoint(cmd) {
    if (!api[cmd]) return log("unknown command " + cmd);
    return safe(api[cmd]).apply(null, Array.prototype.slice.call(arguments, 1));
  }
  tenpoint.loaded = true;
  w.tenpoint = tenpoint;
  safe(function () {
    var queue = (prior && prior.q) || [];
    for (var i = 0; i < queue.length; i++) tenpoint.apply(null, queue[i]);
    if (attr("survey")) api.show(attr("survey"));
    else if (cfg.auto && cfg.key) check({ url: location.href });
    w.addEventListener("online", flush);
    flush();
  })();
})(window, document);
