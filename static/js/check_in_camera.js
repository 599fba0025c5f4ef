/* Check-in at the door with the phone's camera (templates/events/check_in.html). Each QR code
   the camera reads is posted to the scan endpoint, which checks its person in and answers one
   line for the list of scans (and the counts, out of band). The camera and the decoders are
   static/js/qr_camera.js. The section stays hidden where the browser cannot use a camera: the
   page works as before. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  var section = document.getElementById("check-in-camera");
  if (!section || !window.htmx || !window.RapportQrCamera) return;
  if (!window.RapportQrCamera.supported()) return;

  // A code seen again within this long is the same scan: a QR held in front of the camera is
  // one check-in, however many frames show it. It counts again once out of view this long.
  var REPEAT_MS = 3000;
  var KEEP = 5; // scans listed, newest first

  var button = document.getElementById("camera-toggle");
  var status = document.getElementById("camera-status");
  var results = document.getElementById("scan-results");
  var last = { code: "", seen: 0 };
  var sending = Promise.resolve();
  var camera = window.RapportQrCamera.create({
    video: document.getElementById("camera-video"),
    jsqrSrc: section.dataset.jsqrSrc,
    onText: seen,
  });

  section.hidden = false;

  function say(text) {
    status.textContent = text;
  }

  // The attendee's QR holds the check-in page's URL with ?code=...; a hardware-printed or
  // typed code may be bare.
  function codeOf(text) {
    text = (text || "").trim();
    try {
      return new URL(text).searchParams.get("code") || text;
    } catch (notAUrl) {
      return text;
    }
  }

  function trim() {
    while (results.children.length > KEEP) results.removeChild(results.lastElementChild);
  }

  function addLine(text) {
    var line = document.createElement("li");
    line.className = "ev-scan ev-scan-unknown";
    line.textContent = text;
    results.insertBefore(line, results.firstChild);
    trim();
  }

  function send(code) {
    sending = sending
      .then(function () {
        return window.htmx.ajax("POST", section.dataset.scanUrl, {
          source: section,
          target: results,
          swap: "afterbegin",
          values: { code: code },
        });
      })
      .then(trim, trim);
  }

  function seen(text) {
    var code = codeOf(text);
    if (!code) return;
    var now = Date.now();
    var repeat = code === last.code && now - last.seen < REPEAT_MS;
    last = { code: code, seen: now };
    if (!repeat) send(code);
  }

  section.addEventListener("htmx:responseError", function () {
    addLine("That scan was not saved (the server refused it): reload the page and try again.");
  });
  section.addEventListener("htmx:sendError", function () {
    addLine("That scan was not sent: check the connection and scan again.");
  });

  function explain(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The camera is not allowed for this site: allow it in the browser's settings, or search by name below.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No camera was found: search by name or type the code below.";
    }
    if (name === "NotReadableError") {
      return "The camera is busy in another app: close it and try again.";
    }
    return (error && error.message) || "The camera could not start: search by name below.";
  }

  function stop() {
    camera.stop();
    button.textContent = "Scan with camera";
    button.disabled = false;
  }

  function start() {
    button.disabled = true;
    say("Starting the camera…");
    camera
      .start()
      .then(function (decoder) {
        section.dataset.decoder = decoder;
        button.textContent = "Stop the camera";
        button.disabled = false;
        say("Hold each attendee's QR code in front of the camera: it checks them in.");
      })
      .catch(function (error) {
        stop();
        say(explain(error));
      });
  }

  button.addEventListener("click", function () {
    if (camera.running()) {
      stop();
      say("Camera stopped.");
    } else {
      start();
    }
  });
  // A phone put in a pocket, or another tab: let go of the camera.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && camera.running()) {
      stop();
      say("Camera stopped while the page was hidden: scan with camera to start again.");
    }
  });
})();
