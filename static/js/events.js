// Trainings and events: the QR scanner of the check-in page, "pick all" on the registry list,
// and the card's print button. The camera's frames are drawn on a canvas and read by the
// browser's own BarcodeDetector where there is one (Chrome on Android), else by jsQR
// (static/vendor/jsQR.js: desktop Linux, iOS Safari, Firefox). A code read is put in the code
// form and submitted, so it takes the typed code's path, offline queue included.
(function () {
  "use strict";

  var SCAN_EVERY_MS = 250;
  var FRAME_WIDTH = 640; // enough for a card held near the phone; jsQR's time grows with pixels

  function setUpScanner() {
    var box = document.querySelector("[data-scanner]");
    var form = document.querySelector("[data-code-form]");
    var offline = document.querySelector("[data-offline]");
    var media = navigator.mediaDevices;
    if (!box || !form || !media || !media.getUserMedia) {
      return;
    }
    var detector = null;
    if ("BarcodeDetector" in window) {
      try {
        detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch (error) {
        detector = null;
      }
    }
    if (!detector && typeof window.jsQR !== "function") {
      return;
    }
    var start = box.querySelector("[data-scan-start]");
    var video = box.querySelector("[data-scan-video]");
    var refused = box.querySelector("[data-scan-refused]");
    var input = form.querySelector("input[name=code]");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    // After a code is sent the page reloads with its answer; the camera opens again by itself
    // and skips the card still held before it (the server would refuse it as a duplicate).
    var memory = "niryat-scanning-" + (offline ? offline.dataset.session : "");
    var last = window.sessionStorage.getItem(memory);
    var leaving = false;
    box.hidden = false;
    var unsupported = document.querySelector("[data-scan-unsupported]");
    if (unsupported) {
      unsupported.hidden = true;
    }

    function open() {
      refused.hidden = true;
      media
        .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          start.hidden = true;
          return video.play().then(function () {
            window.setTimeout(scan, SCAN_EVERY_MS);
          });
        })
        .catch(function () {
          window.sessionStorage.removeItem(memory);
          start.hidden = false;
          refused.hidden = false;
        });
    }

    function read() {
      var scale = Math.min(1, FRAME_WIDTH / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      if (detector) {
        return detector.detect(canvas).then(function (codes) {
          return codes.length ? codes[0].rawValue : "";
        });
      }
      var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(pixels.data, pixels.width, pixels.height, {
        inversionAttempts: "dontInvert",
      });
      return Promise.resolve(found ? found.data : "");
    }

    function scan() {
      if (!video.videoWidth) {
        window.setTimeout(scan, SCAN_EVERY_MS);
        return;
      }
      Promise.resolve()
        .then(read)
        .then(function (code) {
          if (code && code !== last) {
            last = code;
            send(code);
          }
          if (!leaving) {
            window.setTimeout(scan, SCAN_EVERY_MS);
          }
        })
        .catch(function () {
          // This browser's detector could not read the frame: jsQR reads from now on.
          detector = null;
          if (typeof window.jsQR === "function") {
            window.setTimeout(scan, SCAN_EVERY_MS);
          }
        });
    }

    function send(code) {
      window.sessionStorage.setItem(memory, code);
      // Online, the form's answer replaces this page: read no other card meanwhile. Offline,
      // the code is queued on the phone and the camera reads on.
      leaving = navigator.onLine;
      input.value = code;
      // requestSubmit, not submit: the offline queue sees it like a typed code.
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    start.addEventListener("click", function () {
      last = null;
      open();
    });
    // Left by a link or the back button, the page does not open the camera when it comes back.
    window.addEventListener("pagehide", function () {
      if (!leaving) {
        window.sessionStorage.removeItem(memory);
      }
    });
    if (last !== null) {
      open();
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

  // Offline check-in: while the phone has no network, a typed or scanned code and a ticked
  // name are kept in localStorage (per session) instead of being posted; when the network comes
  // back they are sent one by one. The server refuses a duplicate, so a queue sent twice (two
  // tabs, a reload mid-sync) still records each person once.
  function setUpOfflineQueue() {
    var box = document.querySelector("[data-offline]");
    if (!box || !window.localStorage || !window.fetch) {
      return;
    }
    var key = "niryat-check-ins-" + box.dataset.session;
    var status = box.querySelector("[data-offline-status]");
    var results = box.querySelector("[data-offline-results]");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var sending = false;

    function load() {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "[]");
      } catch (error) {
        return [];
      }
    }
    function store(queue) {
      window.localStorage.setItem(key, JSON.stringify(queue));
    }
    function show() {
      var queue = load();
      if (queue.length) {
        status.textContent = box.dataset.queuedText + " " + queue.length;
        status.hidden = false;
      } else if (!navigator.onLine) {
        status.textContent = box.dataset.offlineText;
        status.hidden = false;
      } else {
        status.hidden = true;
      }
    }
    function report(text) {
      var line = document.createElement("li");
      line.textContent = box.dataset.sentText + " " + text;
      results.appendChild(line);
    }
    function enqueue(item) {
      var queue = load();
      queue.push(item);
      store(queue);
      show();
    }
    function send() {
      var queue = load();
      if (sending || !queue.length || !navigator.onLine) {
        show();
        return;
      }
      sending = true;
      var item = queue[0];
      var body = new URLSearchParams();
      body.append(item.kind, item.value);
      fetch(box.dataset.syncUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (answer) {
          store(load().slice(1));
          report(answer.message);
          sending = false;
          send();
        })
        .catch(function () {
          sending = false; // still offline, or the server did not answer: try again later
          show();
        });
    }

    var codeForm = document.querySelector("[data-code-form]");
    if (codeForm) {
      codeForm.addEventListener("submit", function (event) {
        var input = codeForm.querySelector("input[name=code]");
        if (navigator.onLine || !input.value.trim()) {
          return;
        }
        event.preventDefault();
        enqueue({ kind: "code", value: input.value.trim(), at: new Date().toISOString() });
        input.value = "";
        input.focus();
      });
    }
    document.querySelectorAll("form[data-tick]").forEach(function (tick) {
      tick.addEventListener("submit", function (event) {
        if (navigator.onLine) {
          return;
        }
        event.preventDefault();
        enqueue({ kind: "participant", value: tick.dataset.tick, at: new Date().toISOString() });
        var button = tick.querySelector("button");
        button.disabled = true;
        button.textContent = button.textContent.replace("☐", "⌛");
      });
    });
    window.addEventListener("online", send);
    window.addEventListener("offline", show);
    send();
  }

  setUpScanner();
  setUpOfflineQueue();
  setUpPickAll();
  setUpPrint();
})();
