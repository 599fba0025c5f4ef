/* console: behaviour for this area; no inline scripts or on* attributes anywhere (CSP). */
/* Dashboard filters: typing a date switches the period to "Custom dates" (without JS, the
   help text says to choose it), and choosing a preset clears the dates. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("#dashboard-filters");
    if (!form || !form.elements.preset) return;
    var name = event.target.name;
    if ((name === "start" || name === "end") && event.target.value) {
      form.elements.preset.value = "custom";
    } else if (name === "preset" && event.target.value !== "custom") {
      form.elements.start.value = "";
      form.elements.end.value = "";
    }
  });
})();
