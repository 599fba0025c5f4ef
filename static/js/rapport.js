// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Offer the browser's zone while the page still shows the one it came with: a zone the
  // person picked before this script ran (a slow page) is theirs and stays.
  function detectTimeZone() {
    document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
      if (select.dataset.touched) return;
      var shown = 0;
      for (var j = 0; j < select.options.length; j++) {
        if (select.options[j].defaultSelected) shown = j;
      }
      if (select.selectedIndex !== shown) return;
      var zone;
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch (e) {
        return;
      }
      if (!zone) return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) {
          select.value = zone;
          break;
        }
      }
      select.addEventListener("change", function () { select.dataset.touched = "1"; });
    });
  }

  // On sign-up, the "connection to the school" question only concerns volunteers.
  function toggleVolunteerFields() {
    var radios = document.querySelectorAll('input[name="role"]');
    var affiliation = document.getElementById("id_affiliation");
    if (!radios.length || !affiliation) return;
    var group = affiliation.closest("p, div") || affiliation.parentElement;
    function update() {
      var checked = document.querySelector('input[name="role"]:checked');
      var show = !checked || checked.value === "volunteer";
      group.hidden = !show;
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    detectTimeZone();
    toggleVolunteerFields();
  });
})();
