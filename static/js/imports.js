/* imports: behaviour for this area; no inline scripts or on* attributes anywhere (CSP).
   With htmx each row's choice is saved as soon as it changes, so the page-wide
   "Save the choices on this page" button (kept for pages without JavaScript) is hidden. */
(function () {
  "use strict";
  function hideSaveButtons() {
    if (!window.htmx) return;
    document.querySelectorAll(".import-save-page").forEach(function (el) {
      el.hidden = true;
    });
  }
  document.addEventListener("DOMContentLoaded", hideSaveButtons);
})();
