// Framework editor: drag and drop of capabilities (Sortable), keeping keyboard focus on the
// button that was pressed when htmx replaces the domains section, and saying where a domain or
// capability moved by its buttons now is.
(function () {
  "use strict";

  var focusedId = null;
  var MOVES = /^(up|down|indent|outdent)-/;

  document.body.addEventListener("htmx:beforeRequest", function () {
    focusedId = document.activeElement && document.activeElement.id;
  });

  // htmx:load fires on the new content itself (the element that sent the request may be gone
  // with the old content, so its events no longer reach the document).
  document.body.addEventListener("htmx:load", function () {
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) {
        again.focus();
        if (MOVES.test(focusedId)) { announcePlace(again); }
      }
      focusedId = null;
    }
    enableDragAndDrop();
  });

  // "K1: now 2 of 3", in the words of the live region's data-place ({name}, {position}, {count}).
  function announcePlace(button) {
    var announcer = document.getElementById("editor-announcer");
    var moved = button.closest("li.capability-item") || button.closest("section.editor-domain");
    if (!announcer || !moved) { return; }
    var siblings = Array.prototype.filter.call(moved.parentElement.children, function (element) {
      return element.tagName === moved.tagName && element.className === moved.className;
    });
    var name = moved.dataset.code || moved.querySelector("h2").textContent.trim();
    announcer.textContent = announcer.dataset.place
      .replace("{name}", function () { return name; })
      .replace("{position}", String(siblings.indexOf(moved) + 1))
      .replace("{count}", String(siblings.length));
  }

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"];
  }

  function dropped(event) {
    var item = event.item;
    var list = item.parentElement;
    var values = {
      index: String(event.newIndex),
      parent: list.dataset.parent || "",
      domain: list.dataset.domain || ""
    };
    htmx.ajax("POST", item.dataset.dropUrl, {
      target: "#domains",
      swap: "outerHTML",
      values: values,
      headers: { "X-CSRFToken": csrfToken() }
    });
  }

  function enableDragAndDrop() {
    if (typeof Sortable === "undefined") { return; }
    var section = document.getElementById("domains");
    if (!section || !section.querySelector(".drag-handle")) { return; }
    section.querySelectorAll("ul.capability-list").forEach(function (list) {
      if (list.dataset.sortable) { return; }
      list.dataset.sortable = "on";
      Sortable.create(list, {
        group: "capabilities-" + section.dataset.framework,
        handle: ".drag-handle",
        animation: 150,
        // Mouse and touch events rather than native drag and drop: the same on every browser.
        forceFallback: true,
        fallbackOnBody: true,
        emptyInsertThreshold: 8,
        onEnd: dropped
      });
    });
  }
})();
