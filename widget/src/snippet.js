/* The Tenpoint snippet: paste it in the page's <head> (or load it as your own script).
 * It defines the one global `tenpoint` as a stub that queues calls, then loads the widget
 * asynchronously; the widget replays the queue. Replace COLLECTOR and SITE_KEY.
 * crossOrigin: fetched without credentials like the widget's own requests, the script's
 * connection is reused for the eligibility call (no second TCP and TLS handshake). */
!function (w, d, u, k) {
  if (w.tenpoint) return;
  var t = w.tenpoint = function () { t.q.push(arguments); };
  t.q = [];
  t("init", { siteKey: k });
  var s = d.createElement("script");
  s.async = true;
  s.crossOrigin = "anonymous";
  s.src = u + "/widget.js";
  d.head.appendChild(s);
}(window, document, "https://COLLECTOR", "SITE_KEY");
