/* "Ambil nomor untuk hari lain" on the kiosk: a service, a day, an arrival window (POST /api/bookings) and the
   slip; and check-in on the day by the booking code or the slip's QR code (a USB scanner types it into the
   field and presses Enter: POST /api/check-ins). Runs inside kiosk.js (its `screenControl`): its language,
   large text, voice mode, idle warning, settling time and reset apply. /kiosk/later opens the page here
   (?service=CODE: on that service's days). Every button carries the voice catalogue's keys (kiosk/guide.py). */
import { pageData } from "./lib/page-data.js";
import { screenControl as kiosk } from "./kiosk.js";
import { onScan, takeOver } from "./kiosk/scanner.js";

const $ = (id) => document.getElementById(id);
const app = $("app");
const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
const WORDS = { id: CATALOGUE.id.kiosk, en: CATALOGUE.en.kiosk };
const LATER_SCREENS = ["later", "later-days", "later-slots", "later-done"];

let services = [];    // the services that take bookings (GET /api/services, later_day)
let chosen = null;    // {service, key, days, day, nik}: the resident's booking in the making
let shownDone = null; // what the last screen shows, redrawn in the other language

function t(key, values) {
  let text = WORDS[kiosk.lang()][key] ?? WORDS.id[key] ?? "";
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

const serviceName = (service) => (kiosk.lang() === "en" && service.name_en ? service.name_en : service.name);
const clock = (hhmm) => hhmm.replace(":", ".");
const byCode = (code) => services.find((service) => service.code === code);

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `later-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

// "Kamis, 26 November 2026" / "Thursday, 26 November 2026": a calendar day, whatever this PC's zone.
function dayText(iso) {
  return new Intl.DateTimeFormat(kiosk.lang() === "id" ? "id-ID" : "en-GB", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  }).format(new Date(`${iso}T12:00:00Z`));
}

// Voice: a day as weekday, date and month; a time as its hour and minutes; a code letter by letter.
function daySay(iso) {
  const when = new Date(`${iso}T12:00:00Z`);
  return `weekday.${when.getUTCDay()} count.${when.getUTCDate()} month.${when.getUTCMonth() + 1}`;
}

function timeSay(hhmm) {
  const [hour, minute] = hhmm.split(":").map(Number);
  return minute ? `count.${hour} count.${minute}` : `count.${hour}`;
}

function codeSay(code) {
  return [...code].map((char) => (/[0-9]/.test(char) ? `digit.${char}` : `letter.${char}`)).join(" ");
}

function requirementsOf(code) {
  const service = byCode(code);
  if (!service) return [];
  return (kiosk.lang() === "en" ? service.requirements_en : service.requirements) || [];
}

function button(className, text, data) {
  const made = document.createElement("button");
  made.type = "button";
  made.className = className;
  made.textContent = text;
  Object.assign(made.dataset, data);
  return made;
}

// ------------------------------------------------------------ service, day, window

async function loadServices() {
  try {
    const answer = await fetch("/api/services", { cache: "no-store" });
    services = answer.ok ? (await answer.json()).filter((service) => service.later_day) : [];
  } catch (error) {
    services = [];
  }
}

function renderServices() {
  const list = $("later-services");
  if (!services.length) {
    const none = document.createElement("p");
    none.className = "k-note";
    none.textContent = t("later_none");
    list.replaceChildren(none);
    return;
  }
  list.replaceChildren(...services.map((service) => {
    const made = button("k-service-btn l-service", "", { service: service.code, say: `service.${service.code}` });
    const prefix = document.createElement("span");
    prefix.className = "k-prefix";
    prefix.setAttribute("aria-hidden", "true");
    prefix.textContent = service.prefix;
    const name = document.createElement("span");
    name.className = "k-svc-name";
    name.textContent = serviceName(service);
    made.append(prefix, name);
    return made;
  }));
}

async function open(code) {
  await loadServices();
  renderServices();
  $("later-message").textContent = "";
  kiosk.show("later");
  $("checkin-code").focus({ preventScroll: true });  // a scanned slip types its link here at once
  if (code && byCode(code)) chooseService(code);
}

async function chooseService(code) {
  const service = byCode(code);
  let days = [];
  try {
    const answer = await fetch(`/api/bookings/availability?service=${encodeURIComponent(code)}`, { cache: "no-store" });
    days = answer.ok ? (await answer.json()).days : [];
  } catch (error) {
    say(t("offline"));
    return;
  }
  chosen = { service, key: newKey(), days, day: null, nik: null };
  renderDays();
  kiosk.show("later-days");
}

function renderDays() {
  $("days-service").textContent = serviceName(chosen.service);
  $("days-service").dataset.say = `service.${chosen.service.code}`;
  $("day-list").replaceChildren(...chosen.days.map((day) => {
    const made = button("l-choice", dayText(day.date), { day: day.date, say: daySay(day.date) });
    made.disabled = day.slots.every((slot) => slot.left <= 0);
    return made;
  }));
}

function chooseDay(iso) {
  chosen.day = chosen.days.find((day) => day.date === iso);
  renderSlots();
  kiosk.show("later-slots");
}

function renderSlots() {
  $("slots-day").textContent = dayText(chosen.day.date);
  $("slots-day").dataset.say = daySay(chosen.day.date);
  $("slot-list").replaceChildren(...chosen.day.slots.map((slot) => {
    const seats = slot.left > 0 ? t("later_left", { n: slot.left }) : t("later_full");
    const made = button("l-choice", `${clock(slot.start)}–${clock(slot.end)} · ${seats}`, {
      slot: slot.start, say: `${timeSay(slot.start)} word.until ${timeSay(slot.end)}`,
    });
    made.disabled = slot.left <= 0;
    return made;
  }));
}

// ------------------------------------------------------------ booking and check-in

async function send(url, body, headers = {}) {
  try {
    const answer = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body),
    });
    return { ok: answer.ok, data: await answer.json().catch(() => ({})) };
  } catch (error) {
    return { ok: false, data: {} };
  }
}

// An API error in the kiosk's language: the server's own words in Indonesian; in English the catalogue's,
// filled with what the server's "details" name (a day, a window, a time, a number).
function problemText(data) {
  const problem = data.error || {};
  if (!problem.code) return t("offline");
  if (kiosk.lang() === "id") return problem.message;
  const details = problem.details || {};
  const values = { ...details, ...(details.date ? { date: dayText(details.date) } : {}) };
  return WORDS.en[problem.code] ? t(problem.code, values) : t("error");
}

function say(text, code) {
  $("later-message").textContent = text;
  $("later-message").dataset.say = code ? `error.${code}` : "error.error";
  $("later-message").dataset.sayElse = "error.error";  // a code the voice catalogue does not know
  kiosk.show("later");
  $("checkin-code").focus({ preventScroll: true });
}

async function book(slot) {
  const mine = chosen;
  if (mine.service.one_per_nik && !mine.nik) {  // one booking per NIK: the status check's keypad first
    kiosk.askNik((nik) => { mine.nik = nik; book(slot); }, () => kiosk.show("later-slots"));
    return;
  }
  const body = { service: mine.service.code, date: mine.day.date, slot, ...(mine.nik ? { nik: mine.nik } : {}) };
  const { ok, data } = await send("/api/bookings", body, { "Idempotency-Key": mine.key });
  if (chosen !== mine) return;  // the resident left meanwhile
  mine.nik = null;
  if (!ok) {
    say(problemText(data), data.error && data.error.code);
    return;
  }
  shownDone = { kind: "booking", booking: data.booking };
  renderDone();
  kiosk.show("later-done");
}

async function checkIn(event) {
  event.preventDefault();
  const code = $("checkin-code").value.trim();
  $("checkin-code").value = "";
  if (code) await checkInWith(code);
}

// A slip's or ticket's QR scanned while the check-in field had no focus (another screen, or the start screen).
async function scanned(text) {
  if (!LATER_SCREENS.includes(kiosk.current())) await open();
  await checkInWith(text);
}

async function checkInWith(code) {
  const { ok, data } = await send("/api/check-ins", { code });
  if (!ok) {
    say(problemText(data), data.error && data.error.code);
    return;
  }
  await loadServices();
  // a ticket's QR (a missed call) answers late_return: the same number, back in the queue
  shownDone = { kind: "ticket", ticket: data.ticket, walkIn: Boolean(data.walk_in), lateReturn: Boolean(data.late_return) };
  renderDone();
  kiosk.show("later-done");
}

function renderDone() {
  const title = $("done-title");
  const code = $("done-code");
  const arrival = $("done-window");
  let service;
  if (shownDone.kind === "booking") {
    const booking = shownDone.booking;
    service = booking.service;
    title.textContent = t("later_booked");
    title.dataset.say = "t.later_booked";
    $("done-detail").textContent = `${byCode(service) ? serviceName(byCode(service)) : booking.service_name} · ${
      dayText(booking.date)}`;
    $("done-detail").dataset.say = `service.${service} ${daySay(booking.date)}`;
    code.textContent = booking.code;
    code.dataset.say = `t.later_code ${codeSay(booking.code)}`;
    delete code.dataset.sayNumber;
    arrival.textContent = t("window", { start: clock(booking.slot_start), end: clock(booking.slot_end) });
    arrival.dataset.say = `word.come ${timeSay(booking.slot_start)} word.until ${timeSay(booking.slot_end)}`;
    $("done-slip").textContent = t("later_slip");
    $("done-slip").dataset.say = "t.later_slip";
  } else {
    const ticket = shownDone.ticket;
    service = ticket.service;
    title.textContent = t("checkin_number");
    title.dataset.say = "t.your_number";
    $("done-detail").textContent = byCode(service) ? serviceName(byCode(service)) : ticket.service_name;
    $("done-detail").dataset.say = `service.${service}`;
    code.textContent = ticket.number;
    delete code.dataset.say;
    code.dataset.sayNumber = "";   // read as a queue number (kiosk-voice.js), with where it is called
    code.dataset.sayCall = `call_to.${service}`;
    const arrivalKey = shownDone.lateReturn ? "checkin_late_return" : shownDone.walkIn ? "checkin_walk_in" : "checkin_booked";
    arrival.textContent = t(arrivalKey);
    arrival.dataset.say = `t.${arrivalKey}`;
    $("done-slip").textContent = "";
    delete $("done-slip").dataset.say;
  }
  const smsOffer = $("later-sms-offer");  // only where [sms] enabled
  if (smsOffer) smsOffer.hidden = shownDone.kind !== "booking";
  const bring = requirementsOf(service);
  $("done-bring").textContent = bring.length ? t("bring", { items: bring.join("; ") }) : "";
  const items = (byCode(service) || { requirements: [] }).requirements.map((_, index) => `bring.${service}.${index}`);
  $("done-bring").dataset.say = items.length ? `word.bring ${items.join(" ")}` : "";
}

// "Kirim SMS saat giliran saya dekat" for the booking just made: kiosk-sms.js's keypad keeps the number with it
// (the module is already on the page wherever [sms] is enabled; importing it again loads nothing).
async function askSms() {
  if (!shownDone || shownDone.kind !== "booking") return;
  const booking = shownDone.booking;
  const { askPhone } = await import("./kiosk-sms.js");
  if (askPhone) {
    askPhone({ number: booking.code, url: `/api/bookings/${encodeURIComponent(booking.token)}/sms`, booking: true,
      back: "later-done" });
  }
}

// ------------------------------------------------------------ language, reset, wiring

function redraw() {
  const current = kiosk.current();
  if (!LATER_SCREENS.includes(current)) return;
  renderServices();
  if (chosen) renderDays();
  if (chosen && chosen.day) renderSlots();
  if (shownDone) renderDone();
}

function forget() {
  chosen = null;
  shownDone = null;
  for (const id of ["later-services", "day-list", "slot-list"]) $(id).replaceChildren();
  for (const id of ["later-message", "days-service", "slots-day", "done-title", "done-detail", "done-code",
    "done-window", "done-bring", "done-slip"]) {
    $(id).textContent = "";
    for (const key of ["say", "sayNumber", "sayCall"]) delete $(id).dataset[key];
  }
  $("checkin-code").value = "";
  if ($("later-sms-offer")) $("later-sms-offer").hidden = true;
  // /kiosk/later opened this page: the next resident starts on the kiosk's own start screen
  if (window.location.pathname !== "/kiosk") window.history.replaceState(null, "", "/kiosk");
}

app.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target || target.disabled || target.closest(".is-settling")) return;
  if (target.dataset.service && target.closest("#later-services")) chooseService(target.dataset.service);
  else if (target.dataset.day) chooseDay(target.dataset.day);
  else if (target.dataset.slot) book(target.dataset.slot);
  else if (target.dataset.action === "later-back") open();
  else if (target.dataset.action === "later-days") kiosk.show("later-days");
  else if (target.dataset.action === "later-sms") askSms();
});
$("checkin-form").addEventListener("submit", checkIn);
kiosk.onReset(forget);
new MutationObserver(redraw).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
onScan(scanned);
const handed = takeOver();  // a scan on the kiosk's start screen brought the resident here
if (app.dataset.open === "later") open(app.dataset.openService).then(() => { if (handed) checkInWith(handed); });
