// Seat-time heartbeats for a lesson page (see muster/learning/seat.py).
// Every few seconds while the page is visible, and once whenever it is hidden
// or shown again, post the tab's id, document.visibilityState and whether the
// learner has been idle (no input for two minutes). The server decides how much
// time to credit from its own clock; nothing here says how much time passed.
(function () {
  "use strict";
  var meter = document.getElementById("seat-time");
  if (!meter || !meter.dataset.heartbeatUrl) {
    return;
  }
  var IDLE_MS = 2 * 60 * 1000;
  var interval = (parseInt(meter.dataset.interval, 10) || 15) * 1000;
  var tab = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : String(Math.random()).slice(2);
  var lastInput = Date.now();
  var text = document.getElementById("seat-time-text");
  var bar = document.getElementById("seat-time-progress");

  function noteInput() { lastInput = Date.now(); }
  ["mousemove", "mousedown", "keydown", "scroll", "touchstart", "wheel"].forEach(
    function (name) { window.addEventListener(name, noteInput, {passive: true}); }
  );

  function send() {
    var body = new URLSearchParams();
    body.set("tab", tab);
    body.set("visible", document.visibilityState);
    body.set("idle", Date.now() - lastInput > IDLE_MS ? "1" : "0");
    body.set("lesson", meter.dataset.lesson || "");
    fetch(meter.dataset.heartbeatUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {"X-CSRFToken": meter.dataset.csrf},
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      if (text) { text.textContent = data.text; }
      if (bar) { bar.value = data.percent; bar.textContent = data.percent + "%"; }
    }).catch(function () { /* The next heartbeat tries again. */ });
  }

  send();
  window.setInterval(function () {
    if (document.visibilityState === "visible") { send(); }
  }, interval);
  document.addEventListener("visibilitychange", send);
})();
