/* A phone page's disruption card (the ticket's /t/<token> and the booking's /b/<token>): while staff have
   paused the page's service (or all), say why in plain words, in the page's language. A poll of
   /api/disruptions every second (cheap, no stream slot per phone) while the page is visible and its ticket or
   booking can still be affected; the card shows within two seconds of the start. */
import { pageData } from "./lib/page-data.js";
import { covering, describe, follow } from "./lib/disruptions.js";

const POLL_MS = 1000;
const card = document.getElementById("disruption");
const CATALOGUE = pageData(document.getElementById("phone-messages"));
const WORDS = { id: CATALOGUE.id.phone, en: CATALOGUE.en.phone };
const service = card.dataset.service;
let finished = card.dataset.finished === "true";
let disruptions = null;

const lang = () => (document.documentElement.lang === "en" ? "en" : "id");

function t(key, values) {
  let text = WORDS[lang()][key] ?? WORDS.id[key];
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

function render() {
  if (disruptions === null) return;  // until the first answer, the server's own card stays as it was drawn
  const shown = finished ? [] : covering(disruptions, service).slice(0, 2);
  const parts = [];
  if (shown.length) {
    const title = document.createElement("h2");
    title.textContent = t("disruption_title");
    parts.push(title);
  }
  for (const item of shown) {
    const words = describe(item, t, lang(), () => (lang() === "en" && item.service_name_en) || item.service_name);
    const line = document.createElement("p");
    const reason = document.createElement("strong");
    reason.textContent = words.reason;
    line.append(reason, ` ${words.scope}${words.until ? ` ${words.until}` : ""}`);
    parts.push(line);
  }
  if (shown.length && card.dataset.note) {
    const note = document.createElement("p");
    note.textContent = t(card.dataset.note);
    parts.push(note);
  }
  card.replaceChildren(...parts);
  card.hidden = shown.length === 0;
}

// phone.js tells each new state of the ticket: a finished one no longer needs the card nor the poll.
document.addEventListener("ticket:update", (event) => {
  finished = ["done", "expired", "cancelled"].includes(event.detail.status);
  render();
});
new MutationObserver(render).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
follow((list) => { disruptions = list; render(); }, { intervalMs: POLL_MS, active: () => !finished });
