// Trainings: the QR scanner of the check-in page, "pick all" on the registry list, and the
// card's print button. The camera reads codes with the browser's own BarcodeDetector; where there
// is none, the scanner stays hidden and staff type the code under the QR code.
(function () {
  "use strict";

  function setUpScanner() {
    var box = document.querySelector("[data-scanner]");
    var form = document.querySelector("[data-code-form]");
    if (!box || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
      return;
    }
    var start = box.querySelector("[data-scan-start]");
    var video = box.querySelector("[data-scan-video]");
    var input = form.querySelector("input[name=code]");
    var detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      return;
    }
    box.hidden = false;
    var unsupported = document.querySelector("[data-scan-unsupported]");
    if (unsupported) {
      unsupported.hidden = true;
    }
    start.addEventListener("click", function () {
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          start.hidden = true;
          return video.play().then(function () {
            scan(stream);
          });
        })
        .catch(function () {
          if (unsupported) {
            unsupported.hidden = false;
          }
        });
    });

    function scan(stream) {
      detector
        .detect(video)
        .then(function (codes) {
          if (codes.length && codes[0].rawValue) {
            stream.getTracks().forEach(function (track) {
              track.stop();
            });
            input.value = codes[0].rawValue;
            form.submit();
            return;
          }
          window.setTimeout(function () {
            scan(stream);
          }, 250);
        })
        .catch(function () {
          window.setTimeout(function () {
            scan(stream);
          }, 500);
        });
    }
  }

  function setUpPickAll() {
    var all = document.querySelector("[data-pick-all]");
    if (!all) {
      return;
    }
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=producer]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }

  function setUpPrint() {
    var button = document.querySelector("[data-print]");
    if (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    }
  }

  setUpScanner();
  setUpPickAll();
  setUpPrint();
})();
