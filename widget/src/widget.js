/* Tenpoint widget. One global (`tenpoint`); everything else lives inside this IIFE.
 *
 * Written for readers: widget/build.py minifies it with terser, which renames every local
 * name, so long names cost nothing in the served file. Property names are NOT renamed, and
 * several of them cross a boundary, so they stay as they are:
 *   - the public API: tenpoint("init" | "show" | "track" | "reset" | "on", ...);
 *   - the script tag's data-* attributes and the localStorage keys (tenpoint_outbox,
 *     tenpoint_anon, tenpoint_quiet, tenpoint_seen), which pages and older widgets share;
 *   - the one-letter fields of an outbox item (see "The outbox" below), stored by older widgets;
 *   - the JSON field names sent to and read from the collector;
 *   - the CSS class names and custom properties of widget.css, and "__TENPOINT_CSS__".
 *
 * Settings come from the script tag's data-* attributes or tenpoint('init', {...}); calls
 * made before the script loaded wait in tenpoint.q (the snippet's stub) and replay here.
 * No eval, no inline style or script: the styles travel inside this file (widget/build.py
 * puts the minified widget.css in place of WIDGET_CSS) and reach the shadow root as a
 * constructed stylesheet, which needs no request of its own and no CSP exception. Browsers
 * without constructed stylesheets get a <link> to the collector's widget.css instead (with
 * the CSP nonce).
 *
 * Reading order: settings; small helpers; browser facts (ids, languages, theme); the HTTP
 * call; the outbox; the eligibility check; building the survey (render) and its three steps;
 * the public API and the replay of queued calls. */
