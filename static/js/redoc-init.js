// Starts Redoc on the API reference page. Redoc adds its styles as <style> elements; the page's
// Content-Security-Policy admits them only with the nonce this script element carries.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, { nonce: document.currentScript.nonce }, container);
})();
