// Progressive enhancement for email drafts: "Copy" buttons. Without this file the buttons
// stay hidden and the text can be selected and copied by hand from its read-only box.
(function () {
  "use strict";

  function copyWithSelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(
        function () { return true; },
        function () { return copyWithSelection(field); }
      );
    }
    return Promise.resolve(copyWithSelection(field));
  }

  function setUp(root) {
    root.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) return;
      var field = document.getElementById(button.dataset.copyTarget);
      if (!field) return;
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var status = document.getElementById(button.dataset.copyStatus || "");
        copy(field).then(function (ok) {
          if (!status) return;
          var label = document.querySelector('label[for="' + field.id + '"]');
          var what = label ? label.textContent.trim().toLowerCase() : "text";
          status.textContent = ok
            ? "Copied the " + what + ". Paste it into your email."
            : "Could not copy automatically: the " + what + " is selected, press Ctrl+C or ⌘C.";
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
