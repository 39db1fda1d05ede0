// The holder's page of a complaint: its status and the office's answer, in Indonesian or English, refreshed
// every 30 s. The words come from the page's message catalogue (kiosk/messages/<lang>.json, "complaints").
const root = document.getElementById("complaint");
const words = JSON.parse(document.getElementById("complaint-messages").textContent);
const zone = root.dataset.tz;
let complaint = JSON.parse(document.getElementById("initial").textContent);
let lang = "id";
const REFRESH_MS = 30000;

const t = (key) => words[lang].complaints[key];
const $ = (id) => document.getElementById(id);

function when(iso) {
  const locale = lang === "en" ? "en-GB" : "id-ID";
  return new Intl.DateTimeFormat(locale, { timeZone: zone, day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit" }).format(new Date(iso)).replace(/(\d{2}):(\d{2})/, lang === "en" ? "$1:$2" : "$1.$2");
}

function render() {
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-c]")) element.textContent = t(element.dataset.c);
  $("category").textContent = lang === "en" ? complaint.category_label_en : complaint.category_label;
  $("status").textContent = t(complaint.status === "answered" ? "status_answered" : "status_open");
  const card = $("status-card");
  card.dataset.status = complaint.status;
  card.dataset.overdue = String(complaint.overdue);
  $("overdue").hidden = !complaint.overdue;
  $("received").textContent = when(complaint.received_at);
  $("due").textContent = when(complaint.due_at);
  $("answer").textContent = complaint.answer || "";
  $("answer").hidden = !complaint.answer;
  $("no-answer").hidden = Boolean(complaint.answer);
  $("lapor-ref").textContent = complaint.lapor_ref || "";
  $("lapor").hidden = !complaint.lapor_ref;
  for (const button of document.querySelectorAll("[data-page-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.pageLang === lang));
  }
}

async function refresh() {
  try {
    const answer = await fetch(`/api/complaints/${encodeURIComponent(root.dataset.token)}`, { cache: "no-store" });
    if (answer.ok) {
      complaint = (await answer.json()).complaint;
      render();
    }
  } catch {
    // offline for a moment: the next refresh tries again
  }
}

for (const button of document.querySelectorAll("[data-page-lang]")) {
  button.addEventListener("click", () => { lang = button.dataset.pageLang; render(); });
}
render();
setInterval(refresh, REFRESH_MS);
document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
