// Starts Swagger UI on /docs (a file, not an inline script, so the page's CSP can forbid those).
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,  // the default badge asks swagger.io to validate the schema
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
