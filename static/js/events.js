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
            // requestSubmit, not submit: the offline queue below sees it like a typed code.
            if (form.requestSubmit) {
              form.requestSubmit();
            } else {
              form.submit();
            }
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
