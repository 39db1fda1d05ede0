/* Counter, "Gangguan & hari lain": start and end a disruption, decide on the waiting tickets it holds
 * (keep, move to another service, turn into a booking for a later day), and book a later day for a
 * resident who phones. Words come from the page's catalogue (Indonesian, or English with ?lang=en).
 *
 * Keys (as on the counter screen: the letter shown on the button): G the disruption form, F the booking
 * form; in the list of waiting tickets Up/Down choose a ticket, B keep, A move (then a digit picks the
 * service, Esc cancels), H turn into a booking.
 */
import { inOrder, staffApi } from "./lib/api.js";
import { $, cell, changeGate, el, replaceRows, sayIn, typing } from "./lib/dom.js";
import { pageData } from "./lib/page-data.js";
import { connect } from "./live.js";

const CONFIG = pageData("later-config");
const W = CONFIG.words;
const KEPT_KEY = "kiosk.counter.kept";  // tickets kept during a disruption: not asked about again
const serviceNames = {};
CONFIG.services.forEach((s) => { serviceNames[s.code] = s.name; });

const client = staffApi({returnTo: location.pathname + location.search,
                         words: W,
                         onSession: (answer) => { $("staff-name").textContent = answer.user.username; }});
const api = client.call;

let active = [];
let tickets = [];
let selected = null;
let busy = false;
let kept = new Set();
try { kept = new Set(JSON.parse(sessionStorage.getItem(KEPT_KEY) || "[]")); } catch (err) { /* none kept */ }

const say = (id, text, kind) => sayIn($(id), "message", text, kind);
const failed = (id) => (error) => { if (error.status !== 401) say(id, error.message, "error"); };

function timeText(iso) {
  const match = /T(\d\d):(\d\d)/.exec(iso || "");
  return match ? `${match[1]}.${match[2]}` : "";
}

// ------------------------------------------------------------ disruptions

// Each list is drawn again only when it changed (lib/dom.js changeGate: no press lost under a live refresh).
const activeChanged = changeGate();
const ticketsChanged = changeGate();

function renderActive() {
  if (!activeChanged(active)) return;
  const items = active.map((d) => {
    const words = [d.service ? serviceNames[d.service] || d.service : W.all_services,
                   CONFIG.lang === "en" ? d.label_en : d.label];
    if (d.note) words.push(d.note);
    const since = `${W.since} ${timeText(d.since)}` + (d.until ? ` · ${W.until_short} ${timeText(d.until)}` : "");
    const end = el("button", {type: "button", class: "action end-button", "data-end": String(d.id),
                              text: W.end});
    return el("li", {class: "active-item", "data-disruption": String(d.id)}, [
      el("p", {class: "active-words", text: words.join(" · ")}), el("p", {class: "active-since", text: since}), end]);
  });
  replaceRows($("active-list"), items);
  $("active-empty").hidden = active.length > 0;
}

// The live stream and each decision reload these lists: a late answer must not put back a row decided since.
const activeInOrder = inOrder();
const ticketsInOrder = inOrder();

function loadActive() {
  return api("GET", "/api/disruptions").then(activeInOrder((answer) => {
    active = answer.disruptions;
    if (!active.length && kept.size) {  // over: a later disruption asks about every number again
      kept = new Set();
      try { sessionStorage.removeItem(KEPT_KEY); } catch (err) { /* no storage */ }
    }
    renderActive();
  }), failed("disruption-message"));
}

$("disruption-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy) return;
  const body = {service: $("d-service").value || null, reason: $("d-reason").value,
                note: $("d-note").value.trim()};
  if ($("d-until").value) body.until = $("d-until").value;
  busy = true;
  api("POST", "/api/disruptions", body).then((answer) => {
    $("d-note").value = "";
    $("d-until").value = "";
    say("disruption-message", W.started, "ok");
    return answer;
  }, failed("disruption-message")).then(() => { busy = false; return refresh(); });
});

$("active-list").addEventListener("click", (event) => {
  const button = event.target.closest("[data-end]");
  if (!button || busy) return;
  busy = true;
  button.disabled = true;
  api("POST", `/api/disruptions/${button.getAttribute("data-end")}/end`).then(() => {
    say("disruption-message", W.ended, "ok");
  }, failed("disruption-message")).then(() => {
    busy = false;
    button.disabled = false;  // refused: the list comes back unchanged and is not drawn again
    return refresh();
  });
});

