/* Reading QR codes with the phone's camera, for the door's check-in (check_in_camera.js) and
   "People I met" (met_capture.js): the browser's own BarcodeDetector where it reads QR codes,
   else the vendored jsQR (static/vendor/jsqr/), loaded on first use with this page's nonce.
   window.RapportQrCamera.create({video, jsqrSrc, onText}) gives a camera to start() and stop();
   onText gets the text of every frame that shows a code, so the caller decides what a repeat
   is. No inline scripts anywhere (CSP). */
(function () {
  "use strict";
  var LOOK_EVERY_MS = 200;
  var nonce = document.currentScript ? document.currentScript.nonce : "";

  function supported() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  // --- Decoders: the browser's own where it reads QR codes, else the vendored jsQR ----------

  function barcodeDetector(video) {
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

  var jsQRLoaded = null;

  function loadJsQR(src) {
    if (window.jsQR) return Promise.resolve();
    if (!jsQRLoaded) {
      jsQRLoaded = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.nonce = nonce;
        script.addEventListener("load", resolve);
        script.addEventListener("error", function () {
          jsQRLoaded = null;
          reject(new Error("The QR reader could not be loaded."));
        });
        document.head.appendChild(script);
      });
    }
    return jsQRLoaded;
  }

  function jsQRDecoder(video, src) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return loadJsQR(src).then(function () {
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

  // --- The camera ----------------------------------------------------------------------------

  function QrCamera(options) {
    this.video = options.video;
    this.jsqrSrc = options.jsqrSrc;
    this.onText = options.onText;
    this.stream = null;
    this.timer = null;
    this.decode = null;
    this.decoder = "";
    this.looking = false;
  }

  QrCamera.prototype.running = function () {
    return this.stream !== null;
  };

  QrCamera.prototype.chooseDecoder = function () {
    var camera = this;
    if (camera.decode) return Promise.resolve(camera.decode);
    return barcodeDetector(camera.video)
      .then(function (detect) {
        if (detect) {
          camera.decoder = "barcode-detector";
          return detect;
        }
        return jsQRDecoder(camera.video, camera.jsqrSrc).then(function (detectWithJsQR) {
          camera.decoder = "jsqr";
          return detectWithJsQR;
        });
      })
      .then(function (decode) {
        camera.decode = decode;
        return decode;
      });
  };

  QrCamera.prototype.look = function () {
    var camera = this;
    if (camera.looking || !camera.stream || !camera.decode || camera.video.readyState < 2) return;
    camera.looking = true;
    camera
      .decode()
      .then(function (text) {
        if (text && camera.stream) camera.onText(text);
      })
      .catch(function () {})
      .then(function () {
        camera.looking = false;
      });
  };

  // Resolves with the decoder's name once the camera is looking; rejects with getUserMedia's
  // error (NotAllowedError, NotFoundError...) after letting go of the camera.
  QrCamera.prototype.start = function () {
    var camera = this;
    return navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        camera.stream = stream;
        camera.video.srcObject = stream;
        camera.video.hidden = false;
        return camera.video.play();
      })
      .then(function () {
        return camera.chooseDecoder();
      })
      .then(function () {
        camera.timer = window.setInterval(function () {
          camera.look();
        }, LOOK_EVERY_MS);
        return camera.decoder;
      })
      .catch(function (error) {
        camera.stop();
        throw error;
      });
  };

  QrCamera.prototype.stop = function () {
    window.clearInterval(this.timer);
    this.timer = null;
    if (this.stream) {
      this.stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    this.stream = null;
    this.video.srcObject = null;
    this.video.hidden = true;
  };

  window.RapportQrCamera = {
    supported: supported,
    create: function (options) {
      return new QrCamera(options);
    },
  };
})();
