/* The resident's phone page: follow one ticket by polling (cheap for the server with 100 phones),
   paused while the tab is hidden, stopped once the ticket is finished. Indonesian or English: the
   "phone" part of kiosk/messages/<lang>.json, the choice kept on the phone (localStorage). */
import { pageData } from "./lib/page-data.js";

const POLL_MS = 3000;
const SLOW_POLL_MS = 15000;   // no-show: staff may still put the ticket back in the queue
const ERROR_POLL_MS = 10000;
const FINISHED = ["done", "expired", "cancelled"];
const LANG_KEY = "phone:lang";

const $ = (id) => document.getElementById(id);
const CATALOGUE = pageData(document.getElementById("phone-messages"));
const WORDS = { id: CATALOGUE.id.phone, en: CATALOGUE.en.phone };
let lang = savedLang();

function savedLang() {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === "id" || saved === "en") return saved;
  } catch (error) { /* private mode: Indonesian */ }
  return "id";
}

function t(key, values) {
  let text = WORDS[lang][key] ?? WORDS.id[key];
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

// The page's fixed texts (data-p keys) and the language buttons; the survey card follows "phone:lang".
function applyLang() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-p]")) node.textContent = t(node.dataset.p);
  for (const button of document.querySelectorAll("[data-page-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.pageLang === lang));
  }
}

function setLang(next, fromSurvey) {
  if (next !== "id" && next !== "en") return;
  lang = next;
  try { localStorage.setItem(LANG_KEY, lang); } catch (error) { /* nothing to keep it in */ }
  applyLang();
  render();
  if (!fromSurvey) document.dispatchEvent(new CustomEvent("phone:lang", { detail: lang }));
}

const switcher = $("page-lang");
switcher.hidden = false;
switcher.addEventListener("click", (event) => {
  const button = event.target.closest("[data-page-lang]");
  if (button) setLang(button.dataset.pageLang, false);
});
// The survey card's own switch changes the whole page.
document.addEventListener("phone:survey-lang", (event) => setLang(event.detail, true));

const root = $("ticket");
applyLang();

const token = root.dataset.token;
let ticket = pageData($("initial"));
let timer = null;
let inFlight = false;

// [headline, note, help line] for each state: each says what is true now and what to do next.
function statusWords(tk) {
  const counter = tk.counter_name || (tk.counter ? t("counter_n", { n: tk.counter }) : t("counter_any"));
  switch (tk.status) {
    case "waiting":
      return [t("waiting"), tk.ahead === 0 ? t("waiting_next") : t("waiting_note"), t("help_live")];
    case "called":
      return [t("called", { counter }), t("called_note"), t("help_live")];
    case "serving":
      return [t("serving", { counter }), t("serving_note"), ""];
    case "done":
      return [t("done"), t("done_note"), ""];
    case "no_show":
      return [t("no_show"), t("no_show_note"), t("no_show_help")];
    case "expired":
      return [t("expired"), t("expired_note"), ""];
    case "cancelled":
      return [t("cancelled"), t("cancelled_note"), ""];
    default:
      return [tk.status, "", ""];
  }
}

// The "being called" list matters only while the resident waits for their turn.
const followsCalls = (t) => t.status === "waiting" || t.status === "called";
let callsLoaded = false;
let updatedAt = null; // office time of the last answer; null after a failed poll

const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.tz || "Asia/Jakarta",
});

function clock(date) {
  return timeFormat.format(date).replace(":", "."); // office time, written 08.00
}

// "Ahead of you" can go up: a priority number issued later is served first. Say so while it is the
// case (shown when the count rose since the last answer, hidden once it falls again).
let lastAhead = ticket.status === "waiting" ? ticket.ahead : null;
let aheadRose = false;

function noteAhead() {
  if (ticket.status !== "waiting") {
    aheadRose = false;
    lastAhead = null;
    return;
  }
  if (lastAhead !== null && ticket.ahead > lastAhead) aheadRose = true;
  else if (lastAhead !== null && ticket.ahead < lastAhead) aheadRose = false;
  lastAhead = ticket.ahead;
}

function render() {
  const [text, note, help] = statusWords(ticket);
  $("status-card").dataset.status = ticket.status;
  $("status").textContent = text;
  $("status-note").textContent = note;
  $("help").textContent = help;
  $("help").hidden = !help;
  $("calls-card").hidden = !(followsCalls(ticket) && callsLoaded);
  $("service").textContent = (lang === "en" && ticket.service_name_en) || ticket.service_name || ticket.service;
  $("priority").hidden = !ticket.priority;
  const waiting = ticket.status === "waiting";
  $("facts").hidden = !waiting;
  $("ahead").textContent = String(ticket.ahead);
  $("ahead-note").hidden = !(waiting && aheadRose);
  $("wait").textContent = ticket.ahead > 0 ? t("minutes", { n: Math.max(1, ticket.estimated_wait_minutes) }) : t("soon");
  document.title = `${ticket.number} · ${text}`;
  if ($("updated").textContent) $("updated").textContent = updatedAt ? t("updated", { time: updatedAt }) : t("offline");
  // The satisfaction survey (phone-survey.js) appears once the ticket is done.
  document.dispatchEvent(new CustomEvent("ticket:update", { detail: ticket }));
}

function renderCalls(queue) {
  const list = $("calls");
  list.replaceChildren();
  const busy = queue.counters.filter((c) => c.ticket);
  for (const counter of busy) {
    const item = document.createElement("li");
    if (counter.ticket.number === ticket.number) item.className = "is-mine";
    const number = document.createElement("span");
    number.className = "p-call-number";
    number.textContent = counter.ticket.number;
    const name = document.createElement("span");
    name.className = "p-call-counter";
    name.textContent = counter.name;
    item.append(number, name);
    list.append(item);
  }
  $("calls-empty").hidden = busy.length > 0;
  callsLoaded = true;
  $("calls-card").hidden = !followsCalls(ticket);
}

function schedule(ms) {
  clearTimeout(timer);
  timer = null;
  if (!document.hidden) timer = setTimeout(poll, ms);
}

async function poll() {
  if (inFlight || document.hidden) return;
  inFlight = true;
  let next = POLL_MS;
  try {
    const active = followsCalls(ticket);
    const [answer, queue] = await Promise.all([
      fetch(`/api/tickets/${encodeURIComponent(token)}`, { cache: "no-store" }),
      active ? fetch("/api/queue", { cache: "no-store" }).then((r) => (r.ok ? r.json() : null)) : null,
    ]);
    if (answer.status === 404) {
      location.reload(); // the server shows the friendly "not found" page
      return;
    }
    const body = await answer.json();
    const was = ticket.status;
    ticket = body.ticket;
    noteAhead();
    render();
    if (queue) renderCalls(queue);
    if (ticket.status === "called" && was !== "called" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    updatedAt = clock(new Date());
    $("updated").textContent = t("updated", { time: updatedAt });
    if (FINISHED.includes(ticket.status)) return; // nothing will change any more: stop polling
    if (ticket.status === "no_show") next = SLOW_POLL_MS;
  } catch (error) {
    updatedAt = null;
    $("updated").textContent = t("offline");
    next = ERROR_POLL_MS;
  } finally {
    inFlight = false;
  }
  schedule(next);
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    clearTimeout(timer);
    timer = null;
  } else if (!FINISHED.includes(ticket.status)) {
    poll();
  }
});

render();
if (!FINISHED.includes(ticket.status)) poll();
