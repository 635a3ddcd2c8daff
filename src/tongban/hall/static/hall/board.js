// Display board: announce each new call once ("请 A023 号到 5 号窗口") with the browser's speech synthesis.
// Off until someone presses the button (browsers only speak after a user gesture); calls already on the
// board when the page loads are not read out.
(function () {
  "use strict";
  var toggle = document.getElementById("speech-toggle");
  var on = false;
  var lastSeen = 0;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#board-announce [data-event-id]"));
  }
  function maxId() {
    return items().reduce(function (m, el) { return Math.max(m, parseInt(el.dataset.eventId, 10) || 0); }, 0);
  }
  function zhVoice() {
    if (!("speechSynthesis" in window)) { return null; }
    var voices = window.speechSynthesis.getVoices();
    return voices.find(function (v) { return /^zh(-|_)CN/i.test(v.lang); }) ||
           voices.find(function (v) { return /^zh/i.test(v.lang); }) || null;
  }
  function speak(text) {
    if (!on || !("speechSynthesis" in window)) { return; }
    var u = new SpeechSynthesisUtterance(text);
    u.lang = "zh-CN";
    var v = zhVoice();
    if (v) { u.voice = v; }
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  }
  function announceNew() {
    var fresh = items().filter(function (el) { return (parseInt(el.dataset.eventId, 10) || 0) > lastSeen; });
    fresh.sort(function (a, b) { return a.dataset.eventId - b.dataset.eventId; });
    fresh.forEach(function (el) { speak(el.dataset.text); speak(el.dataset.text); });
    lastSeen = Math.max(lastSeen, maxId());
  }
  lastSeen = maxId();
  if (toggle) {
    if (!("speechSynthesis" in window)) { toggle.disabled = true; }
    toggle.addEventListener("click", function () {
      on = !on;
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      toggle.textContent = on ? toggle.dataset.on : toggle.dataset.off;
      if (on) { speak(toggle.dataset.on ? "语音播报已开启" : ""); }
    });
  }
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.target && evt.target.id === "board") { announceNew(); }
  });
})();
