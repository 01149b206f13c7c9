// Forms: the error summary (issue 11, item 19). A static file, not inline script: the pages are
// served with a strict Content-Security-Policy.
//  - Focus moves to the summary when the page loads, so keyboard and screen-reader users meet the
//    problems first (the autofocus attribute does it too; this covers browsers that ignore it on a
//    <div>).
//  - A link in the summary focuses its field (or the first control inside the target), rather than
//    only scrolling to it, and keeps the field's label in view.
(function () {
  "use strict";

  function focusTarget(target) {
    var control = target.matches("input, select, textarea, button")
      ? target
      : target.closest(".form-field, fieldset, li") &&
        target.closest(".form-field, fieldset, li").querySelector("input:not([type=hidden]), select, textarea");
    var focusable = control || target;
    if (!control && !focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    var label = control && control.id ? document.querySelector('label[for="' + control.id + '"]') : null;
    (label || focusable).scrollIntoView({ block: "center" });
    focusable.focus({ preventScroll: true });
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    if (document.activeElement !== summary) summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) return;
      var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!target) return;
      event.preventDefault();
      focusTarget(target);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
