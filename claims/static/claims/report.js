// The vetting report: show a claim's card when its highlighted passage is clicked or focused
// (without JavaScript, the links' #claim-N targets do the same through CSS :target).
(function () {
  "use strict";
  function activate(number, scroll) {
    var card = document.getElementById("claim-" + number);
    if (!card) return;
    document.querySelectorAll(".claim-card.is-active").forEach(function (c) { c.classList.remove("is-active"); });
    document.querySelectorAll(".hl.is-active").forEach(function (h) { h.classList.remove("is-active"); h.removeAttribute("aria-current"); });
    card.classList.add("is-active");
    document.querySelectorAll('.hl[data-claim="' + number + '"]').forEach(function (h) {
      h.classList.add("is-active"); h.setAttribute("aria-current", "true");
    });
    if (scroll) card.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".hl[data-claim]").forEach(function (h) {
      h.addEventListener("focus", function () { activate(h.dataset.claim, false); });
      h.addEventListener("click", function (ev) {
        ev.preventDefault();
        activate(h.dataset.claim, true);
        history.replaceState(null, "", "#claim-" + h.dataset.claim);
      });
    });
    var m = /^#claim-(\d+)$/.exec(location.hash);
    if (m) activate(m[1], true);
    var print = document.querySelector("[data-print]");
    if (print) { print.hidden = false; print.addEventListener("click", function () { window.print(); }); }
  });
})();
