/* Progressive enhancement for /s/<token>: a click on a score sends it at once, and an email's
 * preselected score is confirmed once the page is really visible (a mail scanner's GET
 * records nothing; without JavaScript the person presses Send). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-score-form]");
  if (!form) return;
  var sent = false, work = form.getAttribute("data-pow"), done = !work, ready = null;
  // Proof of work (an ALTCHA challenge, when the survey asks for it): found while the person
  // reads; the form is sent once it is. Without crypto.subtle it is sent without one and the
  // collector holds the answer for review.
  function hex(a) { return Array.prototype.map.call(a, function (x) { return (x + 256).toString(16).slice(1); }).join(""); }
  function solve(c) {
    var n = 0, enc = new TextEncoder();
    function one(k) {
      return crypto.subtle.digest("SHA-256", enc.encode(c.salt + k)).then(function (x) {
        return hex(new Uint8Array(x)) === c.challenge ? btoa(JSON.stringify({ algorithm: c.algorithm,
          challenge: c.challenge, number: k, salt: c.salt, signature: c.signature })) : "";
      });
    }
    function batch() {
      var tries = [];
      for (var i = 0; i < 64 && n <= c.maxNumber; i++) tries.push(one(n++));
      return tries.length ? Promise.all(tries).then(function (r) { return r.join("") || batch(); }) : "";
    }
    return Promise.resolve().then(batch).catch(function () { return ""; });
  }
  if (work) {
    ready = solve(JSON.parse(work)).then(function (p) {
      form.querySelector("input[name=proof]").value = p;
      done = true;
    });
  }
  function send() {
    if (sent) return;
    sent = true;
    if (done) form.submit(); else ready.then(function () { form.submit(); });
  }
  form.addEventListener("click", function (e) {
    if (e.target.name === "score" && e.detail > 0) send();
  });
  form.addEventListener("submit", function (e) {
    if (done) { sent = true; return; }
    e.preventDefault();
    send();
  });
  if (!form.hasAttribute("data-preselected")) return;
  function whenVisible() {
    if (document.visibilityState === "visible") setTimeout(send, 300);
    else document.addEventListener("visibilitychange", whenVisible, { once: true });
  }
  whenVisible();
})();
