/* Counter screen: call and move tickets through the JSON API, live waiting list, printer banner.
 *
 * Every write carries the X-CSRF-Token from GET /api/session. A 401 (session ended)
 * sends the page to the login form; any other refusal is shown inline in Indonesian.
 */
import { inOrder, staffApi } from "./lib/api.js";
import { $, cell, changeGate, typing, sayIn } from "./lib/dom.js";
import { pageData } from "./lib/page-data.js";
import { connect, watchSettings } from "./live.js";
import { startStatusTab } from "./counter-status.js";

const CONFIG = pageData("counter-config");
const STORAGE_KEY = "kiosk.counter";
const REFRESH_GAP_MS = 1000;    // live queue events refetch the counter at most this often
const WAITING_ROWS = 50;
const SHORTCUTS = {n: "next", " ": "next", r: "recall", s: "serve", d: "done", t: "no-show",
                 a: "transfer", k: "requeue", p: "reprint", l: "late-return"};
const STATUS_TEXT = {called: "Dipanggil", serving: "Sedang dilayani"};
const PRINTER_TEXT = {
  offline: "Printer tiket tidak terhubung. Nomor tetap tercatat dan tampil di layar kios; periksa kabel dan daya printer.",
  paper_out: "Kertas printer tiket habis. Silakan ganti gulungan kertas."
};
const DONE_TEXT = {recall: "dipanggil ulang", serve: "mulai dilayani", done: "selesai dilayani",
                 "no-show": "ditandai tidak hadir", requeue: "dikembalikan ke antrean",
                 reprint: "dikirim ke printer lagi",
                 "late-return": "kembali ke antrean (kembali terlambat), beberapa nomor kemudian"};

const buttons = {};
Array.prototype.forEach.call(document.querySelectorAll("[data-action]"), (button) => {
  buttons[button.getAttribute("data-action")] = button;
});
const serviceNames = {};
// A non-breaking hyphen keeps "KTP-el" on one line in narrow columns.
CONFIG.services.forEach((s) => { serviceNames[s.code] = s.name.replace(/-/g, "\u2011"); });

let counterId = null;
let view = {ticket: null, waiting: [], printer: "unknown", servedToday: 0};
let noShows = [];
let selectedNoShow = null;
let busy = false;

// ------------------------------------------------------------ API

const client = staffApi({returnTo: "/counter", onSession: (answer) => { $("staff-name").textContent = answer.user.username; }});
const api = client.call;
const loadSession = client.loadSession;

// ------------------------------------------------------------ rendering

const say = (text, kind) => sayIn($("message"), "message", text, kind);

function minutesSince(iso) {
  const since = Date.parse(iso);
  if (isNaN(since)) return "";
  return `${Math.max(0, Math.floor((Date.now() + client.clockOffset() - since) / 60000))} mnt`;
}

function renderTicket() {
  const ticket = view.ticket;
  const box = $("ticket");
  box.setAttribute("data-status", ticket ? ticket.status : "none");
  box.setAttribute("data-ticket-id", ticket ? String(ticket.id) : "");
  $("ticket-number").textContent = ticket ? ticket.number : "\u2013";
  $("ticket-meta").textContent = ticket
    ? [ticket.service_name, STATUS_TEXT[ticket.status] || ticket.status, ticket.priority ? "Prioritas" : ""]
        .filter(Boolean).join(" \u00b7 ")
    : "Belum ada tiket dipanggil.";
}

// A Pengambilan ticket at this counter: the card can be handed over from here (CARD_ISSUED).
let handoverFor = null;
function renderHandover() {
  const ticket = view.ticket;
  const show = !!(ticket && CONFIG.pickupService && ticket.service === CONFIG.pickupService &&
                (ticket.status === "called" || ticket.status === "serving"));
  const form = $("handover-form");
  if (!show || handoverFor !== ticket.id) $("handover-nik").value = "";
  handoverFor = show ? ticket.id : null;
  form.hidden = !show;
}

function renderServed() {
  $("served-today").textContent = String(view.servedToday || 0);
}

function renderWaiting() {
  const body = $("waiting-body");
  const rows = view.waiting.slice(0, WAITING_ROWS).map((ticket) => {
    const tr = document.createElement("tr");
    tr.setAttribute("data-ticket-id", String(ticket.id));
    tr.appendChild(cell(ticket.number, "number"));
    tr.appendChild(cell(serviceNames[ticket.service] || ticket.service_name || ticket.service));
    tr.appendChild(cell(ticket.priority ? "\u2605 Prioritas" : "", ticket.priority ? "priority" : ""));
    tr.appendChild(cell(minutesSince(ticket.issued_at), "minutes"));
    return tr;
  });
  body.replaceChildren.apply(body, rows);
  $("waiting-count").textContent = String(view.waiting.length);
  $("waiting-empty").hidden = view.waiting.length > 0;
  const more = view.waiting.length - WAITING_ROWS;
  $("waiting-more").hidden = more <= 0;
  $("waiting-more").textContent = more > 0 ? `dan ${more} lainnya` : "";
}

// Every queue event in the office renders: the no-show list is drawn again only when it changed (changeGate).
const noShowsChanged = changeGate();

