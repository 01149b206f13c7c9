// The open-data API's interactive docs (/api/docs): Swagger UI over /api/openapi.json. A file of
// its own because the CSP admits no inline script; the spec's address comes from the page.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    domNode: target,
    deepLinking: false,
    // read-only API: no "Try it out" for other methods, and no validator badge calling out
    supportedSubmitMethods: ["get"],
    validatorUrl: null,
  });
});
