// The host page's own script: the queue stub, then a call to show the survey.
(function () {
  var survey = document.currentScript.getAttribute("data-survey");
  window.tenpoint = window.tenpoint || function () { (window.tenpoint.q = window.tenpoint.q || []).push(arguments); };
  window.tenpoint("show", survey);
  document.getElementById("ask").addEventListener("click", function () { window.tenpoint("show", survey); });
})();
