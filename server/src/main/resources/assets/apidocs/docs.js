// Points Swagger UI at every document /openapi lists, with a selector in its top bar;
// ?doc=<name> opens that one first (e.g. /docs/api/?doc=agentgate).
(function () {
  "use strict";
  fetch("/openapi", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (index) {
      var urls = index.documents.map(function (d) { return { url: d.url, name: d.title }; });
      var wanted = new URLSearchParams(window.location.search).get("doc");
      var first = index.documents.find(function (d) { return d.name === wanted; });
      window.ui = SwaggerUIBundle({
        urls: urls,
        "urls.primaryName": first ? first.title : urls[0].name,
        dom_id: "#swagger-ui",
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
        persistAuthorization: true
      });
    });
})();