// ------------------------------------------------------------ waiting tickets of the disrupted services

function undecided() { return tickets.filter((t) => !kept.has(t.id)); }

function renderTickets() {
  const shown = undecided();
  if (!shown.some((t) => t.id === selected)) selected = shown.length ? shown[0].id : null;
  if (!ticketsChanged([shown, selected])) return;
  const rows = shown.map((ticket) => {
    const tr = el("tr", {"data-ticket-id": String(ticket.id), "aria-current": String(ticket.id === selected)});
    tr.appendChild(cell(ticket.number, "number"));
    tr.appendChild(cell(serviceNames[ticket.service] || ticket.service));
    const buttons = el("td", {class: "decisions"}, [
      el("button", {type: "button", class: "decide", "data-decide": "keep", text: W.keep}),
      el("button", {type: "button", class: "decide", "data-decide": "move", text: W.move}),
      el("button", {type: "button", class: "decide", "data-decide": "rebook", text: W.rebook}),
    ]);
    buttons.querySelectorAll("button").forEach((b) => {
      b.setAttribute("aria-label", `${b.textContent} ${ticket.number}`);
    });
    if (ticket.id === selected) {
      ["B", "A", "H"].forEach((key, index) => {
        buttons.children[index].appendChild(el("kbd", {text: key}));
      });
    }
    tr.appendChild(buttons);
    return tr;
  });
  replaceRows($("affected-body"), rows);
  $("affected-count").textContent = String(shown.length);
  $("affected-empty").hidden = shown.length > 0;
  $("affected-body").closest("table").hidden = shown.length === 0;
}

function loadTickets() {
  return api("GET", "/api/disruptions/waiting").then(ticketsInOrder((answer) => {
    tickets = answer.tickets;
    renderTickets();
  }), failed("affected-message"));
}

function ticketById(id) { return tickets.find((t) => t.id === id) || null; }

// A ticket decided on leaves the list at once (the refresh that follows confirms it).
function decided(id) {
  tickets = tickets.filter((t) => t.id !== id);
  renderTickets();
}

function decide(id, decision) {
  const ticket = ticketById(id);
  if (!ticket || busy) return;
  selected = id;
  if (decision === "keep") {
    kept.add(id);
    try { sessionStorage.setItem(KEPT_KEY, JSON.stringify(Array.from(kept))); } catch (err) { /* no storage */ }
    say("affected-message", `${ticket.number} ${W.kept}`, "ok");
    renderTickets();
    return;
  }
  if (decision === "move") { openPicker(ticket); return; }
  busy = true;
  api("POST", `/api/tickets/${id}/rebook`).then((answer) => {
    decided(id);
    const b = answer.booking;
    say("affected-message", `${ticket.number} ${W.rebooked} ${b.code} · ${dayText(b.date)} · ${b.slot_start}–${b.slot_end}`,
        "ok");
  }, failed("affected-message")).then(() => { busy = false; return refresh(); });
}

let moving = null;
function openPicker(ticket) {
  moving = ticket;
  $("move-number").textContent = ticket.number;
  document.querySelectorAll("#move-picker [data-service]").forEach((option) => {
    option.disabled = option.getAttribute("data-service") === ticket.service;
  });
  $("move-picker").hidden = false;
  const first = document.querySelector("#move-picker [data-service]:not([disabled])");
  if (first) first.focus();
}
function closePicker() { $("move-picker").hidden = true; moving = null; }

function moveTo(code) {
  const ticket = moving;
  closePicker();
  if (!ticket || busy) return;
  busy = true;
  api("POST", `/api/tickets/${ticket.id}/transfer`, {service: code}).then(() => {
    decided(ticket.id);
    say("affected-message", `${ticket.number} ${W.moved} ${serviceNames[code] || code}.`, "ok");
  }, failed("affected-message")).then(() => { busy = false; return refresh(); });
}

$("affected-body").addEventListener("click", (event) => {
  const button = event.target.closest("[data-decide]");
  if (!button) return;
  decide(parseInt(button.closest("tr").getAttribute("data-ticket-id"), 10), button.getAttribute("data-decide"));
});
document.querySelector("#move-picker .picker-options").addEventListener("click", (event) => {
  const option = event.target.closest("[data-service]");
  if (option && !option.disabled) moveTo(option.getAttribute("data-service"));
});
$("move-cancel").addEventListener("click", closePicker);

