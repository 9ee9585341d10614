// Keyboard for the review desk: j/k move in the queue, Enter opens, a attaches, d decides,
// ? lists the keys. Keys are ignored while typing in a field. No dependencies.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  }

  function select(row) {
    rows().forEach(function (r) {
      r.classList.remove("selected");
      r.removeAttribute("aria-selected");
    });
    if (!row) return;
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.open");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = current === -1 ? (step > 0 ? 0 : all.length - 1) : current + step;
    next = Math.max(0, Math.min(all.length - 1, next));
    select(all[next]);
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  }

  function help() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) return;
    if (dialog.open) dialog.close();
    else dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var dialog = document.getElementById("keys-help");
    if (dialog && dialog.open && event.key !== "?") return;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": {
        var row = document.querySelector("[data-row].selected");
        // A focused link or button handles Enter itself (the selected row's link is focused).
        if (!row || (event.target.closest && event.target.closest("a, button"))) return;
        window.location.href = row.getAttribute("data-href");
        break;
      }
      case "a":
        if (!focusField("#attach-form input[name=url]")) return;
        break;
      case "d":
        if (!focusField("#decision-form select[name=status]")) return;
        break;
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-keys-open]");
    if (opener) help();
  });

  // htmx: a failed fragment request (403, 500, network) says so instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    var status = event.detail.xhr ? event.detail.xhr.status : "";
    flash.innerHTML = "";
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = "The desk could not update this part of the page (HTTP " + status +
      "). Reload the page; nothing you typed was sent twice.";
    flash.appendChild(p);
  });
  document.addEventListener("htmx:sendError", function () {
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.innerHTML = '<p class="flash flash-error">The desk is unreachable. Check the connection and try again.</p>';
  });
})();
