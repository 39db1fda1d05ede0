// The staff inbox of complaints: a filter (open / overdue / answered), earliest deadline first, and an answer
// form on each open one. Requests go through the staff API client (lib/api.js: CSRF token, login on 401); the
// list reloads every minute. Words come from the page's catalogue (Indonesian, or English with ?lang=en).
import { inOrder, staffApi } from "./lib/api.js";
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
const client = staffApi({ returnTo: location.pathname + location.search, words: W });
const api = client.call;
const listInOrder = inOrder();  // a filter switched quickly: the earlier filter's late list is not drawn

function when(iso) {
  const date = new Date(iso);
  const text = new Intl.DateTimeFormat(CONFIG.lang === "en" ? "en-GB" : "id-ID", { day: "numeric", month: "long",
    year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: list.dataset.tz }).format(date);
  return CONFIG.lang === "en" ? text : text.replace(/(\d{2}):(\d{2})/, "$1.$2");
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

function load() {
  return api("GET", `/api/complaints?status=${filter}`).then(listInOrder((data) => {
    list.replaceChildren(...data.complaints.map(item));
    empty.hidden = data.complaints.length > 0;
  }));
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

await client.loadSession();
await load();
setInterval(() => { if (!list.contains(document.activeElement)) load(); }, 60000);
