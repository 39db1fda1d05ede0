/* SKM report page: the print button (the page itself is rendered by the server and prints as A4). */
const button = document.getElementById("skm-print");
if (button) button.addEventListener("click", () => { window.print(); });
