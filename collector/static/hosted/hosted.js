/* Progressive enhancement for /s/<token>: a click on a score sends it at once, and an email's
 * preselected score is confirmed once the page is really visible (a mail scanner's GET
 * records nothing; without JavaScript the person presses Send). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-score-form]");
  if (!form) return;
  var sent = false;
  function send() {
    if (sent) return;
    sent = true;
    form.submit();
  }
  form.addEventListener("click", function (e) {
    if (e.target.name === "score" && e.detail > 0) send();
  });
  form.addEventListener("submit", function () { sent = true; });
  if (!form.hasAttribute("data-preselected")) return;
  function whenVisible() {
    if (document.visibilityState === "visible") setTimeout(send, 300);
    else document.addEventListener("visibilitychange", whenVisible, { once: true });
  }
  whenVisible();
})();
