// Framework editor: drag and drop of capabilities (Sortable), and keeping keyboard focus on the
// button that was pressed when htmx replaces the domains section.
(function () {
  "use strict";

  var focusedId = null;

  document.body.addEventListener("htmx:beforeRequest", function () {
    focusedId = document.activeElement && document.activeElement.id;
  });

  // htmx:load fires on the new content itself (the element that sent the request may be gone
  // with the old content, so its events no longer reach the document).
  document.body.addEventListener("htmx:load", function () {
    if (focusedId) {
      var again = document.getElementById(focusedId);
      if (again) { again.focus(); }
      focusedId = null;
    }
    enableDragAndDrop();
  });

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