function renderNoShows() {
  const list = $("noshow-list");
  if (selectedNoShow && !noShows.some((t) => { return t.id === selectedNoShow; })) selectedNoShow = null;
  if (!selectedNoShow && noShows.length) selectedNoShow = noShows[0].id;
  if (!noShowsChanged([noShows, selectedNoShow])) return;
  const items = noShows.map((ticket) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "noshow-item";
    button.setAttribute("data-ticket-id", String(ticket.id));
    button.setAttribute("aria-pressed", String(ticket.id === selectedNoShow));
    button.textContent = `${ticket.number} \u00b7 ${ticket.service_name || ticket.service}`;
    li.appendChild(button);
    return li;
  });
  list.replaceChildren.apply(list, items);
  $("noshow-empty").hidden = noShows.length > 0;
}

function renderPrinter() {
  const banner = $("printer-banner");
  const text = PRINTER_TEXT[view.printer];
  banner.hidden = !text;
  banner.setAttribute("data-state", view.printer);
  banner.textContent = text || "";
}

function allowed(action) {
  const status = view.ticket ? view.ticket.status : null;
  switch (action) {
    case "next": return status !== "called" && status !== "serving";
    case "recall": case "serve": case "no-show": return status === "called";
    case "done": return status === "called" || status === "serving";  // done from called: served at once
    case "transfer": return status === "called" || status === "serving";
    case "requeue": case "late-return": return selectedNoShow !== null;
    case "reprint": return !!view.ticket && view.printer !== "none";
  }
  return false;
}

function renderButtons() {
  Object.keys(buttons).forEach((action) => {
    buttons[action].disabled = busy || counterId === null || !allowed(action);
  });
}

function render() {
  renderTicket();
  renderHandover();
  renderServed();
  renderWaiting();
  renderNoShows();
  renderPrinter();
  renderButtons();
}

// ------------------------------------------------------------ loading

let refreshing = false, refreshAgain = false, lastRefresh = 0, refreshTimer = null;

function refresh() {
  if (counterId === null) return Promise.resolve();
  if (refreshing) { refreshAgain = true; return Promise.resolve(); }
  refreshing = true;
  lastRefresh = Date.now();
  const id = counterId;
  return Promise.all([api("GET", `/api/counters/${id}`), api("GET", `/api/counters/${id}/no-shows`)])
    .then((answers) => {
      if (id !== counterId) return;
      view = {ticket: answers[0].ticket, waiting: answers[0].waiting, printer: answers[0].printer,
              servedToday: answers[0].served_today};
      noShows = answers[1].tickets;
      render();
    })
    .catch((error) => { if (error.status !== 401) say(error.message, "error"); })
    .then(() => {
      refreshing = false;
      if (refreshAgain) { refreshAgain = false; refreshSoon(); }
    });
}

// Coalesce bursts of live events (a busy kiosk) into at most one refetch per REFRESH_GAP_MS.
function refreshSoon() {
  if (refreshTimer) return;
  const wait = Math.max(0, REFRESH_GAP_MS - (Date.now() - lastRefresh));
  refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, wait);
}

function chooseCounter(id) {
  const known = CONFIG.counters.some((c) => { return c.id === id; });
  if (!known) { $("counter-picker").hidden = false; return; }
  counterId = id;
  try { localStorage.setItem(STORAGE_KEY, String(id)); } catch (err) { /* private mode: ask next time */ }
  $("counter-select").value = String(id);
  $("counter-picker").hidden = true;
  document.body.setAttribute("data-counter", String(id));
  closePicker();
  say("");
  refresh();
}

// ------------------------------------------------------------ actions

function perform(action) {
  if (busy || counterId === null) return;
  if (!allowed(action)) {
    buttons[action].classList.add("refused");
    setTimeout(() => { buttons[action].classList.remove("refused"); }, 400);
    return;
  }
  if (action === "transfer") { openPicker(); return; }
  const ticket = view.ticket;
  let request;
  if (action === "next") request = api("POST", `/api/counters/${counterId}/next`);
  else if (action === "requeue" || action === "late-return") {
    request = api("POST", `/api/tickets/${selectedNoShow}/${action}`);
  }
  else request = api("POST", `/api/tickets/${ticket.id}/${action}`);
  run(request, (answer) => {
    if (action === "next") {
      return answer ? `${answer.ticket.number} dipanggil ke ${answer.ticket.counter_name || "loket ini"}.`
                    : "Tidak ada antrean yang menunggu untuk loket ini.";
    }
    return `${answer.ticket.number} ${DONE_TEXT[action]}.`;
  });
}

// Answers can come back out of order (a slow "Mulai layani", then a quick handover): the message line shows the
// newest request's words, never an older answer's over them.
const messagesInOrder = inOrder();

function run(request, describe) {
  busy = true;
  renderButtons();
  const tell = messagesInOrder(([text, kind]) => say(text, kind));
  return request.then((answer) => {
    tell([describe(answer), "ok"]);
  }, (error) => {
    if (error.status !== 401) tell([error.message, "error"]);
  }).then(() => {
    busy = false;
    return refresh();
  });
}

