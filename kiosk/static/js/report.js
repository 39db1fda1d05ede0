/* Report page: the print button opens the browser's print dialog (the A4 layout is in report.css). */
(function () {
  "use strict";
  var button = document.getElementById("print-report");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
