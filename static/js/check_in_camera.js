/* Check-in at the door with the phone's camera (templates/events/check_in.html). Each QR code
   the camera reads is posted to the scan endpoint, which checks its person in and answers one
   line for the list of scans (and the counts, out of band). The section stays hidden where the
   browser cannot use a camera: the page works as before. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  var section = document.getElementById("check-in-camera");
  if (!section || !window.htmx) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;

  // A code seen again within this long is the same scan: a QR held in front of the camera is
  // one check-in, however many frames show it. It counts again once out of view this long.
  var REPEAT_MS = 3000;
  var KEEP = 5; // scans listed, newest first
  var LOOK_EVERY_MS = 200;
  var nonce = document.currentScript ? document.currentScript.nonce : "";

  var button = document.getElementById("camera-toggle");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var results = document.getElementById("scan-results");
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;
  var decode = null;
  var looking = false;
  var last = { code: "", seen: 0 };
  var sending = Promise.resolve();

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

  // --- Decoders: the browser's own where it reads QR codes, else the vendored jsQR ----------

  function barcodeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        if (formats.indexOf("qr_code") === -1) return null;
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      })
      .catch(function () {
        return null;
      });
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = section.dataset.jsqrSrc;
      script.nonce = nonce;
      script.addEventListener("load", resolve);
      script.addEventListener("error", function () {
        reject(new Error("The QR reader could not be loaded."));
      });
      document.head.appendChild(script);
    });
  }

  function jsQRDecoder() {
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return loadJsQR().then(function () {
      return function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) return Promise.resolve(null);
        var scale = Math.min(1, 800 / Math.max(width, height));
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var found = window.jsQR(image.data, image.width, image.height, {
          inversionAttempts: "dontInvert",
        });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function chooseDecoder() {
    return barcodeDetector().then(function (detect) {
      if (detect) {
        section.dataset.decoder = "barcode-detector";
        return detect;
      }
      return jsQRDecoder().then(function (detectWithJsQR) {
        section.dataset.decoder = "jsqr";
        return detectWithJsQR;
      });
    });
  }

  // --- The camera ----------------------------------------------------------------------------

  function look() {
    if (looking || !stream || !decode || video.readyState < 2) return;
    looking = true;
    decode()
      .then(function (text) {
        if (text) seen(text);
      })
      .catch(function () {})
      .then(function () {
        looking = false;
      });
  }

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
    window.clearInterval(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    button.textContent = "Scan with camera";
    button.disabled = false;
  }

  function start() {
    button.disabled = true;
    say("Starting the camera…");
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (camera) {
        stream = camera;
        video.srcObject = camera;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        return decode || chooseDecoder();
      })
      .then(function (decoder) {
        decode = decoder;
        timer = window.setInterval(look, LOOK_EVERY_MS);
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
    if (stream) {
      stop();
      say("Camera stopped.");
    } else {
      start();
    }
  });
  // A phone put in a pocket, or another tab: let go of the camera.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && stream) {
      stop();
      say("Camera stopped while the page was hidden: scan with camera to start again.");
    }
  });
})();
