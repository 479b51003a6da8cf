// The auction page's countdown: every second, each element with data-ends-at shows the time left.
// The server's time decides what is late; this only counts down between two polls of the live fragment
// (which replaces the element with a fresh data-seconds-left every two seconds).
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function render(seconds) {
    if (seconds <= 0) { return "0:00:00"; }
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return h + ":" + pad(m) + ":" + pad(s);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-seconds-left]").forEach(function (element) {
      var key = element.getAttribute("data-ends-at") + "|" + element.getAttribute("data-seconds-left");
      if (element.dataset.countdownKey !== key) {
        element.dataset.countdownKey = key;
        element.dataset.countdownFrom = String(now);
      }
      var left = parseInt(element.getAttribute("data-seconds-left"), 10) -
        Math.floor((now - parseInt(element.dataset.countdownFrom, 10)) / 1000);
      element.textContent = render(Math.max(0, left));
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