function openPicker() {
  const current = view.ticket ? view.ticket.service : null;
  $("transfer-number").textContent = view.ticket ? view.ticket.number : "";
  Array.prototype.forEach.call(document.querySelectorAll("#transfer-picker [data-service]"), (option) => {
    option.disabled = option.getAttribute("data-service") === current;
  });
  $("transfer-picker").hidden = false;
  const first = document.querySelector("#transfer-picker [data-service]:not([disabled])");
  if (first) first.focus();
}

function closePicker() {
  $("transfer-picker").hidden = true;
}

function transferTo(code) {
  if (!view.ticket || busy) return;
  const ticket = view.ticket;
  closePicker();
  run(api("POST", `/api/tickets/${ticket.id}/transfer`, {service: code}), (answer) => {
    return `${answer.ticket.number} dialihkan ke ${serviceNames[code] || code}.`;
  });
}

// ------------------------------------------------------------ wiring

Object.keys(buttons).forEach((action) => {
  buttons[action].addEventListener("click", () => {
    buttons[action].blur();  // so Space never re-clicks the last button
    perform(action);
  });
});

document.querySelector("#transfer-picker .picker-options").addEventListener("click", (event) => {
  const option = event.target.closest("[data-service]");
  if (option && !option.disabled) transferTo(option.getAttribute("data-service"));
});
$("transfer-cancel").addEventListener("click", closePicker);

$("handover-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const nik = $("handover-nik").value.replace(/[\s.\-]/g, "");
  if (!nik || !view.ticket) { say("Ketik NIK pemilik KTP-el (16 angka).", "error"); return; }
  const button = event.target.querySelector("button");
  button.disabled = true;
  const tell = messagesInOrder(([text, kind]) => say(text, kind));
  api("POST", "/api/applications/handover", {nik, ticket: view.ticket.id}).then((answer) => {
    $("handover-nik").value = "";
    tell([`KTP-el ${answer.application.name} tercatat sudah diterima (antrean ${answer.ticket}).`, "ok"]);
  }, (error) => {
    if (error.status !== 401) tell([error.message, "error"]);
  }).then(() => { button.disabled = false; });
});

$("noshow-list").addEventListener("click", (event) => {
  const item = event.target.closest("[data-ticket-id]");
  if (!item) return;
  selectedNoShow = parseInt(item.getAttribute("data-ticket-id"), 10);
  renderNoShows();
  renderButtons();
});

$("counter-select").addEventListener("change", (event) => {
  chooseCounter(parseInt(event.target.value, 10));
  event.target.blur();
});
$("counter-picker").addEventListener("click", (event) => {
  const option = event.target.closest("[data-counter]");
  if (option) chooseCounter(parseInt(option.getAttribute("data-counter"), 10));
});

$("logout").addEventListener("click", () => {
  api("POST", "/api/logout").catch(() => {}).then(() => { location.assign("/login"); });
});

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.body.getAttribute("data-tab") === "status") return;  // the call keys act on the queue tab only
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (!$("transfer-picker").hidden) {
    if (key === "Escape") { event.preventDefault(); closePicker(); return; }
    const options = document.querySelectorAll("#transfer-picker [data-service]");
    const index = parseInt(key, 10) - 1;
    if (index >= 0 && index < options.length) {
      event.preventDefault();
      if (!options[index].disabled) transferTo(options[index].getAttribute("data-service"));
    }
    return;  // letters do nothing while choosing a service
  }
  if (!$("counter-picker").hidden) return;
  if (key === "g") { event.preventDefault(); location.assign("/counter/later"); return; }
  const action = SHORTCUTS[key];
  if (!action) return;
  event.preventDefault();  // Space must not scroll or press the focused button
  if (!event.repeat) perform(action);
});
document.addEventListener("keyup", (event) => {
  if (event.key === " " && !typing(event.target) && document.body.getAttribute("data-tab") !== "status") {
    event.preventDefault();
  }
});

const settings = watchSettings();

connect("/api/events?screen=counter", {
  heartbeatSeconds: CONFIG.heartbeatSeconds,
  on: {
    queue: refreshSoon,
    call: refreshSoon,
    printer: (data) => { view.printer = data.state; renderPrinter(); renderButtons(); },
    settings: settings.changed  // reloads the page
  },
  onOpen: (reconnected) => { if (reconnected) refreshSoon(); },
  onStatus: (online) => { $("connection-banner").hidden = online; },
  poll: refreshSoon,  // no stream (refused or away): keep up by polling
  pollSeconds: 5
});

setInterval(renderWaiting, 30000);  // the minutes waiting move on by themselves

loadSession().then(() => {
  let stored = null;
  try { stored = parseInt(localStorage.getItem(STORAGE_KEY), 10); } catch (err) { /* no storage */ }
  if (stored && CONFIG.counters.some((c) => { return c.id === stored; })) chooseCounter(stored);
  else $("counter-picker").hidden = false;
  renderButtons();
}, (error) => {
  if (error.status !== 401) say(error.message, "error");
});

startStatusTab(api);  // the KTP-el status tab (counter-status.js) calls through the same session
