// The staff inbox of complaints: a filter (open / overdue / answered), earliest deadline first, and an answer
// form on each open one. Writes carry the X-CSRF-Token of GET /api/session; the list reloads every minute.
// Words come from the page's catalogue (Indonesian, or English with ?lang=en).
import { pageData } from "./lib/page-data.js";

const CONFIG = pageData("inbox-config");
const W = CONFIG.words;
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, name) => values[name]);
const list = document.getElementById("inbox-list");
const empty = document.getElementById("inbox-empty");
const message = document.getElementById("inbox-message");
const template = document.getElementById("complaint-item");
const categories = CONFIG.categories;
const CHANNELS = { kiosk: W.channel_kiosk, phone: W.channel_phone, staff: W.channel_staff };
let filter = "open";
let csrf = "";

function when(iso) {
  const date = new Date(iso);
  const text = new Intl.DateTimeFormat(CONFIG.lang === "en" ? "en-GB" : "id-ID", { day: "numeric", month: "long",
    year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: list.dataset.tz }).format(date);
  return CONFIG.lang === "en" ? text : text.replace(/(\d{2}):(\d{2})/, "$1.$2");
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const answer = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined,
    credentials: "same-origin", cache: "no-store" });
  if (answer.status === 401) {
    window.location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new Error("login_required");
  }
  const data = await answer.json();
  if (!answer.ok) throw new Error(data.error ? data.error.message : W.failed);
  return data;
}

function item(complaint) {
  const node = template.content.firstElementChild.cloneNode(true);
  node.dataset.code = complaint.code;
  node.classList.toggle("is-overdue", complaint.overdue);
  node.querySelector(".ci-code").textContent = complaint.code;
  node.querySelector(".ci-category").textContent = categories[complaint.category];
  node.querySelector(".ci-flag").hidden = !complaint.overdue;
  node.querySelector(".ci-received").textContent = when(complaint.received_at);
  node.querySelector(".ci-due").textContent = when(complaint.due_at);
  node.querySelector(".ci-channel").textContent = CHANNELS[complaint.channel]
    + (complaint.received_by ? ` (${complaint.received_by})` : "");
  node.querySelector(".ci-phone").textContent = complaint.phone || "-";
  node.querySelector(".ci-text").textContent = complaint.text;
  const form = node.querySelector(".ci-form");
  const label = `jawaban-${complaint.code}`;
  form.querySelector("textarea").id = label;
  if (complaint.status === "answered") {
    form.remove();
    node.querySelector(".ci-answered").hidden = false;
    node.querySelector(".ci-answer").textContent = complaint.answer;
    node.querySelector(".ci-lapor").textContent = complaint.lapor_ref ? ` (SP4N-LAPOR! ${complaint.lapor_ref})` : "";
  } else {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      try {
        await api("POST", `/api/complaints/${encodeURIComponent(complaint.code)}/answer`,
          { text: data.get("text"), lapor_ref: data.get("lapor_ref") || null });
        message.textContent = fill(W.answer_sent, { code: complaint.code });
        await load();
      } catch (error) {
        message.textContent = error.message;
      }
    });
  }
  return node;
}

async function load() {
  const data = await api("GET", `/api/complaints?status=${filter}`);
  list.replaceChildren(...data.complaints.map(item));
  empty.hidden = data.complaints.length > 0;
}

for (const button of document.querySelectorAll("[data-filter]")) {
  button.addEventListener("click", () => {
    filter = button.dataset.filter;
    for (const other of document.querySelectorAll("[data-filter]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    load();
  });
}

const lodgeForm = document.getElementById("new-complaint");
lodgeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(lodgeForm);
  try {
    const answer = await api("POST", "/api/complaints", { category: data.get("category"), text: data.get("text"),
      phone: data.get("phone") || null });
    message.textContent = fill(W.lodged, { code: answer.complaint.code });
    lodgeForm.reset();
    await load();
  } catch (error) {
    message.textContent = error.message;
  }
});

csrf = (await api("GET", "/api/session")).csrf_token;
await load();
setInterval(() => { if (!list.contains(document.activeElement)) load(); }, 60000);