(function (window, document) {
  "use strict";

  var snippetStub = window.tenpoint;
  if (snippetStub && snippetStub.loaded) return; // a second copy of the script is harmless

  var OUTBOX_KEY = "tenpoint_outbox";
  var ANONYMOUS_ID_KEY = "tenpoint_anon";
  var QUIET_KEY = "tenpoint_quiet";
  var FIRST_SEEN_KEY = "tenpoint_seen";
  var WIDGET_CSS = "__TENPOINT_CSS__"; // replaced by the minified widget.css at build time
  var OUTBOX_MAX_AGE_MS = 6048e5; // a week
  var FIRST_RETRY_DELAY_MS = 2000;

  // ---- Settings ------------------------------------------------------------------------

  var ownScript = document.currentScript;

  function scriptAttribute(name) {
    return ownScript && ownScript.getAttribute("data-" + name);
  }

  // Without data-api, the collector is the origin the script was served from.
  function scriptOrigin() {
    return ownScript && ownScript.src ? new URL(ownScript.src, document.baseURI).origin : "";
  }

  var settings = {
    key: scriptAttribute("site-key"),
    api: scriptAttribute("api") || scriptOrigin(),
    nonce: scriptAttribute("nonce") || (ownScript && ownScript.nonce) || "",
    auto: scriptAttribute("auto") !== "false",
    user: {}
  };
  if (scriptAttribute("user-id")) settings.user.id = scriptAttribute("user-id");
  if (scriptAttribute("locale")) settings.user.locale = scriptAttribute("locale");

  // ---- State ---------------------------------------------------------------------------

  var eventHandlers = { response: [], dismiss: [], show: [] };
  var shownSurvey = null; // the <tenpoint-survey> element on the page, if any
  var checkInFlight = false;
  var sendingOutboxItems = {}; // outbox item id -> 1 while its request is in flight
  var retryTimer = 0;
  var retryDelayMs = FIRST_RETRY_DELAY_MS;
  var outboxInMemory = []; // the outbox when localStorage is unavailable
  var liveOutboxItemId = ""; // the item of the survey shown on this page
  var sharedStyleSheet = null; // built once, adopted by every survey's shadow root

  // ---- Small helpers -------------------------------------------------------------------

  function logError(error) {
    try {
      console.error("[tenpoint]", error && error.message || error);
    } catch (_) { /* no console */ }
  }

  // The widget must never break its host page: an error is logged, not thrown.
  function guarded(callback) {
    return function () {
      try {
        return callback.apply(this, arguments);
      } catch (error) {
        logError(error);
      }
    };
  }

  function emit(eventName, eventData) {
    eventHandlers[eventName].forEach(function (handler) {
      try {
        handler(eventData);
      } catch (error) {
        logError(error);
      }
    });
  }

  function toHex(bytes) {
    return Array.prototype.map.call(bytes, function (byte) {
      return (byte + 256).toString(16).slice(1);
    }).join("");
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return toHex(bytes);
  }

  // localStorage, which may be missing or refuse (private mode, full, blocked cookies).
  // storage(key) reads; storage(key, null) removes; storage(key, value) writes and
  // returns 1. Any failure returns null.
  function storage(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
      return 1;
    } catch (_) {
      return null;
    }
  }

  // ---- Proof of work -------------------------------------------------------------------

  // An ALTCHA challenge, when the survey asks for it: the number n with
  // SHA-256(salt + n) = challenge, tried 64 at a time. No solution (no crypto.subtle on a
  // plain-http page): the answer still goes, and the collector holds it for review.
  function solveProofOfWork(challenge) {
    var nextNumber = 0;
    var encoder = new TextEncoder();

    // The encoded solution when `number` solves the challenge, else "".
    function tryNumber(number) {
      var attempt = encoder.encode(challenge.salt + number);
      return window.crypto.subtle.digest("SHA-256", attempt).then(function (digest) {
        if (toHex(new Uint8Array(digest)) === challenge.challenge) return btoa(JSON.stringify({
          algorithm: challenge.algorithm,
          challenge: challenge.challenge,
          number: number,
          salt: challenge.salt,
          signature: challenge.signature
        }));
        return "";
      });
    }

    function tryNextBatch() {
      var attempts = [];
      while (attempts.length < 64 && nextNumber <= challenge.maxNumber) {
        attempts.push(tryNumber(nextNumber++));
      }
      if (!attempts.length) return ""; // every number tried: no solution
      return Promise.all(attempts).then(function (results) {
        return results.join("") || tryNextBatch();
      });
    }

    return Promise.resolve().then(tryNextBatch).catch(function (error) {
      logError(error);
      return "";
    });
  }

  // ---- What the widget knows about this browser ----------------------------------------

  function anonymousId() {
    var id = storage(ANONYMOUS_ID_KEY);
    if (!id) {
      id = randomId();
      storage(ANONYMOUS_ID_KEY, id);
    }
    return id;
  }

  // When this browser was first seen, kept beside the anonymous id: the collector's hint for
  // min_days_since_signup, so it need not store every visitor to count days for them.
  function firstSeenAt() {
    var firstSeenMs = +storage(FIRST_SEEN_KEY);
    if (!(firstSeenMs > 0)) {
      firstSeenMs = Date.now();
      storage(FIRST_SEEN_KEY, String(firstSeenMs));
    }
    return new Date(firstSeenMs).toISOString();
  }

  // The visitor's whole language list, not only the first: the collector stores it on the
  // person, and an email later (no browser, no Accept-Language) can then still fall back to
  // the second language. Whole tags only, within the 35 characters the collector accepts.
  function browserLanguages() {
    var languages = navigator.languages || [];
    var joined = navigator.language || ""; // when the browser has no list
    for (var index = 0; index < languages.length; index++) {
      if (!index) joined = languages[0];
      else if ((joined + "," + languages[index]).length <= 35) joined += "," + languages[index];
    }
    return joined;
  }

  function scoreCategory(score) {
    if (score <= 6) return "detractor";
    if (score <= 8) return "passive";
    return "promoter";
  }

  // Theme "auto" follows the host page, not only the system (docs/widget.md): the first
  // opaque background of <body> or <html> decides by its luminance; a page without one
  // shows the canvas, dark only when its color-scheme allows dark and the system prefers it.
  function hostPageIsDark() {
    var rgba;
    for (var element = document.body; element; element = element.parentElement) {
      rgba = getComputedStyle(element).backgroundColor.match(/[\d.]+/g);
      var opaque = !(rgba[3] < .5); // rgb() has no alpha: opaque
      if (opaque) return rgba[0] * 3 + rgba[1] * 6 + +rgba[2] < 1280;
    }
    var colorScheme = getComputedStyle(document.documentElement).colorScheme;
    return /dark/.test(colorScheme) &&
      (!/light/.test(colorScheme) || matchMedia("(prefers-color-scheme: dark)").matches);
  }

  // Black or white, whichever contrasts more with the brand color (WCAG relative luminance).
  function textColorOn(brandHex) {
    var linear = [1, 3, 5].map(function (offset) {
      var channel = parseInt(brandHex.substr(offset, 2), 16) / 255;
      return channel <= 0.03928 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    // Contrast with white, then with black.
    return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#fff" : "#000";
  }

  // ---- Talking to the collector --------------------------------------------------------

  // `target` has the collector's `api` origin and the site `key` (the settings, or an
  // outbox item, which remembers both). Resolves to the JSON reply; rejects with an Error
  // carrying the HTTP `status` (none when the network failed).
  function callCollector(method, target, path, body, idempotencyKey) {
    var url = target.api + path + "?key=" + encodeURIComponent(target.key) +
      (idempotencyKey ? "&idempotency_key=" + encodeURIComponent(idempotencyKey) : "");
    // text/plain keeps POSTs "simple" CORS requests: no preflight round trip. keepalive only
    // for writes (they carry an idempotency key), which must outlive the page: Chromium sends
    // keepalive requests through the browser process, and the answer to the eligibility
    // question, needed only while the page lives, arrived about 15 ms later that way.
    var request = {
      method: method,
      body: body,
      keepalive: !!idempotencyKey,
      credentials: "omit",
      headers: { "Content-Type": "text/plain" }
    };
    return fetch(url, request).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (reply) {
        if (response.ok) return reply;
        var apiError = reply.error || {};
        var code = apiError.code || "";
        // A refused origin comes with CORS headers so its message (the origin to allow) shows.
        var error = new Error(code === "origin_not_allowed"
          ? code + ": " + apiError.message
          : method + " " + path + ": " + response.status + " " + code);
        error.status = response.status;
        throw error;
      });
    });
  }

  // No status (the network failed), a server error, too many requests or a timeout: try
  // again later. Any other refusal would be refused again.
  function worthRetrying(error) {
    return !error.status || error.status >= 500 || error.status === 429 || error.status === 408;
  }

  // ---- The outbox ----------------------------------------------------------------------

  // Answers wait in localStorage until the collector has them. A retry reuses the item's
  // Idempotency-Key, so the collector stores one response however often we try.
  // An item's fields are one letter each, as older widgets stored them:
  //   k  the item's id, also the Idempotency-Key of its POST ("<k>-2" for its PATCH)
  //   a  when it was added (ms)          api, key  where to send it
  //   b  the response's JSON body        w  1 while its proof of work is being found
  //   r  the response id, once posted    t  the response's edit token
  //   p  the comment and answers to PATCH onto the response
  //   f  1 once the survey is finished (nothing more will be added)
  function readOutbox() {
    var stored = storage(OUTBOX_KEY);
    try {
      return stored === null ? outboxInMemory : JSON.parse(stored || "[]");
    } catch (_) {
      return [];
    }
  }

  function writeOutbox(items) {
    outboxInMemory = items;
    storage(OUTBOX_KEY, JSON.stringify(items));
  }

  // Sets `fields` on the item with id `itemId` (a null value deletes that field), or
  // removes the item when no fields are given: updateOutboxItem(itemId).
  function updateOutboxItem(itemId, fields) {
    var items = readOutbox();
    for (var index = 0; index < items.length; index++) {
      if (items[index].k !== itemId) continue;
      if (!fields) items.splice(index, 1);
      else for (var field in fields) {
        if (fields[field] === null) delete items[index][field];
        else items[index][field] = fields[field];
      }
      break;
    }
    writeOutbox(items);
  }

  // Sends what each outbox item still owes the collector: first the response (POST), then
  // its comment (PATCH). A failure that is worth retrying tries again later, backing off.
  function flushOutbox() {
    clearTimeout(retryTimer);
    readOutbox().forEach(sendOutboxItem);
  }

  function sendOutboxItem(item) {
    var itemId = item.k;
    if (sendingOutboxItems[itemId]) return;
    if (item.w && itemId === liveOutboxItemId) return; // its proof of work is still being found
    // A week old: dropped, well inside the collector's replay window (30 days), past
    // which a retry could be stored twice. Items from older widgets are dated now.
    if (!item.a) updateOutboxItem(itemId, { a: Date.now() });
    else if (Date.now() - item.a > OUTBOX_MAX_AGE_MS) return updateOutboxItem(itemId); // removes it

    var sending;
    if (!item.r) {
      sending = callCollector("POST", item, "/v1/responses", item.b, itemId).then(function (reply) {
        updateOutboxItem(itemId, { r: reply.id, t: reply.edit_token || "" });
      });
    } else if (item.p) {
      var patchBody = JSON.stringify(Object.assign({ edit_token: item.t }, item.p));
      var path = "/v1/responses/" + item.r;
      sending = callCollector("PATCH", item, path, patchBody, itemId + "-2").then(function () {
        updateOutboxItem(itemId, { p: null });
      });
    } else {
      // Nothing left to send: gone once finished, or left behind by a closed page.
      if (item.f || itemId !== liveOutboxItemId) updateOutboxItem(itemId); // removes it
      return;
    }

    sendingOutboxItems[itemId] = 1;
    sending.then(function () {
      sendingOutboxItems[itemId] = 0;
      retryDelayMs = FIRST_RETRY_DELAY_MS;
      flushOutbox(); // the item may owe another request (its PATCH)
    }, function (error) {
      sendingOutboxItems[itemId] = 0;
      logError(error);
      if (!worthRetrying(error)) return updateOutboxItem(itemId); // removes it
      retryTimer = setTimeout(flushOutbox, retryDelayMs);
      retryDelayMs = Math.min(retryDelayMs * 2, 60000);
    });
  }

  // ---- Who is asking -------------------------------------------------------------------

  // The person's fields of a request body: the site's user id, or this browser's
  // anonymous id, and what the site told us about them.
  function personFields() {
    var user = settings.user;
    var fields = {};
    if (user.id) fields.user_id = String(user.id);
    else fields.anonymous_id = anonymousId();
    if (user.token) fields.identity_token = user.token;
    if (user.email) fields.email = user.email;
    if (user.properties) fields.properties = user.properties;
    return fields;
  }

  // ---- The eligibility check -----------------------------------------------------------

  // Asks the collector whether to show a survey now, and shows it. `extra` holds the
  // request's other fields: `survey` (tenpoint('show')), `event` (tenpoint('track')), `url`.
  //
  // A quiet period: after an automatic check that no survey could pass on any page, the
  // collector says how long to stop asking ("<until> <person>" in localStorage). It only
  // spares requests: the collector still decides every check that is made.
  function checkEligibility(extra) {
    if (shownSurvey || checkInFlight || !settings.key) return;
    var body = personFields();
    var personId = body.user_id || body.anonymous_id;
    var automatic = !extra.survey && !extra.event;
    var quiet = storage(QUIET_KEY) || "";
    var space = quiet.indexOf(" ");
    if (automatic && quiet.slice(space + 1) === personId && +quiet.slice(0, space) > Date.now()) {
      return; // quiet for this person until then
    }
    var locale = settings.user.locale || browserLanguages();
    if (locale) body.locale = locale;
    body.first_seen_at = firstSeenAt();
    for (var field in extra) body[field] = extra[field];

    checkInFlight = true;
    callCollector("POST", settings, "/v1/eligibility", JSON.stringify(body)).then(function (reply) {
      checkInFlight = false;
      if (automatic && reply.recheck_after) {
        storage(QUIET_KEY, Date.now() + reply.recheck_after * 1e3 + " " + personId);
      }
      if (!reply.eligible || !reply.survey || shownSurvey) return;
      var delayMs = ((reply.survey.show_on || {}).delay_seconds || 0) * 1000;
      var show = guarded(function () {
        if (!shownSurvey) {
          render(reply.survey, reply.display_id, reply.display_token, reply.proof_of_work);
        }
      });
      if (delayMs) setTimeout(show, delayMs);
      else show(); // no extra task when there is no delay
    }).catch(function (error) {
      checkInFlight = false;
      logError(error);
    });
  }

  // ---- Building the survey -------------------------------------------------------------

  // An element: `attributes` become attributes (null ones are skipped; `text` becomes its
  // text), and the truthy `children` are appended.
  function element(tagName, attributes, children) {
    var node = document.createElement(tagName);
    for (var name in attributes) {
      if (attributes[name] == null) continue;
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  // Shows `survey` (the eligibility reply's survey) in a shadow root at the end of <body>.
  function render(survey, displayId, displayToken, proofOfWorkChallenge) {
    var texts = survey.texts; // the survey's own texts
    var strings = survey.strings; // the interface strings of its locale
    var appearance = survey.appearance || {};
    var shownAt = Date.now();
    // The proof of work (a promise) is found while the person reads.
    var proofOfWork = proofOfWorkChallenge && solveProofOfWork(proofOfWorkChallenge);
    var host = element("tenpoint-survey");
    var shadowRoot = host.attachShadow({ mode: "open" });
    var brandColor = appearance.brand_color;
    var canAdoptStyleSheets = "adoptedStyleSheets" in shadowRoot;
    var styleLink = null;
    if (canAdoptStyleSheets) {
      // Styled before it is attached: visible at once, never unstyled. The widget's sheet
      // is built once and shared; a brand color adds a sheet of its own.
      if (!sharedStyleSheet) {
        sharedStyleSheet = new CSSStyleSheet();
        sharedStyleSheet.replaceSync(WIDGET_CSS);
      }
      var styleSheets = [sharedStyleSheet];
      if (brandColor && /^#[0-9a-f]{6}$/i.test(brandColor)) {
        var brandSheet = new CSSStyleSheet();
        brandSheet.replaceSync(":host{--tp-brand:" + brandColor + ";--tp-on-brand:" +
          textColorOn(brandColor) + "}");
        styleSheets.push(brandSheet);
      }
      shadowRoot.adoptedStyleSheets = styleSheets;
    } else {
      styleLink = element("link", { rel: "stylesheet", href: settings.api + "/widget.css",
        nonce: settings.nonce || null });
    }

    var theme = /^(light|dark)$/.test(appearance.theme) ? appearance.theme
      : hostPageIsDark() ? "dark" : "light";
    var dialog = element("div", {
      "class": "tp pos-" + (appearance.position || "bottom-right") + " theme-" + theme,
      role: "dialog",
      "aria-labelledby": "tp-q",
      dir: survey.dir || "ltr",
      lang: survey.locale,
      hidden: canAdoptStyleSheets ? null : ""
    });
    var closeButton = element("button", { type: "button", "class": "x", "aria-label": strings.close,
      text: "\u00d7" });
    var stepContainer = element("div", { "class": "body" });
    var outboxItem = null; // set once the score is confirmed
    var category = "";
    dialog.appendChild(closeButton);
    dialog.appendChild(stepContainer);
    if (styleLink) {
      shadowRoot.appendChild(styleLink);
      // Shown once its stylesheet is in, so the page never sees an unstyled flash.
      styleLink.addEventListener("load", function () {
        dialog.removeAttribute("hidden");
      });
      styleLink.addEventListener("error", function () {
        logError("widget.css failed to load");
        close();
      });
    }
    shadowRoot.appendChild(dialog);
    document.body.appendChild(host);
    shownSurvey = host;

    // A non-modal dialog (WAI-ARIA APG): focus moves in when it appears and goes back to
    // where it was when it closes; Escape closes it wherever focus is, unless the host page
    // already handled that Escape (its own dialog, say).
    var focusedBefore = document.activeElement;
    var onKeyDown = guarded(function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) dismiss();
    });
    document.addEventListener("keydown", onKeyDown);

    function close() {
      if (outboxItem) {
        updateOutboxItem(outboxItem.k, { f: 1 });
        flushOutbox();
      }
      if (shownSurvey === host) shownSurvey = null;
      document.removeEventListener("keydown", onKeyDown);
      var focusWasInside = document.activeElement === host;
      host.remove();
      if (focusWasInside && focusedBefore) focusedBefore.focus();
    }

    // Closed by the person (× or Escape). Before a score, that is a decline.
    function dismiss() {
      if (!outboxItem) {
        // The eligibility engine throttles this person after a decline.
        if (displayId) {
          callCollector("POST", settings, "/v1/declines", JSON.stringify({ display_id: displayId }),
            randomId()).catch(logError);
        }
        emit("dismiss", { survey: survey.key });
      }
      close();
    }
    closeButton.addEventListener("click", guarded(dismiss));

    function showStep(children, focusTarget) {
      stepContainer.textContent = "";
      children.forEach(function (child) {
        if (child) stepContainer.appendChild(child);
      });
      if (focusTarget) focusTarget.focus();
    }

    // Step 1: the score, a native radio group (arrow keys for free); a pointer click or
    // Enter confirms it, and it is posted at once so a skipped follow-up never loses it.
    var submitButton = element("button", { type: "submit", "class": "send", disabled: "",
      text: strings.submit });
    // A honeypot: hidden from people, filled in by some bots (sent as a signal).
    var honeypot = element("input", { name: "website", hidden: "", tabindex: "-1",
      autocomplete: "off" });
    var scale = element("div", { "class": "scale" });
    var chosenScore = null;
    for (var score = 0; score <= 10; score++) {
      // One radio per score; the two ends are described by their labels.
      scale.appendChild(element("label", { "class": "s" }, [
        element("input", { type: "radio", name: "score", value: score,
          "aria-describedby": score === 0 ? "tp-lo" : score === 10 ? "tp-hi" : null }),
        element("span", { text: score })
      ]));
    }
    var scoreForm = element("form", { "class": "score" }, [
      element("fieldset", { role: "radiogroup", "aria-labelledby": "tp-q" }, [
        element("legend", { "class": "q", id: "tp-q", text: texts.question }),
        scale,
        element("div", { "class": "ends", "aria-hidden": "true" }, [
          element("span", { id: "tp-lo", text: texts.low_label || strings.low_label }),
          element("span", { id: "tp-hi", text: texts.high_label || strings.high_label })
        ])
      ]),
      honeypot,
      submitButton
    ]);
    scale.addEventListener("change", function (event) {
      chosenScore = +event.target.value;
      submitButton.removeAttribute("disabled");
    });
    scale.addEventListener("click", guarded(function (event) {
      // detail > 0: a pointer click, not the click arrow keys fire on a radio.
      if (event.detail > 0 && event.target.name === "score") confirmScore(+event.target.value);
    }));
    scale.addEventListener("keydown", guarded(function (event) {
      if (event.key === "Enter" && chosenScore !== null) {
        event.preventDefault();
        confirmScore(chosenScore);
      }
    }));
    scoreForm.addEventListener("submit", guarded(function (event) {
      event.preventDefault();
      if (chosenScore !== null) confirmScore(chosenScore);
    }));
    // Not while the visitor types in a field of the host page: focus stays there (the survey
    // waits at the end of the page's tab order, and Escape still closes it).
    var visitorIsTyping = focusedBefore &&
      (/^(INPUT|TEXTAREA|SELECT)$/.test(focusedBefore.tagName) || focusedBefore.isContentEditable);
    showStep([scoreForm], visitorIsTyping ? null : scale.querySelector("input"));
    emit("show", { survey: survey.key });

    // The score is final: into the outbox (and sent) at once, then the follow-up.
    function confirmScore(score) {
      if (outboxItem) return;
      category = scoreCategory(score);
      var response = personFields();
      response.survey = survey.key;
      response.score = score;
      response.channel = "in_app";
      response.locale = survey.locale;
      if (displayId) response.display_id = displayId;
      // The display's token goes back with the answer: the collector checks it was shown
      // to this visitor, once, and times the answer from it (docs/protection.md).
      if (displayToken) response.display_token = displayToken;
      response.signals = {
        webdriver: !!navigator.webdriver,
        elapsed_ms: Date.now() - shownAt,
        honeypot: honeypot.value
      };
      outboxItem = { k: randomId(), a: Date.now(), api: settings.api, key: settings.key,
        b: JSON.stringify(response) };
      liveOutboxItemId = outboxItem.k;
      if (proofOfWork) {
        // In the outbox at once, so a closed page never loses the score; sent once solved.
        outboxItem.w = 1;
        proofOfWork.then(function (solution) {
          if (solution) response.proof_of_work = solution;
          updateOutboxItem(outboxItem.k, { b: JSON.stringify(response), w: null });
          flushOutbox();
        });
      }
      writeOutbox(readOutbox().concat([outboxItem]));
      flushOutbox();
      emit("response", { survey: survey.key, score: score, category: category });
      showFollowUp();
    }

    // Step 2: the follow-up question for the category, and the optional second question.
    function showFollowUp() {
      var comment = element("textarea", { id: "tp-c", maxlength: "5000", rows: "3" });
      var secondAnswer = null;
      var question = (texts.follow_up || {})[category] || strings.comment_placeholder;
      var children = [element("label", { "class": "q", "for": "tp-c", id: "tp-q", text: question }),
        comment];
      if (texts.second_question) {
        secondAnswer = element("textarea", { id: "tp-c2", maxlength: "5000", rows: "2" });
        children.push(element("label", { "class": "q2", "for": "tp-c2",
          text: texts.second_question }), secondAnswer);
      }
      var skipButton = element("button", { type: "button", "class": "skip", text: strings.skip });
      children.push(element("div", { "class": "row" }, [skipButton,
        element("button", { type: "submit", "class": "send", text: strings.submit })]));
      var followUpForm = element("form", { "class": "more" }, children);
      skipButton.addEventListener("click", guarded(showThanks));
      followUpForm.addEventListener("submit", guarded(function (event) {
        event.preventDefault();
        var patch = {};
        if (comment.value.trim()) patch.comment = comment.value.trim();
        if (secondAnswer && secondAnswer.value.trim()) {
          patch.answers = { second: secondAnswer.value.trim() };
        }
        if (patch.comment || patch.answers) updateOutboxItem(outboxItem.k, { p: patch });
        showThanks();
      }));
      showStep([followUpForm], comment);
    }

    // Step 3: thanks, which may differ by category (promoters: a link to review or refer).
    function showThanks() {
      updateOutboxItem(outboxItem.k, { f: 1 });
      flushOutbox();
      var message = element("p", { "class": "q", id: "tp-q", role: "status", tabindex: "-1",
        text: (texts.thank_you || {})[category] || strings.thank_you });
      var promoterLink = category === "promoter" && texts.promoter_link_url
        ? element("a", { href: texts.promoter_link_url, target: "_blank", rel: "noopener",
          text: texts.promoter_link_label || texts.promoter_link_url })
        : null;
      showStep([message, promoterLink], message);
      // A link stays until used or closed; plain thanks close by themselves.
      if (!promoterLink) setTimeout(close, 6000);
    }
  }

  // ---- The public API ------------------------------------------------------------------

  var commands = {
    init: function (options) {
      options = options || {};
      if (options.siteKey) settings.key = options.siteKey;
      if (options.api) settings.api = options.api;
      if (options.nonce) settings.nonce = options.nonce;
      if (options.auto === false) settings.auto = false;
      if (options.user) settings.user = options.user;
    },
    show: function (surveyKey) {
      checkEligibility({ survey: surveyKey });
    },
    track: function (eventName) {
      checkEligibility({ event: String(eventName), url: location.href });
    },
    // Forget the person (a sign-out): ids, quiet period and first-seen time.
    reset: function () {
      settings.user = {};
      storage(ANONYMOUS_ID_KEY, null);
      storage(QUIET_KEY, null);
      storage(FIRST_SEEN_KEY, null);
      if (shownSurvey) {
        shownSurvey.remove();
        shownSurvey = null;
      }
    },
    on: function (eventName, handler) {
      if (!eventHandlers[eventName] || typeof handler !== "function") {
        throw new Error("unknown event " + eventName);
      }
      eventHandlers[eventName].push(handler);
    }
  };

  function tenpoint(command) {
    if (!commands[command]) return logError("unknown command " + command);
    return guarded(commands[command]).apply(null, Array.prototype.slice.call(arguments, 1));
  }
  tenpoint.loaded = true;
  window.tenpoint = tenpoint;

  // Start: replay the calls queued by the snippet, then show the survey the tag names or
  // make the automatic check, and send whatever an earlier page left in the outbox.
  guarded(function () {
    var queuedCalls = (snippetStub && snippetStub.q) || [];
    for (var index = 0; index < queuedCalls.length; index++) {
      tenpoint.apply(null, queuedCalls[index]);
    }
    if (scriptAttribute("survey")) commands.show(scriptAttribute("survey"));
    else if (settings.auto && settings.key) checkEligibility({ url: location.href });
    window.addEventListener("online", flushOutbox);
    flushOutbox();
  })();
})(window, document);
