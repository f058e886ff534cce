// The API reference: Swagger UI (the swagger-ui-bundle package, served by the collector, no
// CDN) on the collector's own OpenAPI document. No inline script, so the page's CSP needs
// no 'unsafe-inline' (collector/pages/views.py).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    docExpansion: "list",          // every operation listed, grouped by tag: a table of contents
    defaultModelsExpandDepth: 1,   // the Schemas section open
    defaultModelExpandDepth: 4,    // request and response bodies shown expanded, not as a name
    defaultModelRendering: "model",
    displayRequestDuration: true,
    filter: true,
    operationsSorter: "alpha",
    tagsSorter: "alpha",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
