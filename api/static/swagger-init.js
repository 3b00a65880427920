/* Mandaat: starts Swagger UI on /docs. A file of its own, not an inline script: the Content-Security-Policy
   of every answer allows only this site's own script files. The page gives the OpenAPI document's address
   and Swagger UI's settings in data attributes of #swagger-ui. */
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var settings = JSON.parse(root.getAttribute("data-parameters") || "{}");
  settings.url = root.getAttribute("data-openapi-url");
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = window.SwaggerUIBundle(settings);
})();
