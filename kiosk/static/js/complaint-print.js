// The wall print of the service standard: its button opens the browser's print dialog (A4 set by the CSS).
document.getElementById("print").addEventListener("click", () => window.print());
