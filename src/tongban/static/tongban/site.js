// Small behaviours of every page.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 576px)");

  document.addEventListener("DOMContentLoaded", function () {
    // On a phone, a form autofocused far down the page (the actions under a case's details) would open
    // the page scrolled past its heading: keep the focus for the keyboard but show the top.
    var focused = document.activeElement;
    if (phone.matches && focused && focused !== document.body && focused.hasAttribute("autofocus")) {
      window.scrollTo(0, 0);
    }

    // After an action, the message saying what happened takes the focus — unless the page has put it
    // somewhere on purpose (the next form, a document to download) — so the keyboard starts from it.
    var message = document.querySelector(".tb-message");
    if (message && (!document.activeElement || document.activeElement === document.body)) {
      message.focus({ preventScroll: false });
    }

    // The calendar warning, once closed, stays closed for this browser session (same level and year).
    var banner = document.getElementById("calendar-horizon");
    if (banner) {
      var key = "tb-horizon-closed:" + banner.dataset.level + ":" + (banner.dataset.year || "");
      try {
        if (window.sessionStorage.getItem(key)) banner.remove();
        else banner.addEventListener("closed.bs.alert", function () { window.sessionStorage.setItem(key, "1"); });
      } catch (e) { /* storage disabled: the banner simply comes back */ }
    }
  });
})();
