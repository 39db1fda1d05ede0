/* Report page: the print button opens the browser's print dialog (the A4 layout is in report.css). */
const button = document.getElementById("print-report");
if (button) button.addEventListener("click", () => { window.print(); });