// ------------------------------------------------------------ a later day for a resident who phones

let days = [];

function dayText(iso) {
  const day = new Date(`${iso}T12:00:00`);
  return day.toLocaleDateString(CONFIG.lang === "en" ? "en-GB" : "id-ID",
                                {weekday: "long", day: "numeric", month: "long"});
}

function fillSlots() {
  const day = days.find((d) => d.date === $("b-day").value);
  const options = (day ? day.slots : []).filter((s) => s.left > 0).map((s) => {
    return el("option", {value: s.start, text: `${s.start}–${s.end} (${W.seats_left} ${s.left})`});
  });
  replaceRows($("b-slot"), options);
}

const availabilityInOrder = inOrder();  // a service switched quickly: the earlier one's days are not drawn

function loadAvailability() {
  const code = $("b-service").value;
  if (!code) return Promise.resolve();
  return api("GET", `/api/bookings/availability?service=${encodeURIComponent(code)}`).then(availabilityInOrder((answer) => {
    days = answer.days.filter((d) => d.slots.some((s) => s.left > 0));
    const chosen = $("b-day").value;
    replaceRows($("b-day"), days.map((d) => el("option", {value: d.date, text: dayText(d.date)})));
    if (days.some((d) => d.date === chosen)) $("b-day").value = chosen;
    fillSlots();
    if (!days.length) say("book-message", W.no_seats, "error");
  }), failed("book-message"));
}

$("b-service").addEventListener("change", loadAvailability);
$("b-day").addEventListener("change", fillSlots);

$("book-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy) return;
  if (!$("b-slot").value) { say("book-message", W.choose_window, "error"); return; }
  const body = {service: $("b-service").value, date: $("b-day").value, slot: $("b-slot").value,
                members: parseInt($("b-members").value, 10) || 1};
  const phone = $("b-phone").value.trim();
  if (phone) body.phone = phone;
  busy = true;
  api("POST", "/api/bookings", body).then((answer) => {
    const b = answer.booking;
    $("book-code").textContent = b.code;
    $("book-when").textContent = `${dayText(b.date)} · ${b.slot_start}–${b.slot_end}`;
    $("book-result").hidden = false;
    $("b-phone").value = "";
    say("book-message", W.booked, "ok");
  }, (error) => { $("book-result").hidden = true; failed("book-message")(error); })
    .then(() => { busy = false; return loadAvailability(); });
});

// ------------------------------------------------------------ keys and live updates

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (!$("move-picker").hidden) {
    if (key === "Escape") { event.preventDefault(); closePicker(); return; }
    const options = document.querySelectorAll("#move-picker [data-service]");
    const index = parseInt(key, 10) - 1;
    if (index >= 0 && index < options.length) {
      event.preventDefault();
      if (!options[index].disabled) moveTo(options[index].getAttribute("data-service"));
    }
    return;
  }
  const shown = undecided();
  const at = shown.findIndex((t) => t.id === selected);
  if (key === "g") { event.preventDefault(); $("d-service").focus(); return; }
  if (key === "f") { event.preventDefault(); $("b-service").focus(); return; }
  if ((key === "ArrowDown" || key === "ArrowUp") && shown.length) {
    event.preventDefault();
    const next = Math.min(shown.length - 1, Math.max(0, at + (key === "ArrowDown" ? 1 : -1)));
    selected = shown[next].id;
    renderTickets();
    return;
  }
  const decision = {b: "keep", a: "move", h: "rebook"}[key];
  if (decision && selected !== null && !event.repeat) { event.preventDefault(); decide(selected, decision); }
});

function refresh() { return Promise.all([loadActive(), loadTickets()]); }

let timer = null;
function refreshSoon() {
  if (timer) return;
  timer = setTimeout(() => { timer = null; refresh(); }, 300);
}

client.loadSession().then(() => {
  // data-ready once the first lists are drawn and the keys work (tests wait for it before pressing keys)
  refresh().then(() => { document.body.dataset.ready = "true"; });
  loadAvailability();
  connect("/api/events?screen=counter", {
    on: {disruption: refreshSoon, queue: refreshSoon, bookings: () => { loadAvailability(); }},
    poll: refreshSoon, pollSeconds: 5
  });
}, failed("disruption-message"));

$("logout").addEventListener("click", () => {
  api("POST", "/api/logout").catch(() => {}).then(() => { location.assign("/login"); });
});
