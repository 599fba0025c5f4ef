// Progressive enhancement for email drafts: "Copy" buttons, and an "Open in my email app"
// link that follows the student's edits. Without this file the buttons stay hidden, the text
// can be selected and copied by hand, and the link opens the draft as Rapport wrote it.
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

  // The same address as contacts.drafts.Draft.mailto builds on the server; a subject is one
  // line whatever was typed into it.
  function mailto(to, subject, body) {
    return "mailto:" + encodeURIComponent(to).replace(/%40/g, "@") +
      "?subject=" + encodeURIComponent(subject.replace(/[\r\n]+/g, " ")) +
      "&body=" + encodeURIComponent(body);
  }

  function followEdits(root) {
    root.querySelectorAll("a[data-mailto-subject]").forEach(function (link) {
      if (link.dataset.mailtoReady) return;
      var subject = document.getElementById(link.dataset.mailtoSubject);
      var body = document.getElementById(link.dataset.mailtoBody);
      if (!subject || !body) return;
      link.dataset.mailtoReady = "1";
      var update = function () {
        link.href = mailto(link.dataset.mailtoTo || "", subject.value, body.value);
      };
      subject.addEventListener("input", update);
      body.addEventListener("input", update);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
    followEdits(document);
  });
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
    followEdits(event.target);
  });
})();
