// Kiosk idle reset: after `data-idle-seconds` (default 60) without a touch, key or input, the page ends the
// kiosk session (POST …/end/ with reason=idle) and returns to the kiosk home, so the next person never sees
// the previous one's page. The home page itself has nothing to forget and just reloads fresh.
(function () {
  "use strict";
  var cfg = document.getElementById("kiosk-idle");
  if (!cfg) { return; }
  var seconds = parseInt(cfg.dataset.idleSeconds, 10) || 60;
  var timer = null;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }
  function goHome() {
    var body = new URLSearchParams({ ks: cfg.dataset.ks || "", reason: "idle" });
    var done = function () { window.location.replace(cfg.dataset.homeUrl); };
    if (!cfg.dataset.ks) { done(); return; }
    fetch(cfg.dataset.endUrl, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-CSRFToken": csrf() }
    }).then(done, done);
  }
  function reset() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(goHome, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, reset, { passive: true });
  });
  window.kioskIdle = { seconds: seconds, fire: goHome };  // for tests and the hall's own checks
  reset();
})();
