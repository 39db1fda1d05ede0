// A ticket holder's complaint form on the phone: sent with the ticket's token, then on to the complaint's own
// page (/c/<token>), where its answer will appear.
const form = document.getElementById("complaint-form");
const words = JSON.parse(document.getElementById("complaint-messages").textContent);
const error = document.getElementById("error");
let lang = "id";

function render() {
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-c]")) element.textContent = words[lang].complaints[element.dataset.c];
  for (const button of document.querySelectorAll("[data-page-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.pageLang === lang));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  error.hidden = true;
  try {
    const answer = await fetch("/api/complaints", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ category: data.get("category"), text: data.get("text"), phone: data.get("phone") || null,
        ticket: form.dataset.ticket }) });
    const body = await answer.json();
    if (answer.ok) {
      window.location.assign(`/c/${encodeURIComponent(body.complaint.token)}`);
      return;
    }
    error.textContent = lang === "id" && body.error ? body.error.message : words[lang].complaints.error;
  } catch {
    error.textContent = words[lang].complaints.error;
  }
  error.hidden = false;
});
for (const button of document.querySelectorAll("[data-page-lang]")) {
  button.addEventListener("click", () => { lang = button.dataset.pageLang; render(); });
}
