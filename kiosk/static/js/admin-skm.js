/* SKM report page: the print button (the page itself is rendered by the server and prints as A4). */
(function () {
  "use strict";
  var button = document.getElementById("skm-print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
