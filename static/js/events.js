/* events: behaviour for this area; no inline scripts or on* attributes anywhere (CSP). */
(function () {
  "use strict";
  // Check-in at the door: after one person is checked in, the cursor goes back to where the
  // next name (or the next scan) will be typed, with the old text selected.
  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (!source || !source.closest || !source.closest(".ev-check-row")) return;
    var field =
      document.querySelector("#check-in-code input[autofocus]") ||
      document.querySelector("#check-in-search input[name=q]");
    if (field) {
      field.focus();
      field.select();
    }
  });
})();
