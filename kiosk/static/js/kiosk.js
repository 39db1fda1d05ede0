/* Kiosk touchscreen: choose a service, Umum/Prioritas, show the number and QR, watch the printer;
   the KTP-el status check lives in kiosk-status.js and is wired in below.
   One resident at a time: everything about them lives in `resident` (and the status check's own
   state) and is wiped by reset(). */
import { pageData } from "./lib/page-data.js";
import { create as createStatus } from "./kiosk-status.js";
import { watchSettings } from "./live.js";
import { handOver, onScan } from "./kiosk/scanner.js";

const app = document.getElementById("app");
const config = {
  idle: Number(app.dataset.idle) || 60,
  warn: Number(app.dataset.warn) || 20,
  result: Number(app.dataset.result) || 15,
  tz: app.dataset.tz || "Asia/Jakarta",
};
const PRINT_GRACE_MS = 4000;   // a ticket still unprinted after this is a printer fault
const HEALTH_AFTER_MS = 1000;  // from then on, ask /healthz whether the printer is down
const SERVICES_REFRESH_MS = 15000;
// A new screen ignores taps this long: the second tap of a fast double tap must not land on
// whatever button the new screen puts under the finger (e.g. Umum/Prioritas after a service).
const SETTLE_MS = 500;

// The kiosk's words, one catalogue per language: kiosk/messages/<lang>.json, embedded by the page.
const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
const WORDS = { id: CATALOGUE.id.kiosk, en: CATALOGUE.en.kiosk };

const $ = (id) => document.getElementById(id);
const screens = Array.from(document.querySelectorAll("[data-screen]"));
const overlay = $("idle-warning");

let lang = "id";
let services = [];
let servicesFailed = false;
let current = "start";
let resident = null;          // {service, key, priority, ticket, fault, started}
const timers = {};            // name -> timeout/interval id
const settling = new Map();   // screen or overlay -> timeout that ends its settling time
let status = null;            // the KTP-el status check (kiosk-status.js), created below
const resetHooks = [];        // other kiosk flows (kiosk-survey.js) forget their resident too

function t(key, values) {
  let text = WORDS[lang][key] ?? WORDS.id[key] ?? "";
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

function stop(name) {
  clearTimeout(timers[name]);
  clearInterval(timers[name]);
  delete timers[name];
}

function later(name, ms, fn) {
  stop(name);
  timers[name] = setTimeout(() => { delete timers[name]; fn(); }, ms);
}

// ------------------------------------------------------------ screens and idle time

// Mark a freshly shown screen as settling: CSS turns its pointer events off, clicks are ignored.
function settle(node) {
  node.classList.add("is-settling");
  clearTimeout(settling.get(node));
  settling.set(node, setTimeout(() => node.classList.remove("is-settling"), SETTLE_MS));
}

function show(name) {
  const changed = name !== current;
  current = name;
  for (const screen of screens) {
    screen.hidden = screen.dataset.screen !== name;
    if (!screen.hidden && changed) settle(screen);
  }
  if (name === "start") {
    stop("idle");
  } else {
    armIdle();
  }
  if (changed) announceScreen(name);
}

function armIdle() {
  if (!overlay.hidden) return;
  later("idle", config.idle * 1000, warnIdle);
}

function warnIdle() {
  let left = config.warn;
  const tick = () => { $("idle-text").textContent = t("idle_text", { n: left }); };
  tick();
  overlay.hidden = false;
  settle(overlay);
  announceScreen("idle-warning");
  $("idle-continue").focus();
  stop("countdown");
  timers.countdown = setInterval(() => {
    left -= 1;
    if (left <= 0) reset("idle"); else tick();
  }, 1000);
}

function continueSession() {
  stop("countdown");
  overlay.hidden = true;
  if (current !== "start") armIdle();
  announceScreen(current);
}

// Forget the resident: timers, requests in flight (by identity), and every text and image shown.
function reset(reason) {
  document.dispatchEvent(new CustomEvent("kiosk:reset", { detail: { reason: reason || "home" } }));
  for (const name of Object.keys(timers)) stop(name);
  resident = null;
  overlay.hidden = true;
  for (const list of ["bring-list", "missing-list"]) $(list).replaceChildren();
  for (const id of ["chosen-service", "bring-service", "missing-service", "members-service", "result-members",
    "result-number", "result-service", "result-ahead", "result-wait",
    "error-text", "idle-text"]) {
    $(id).textContent = "";
    delete $(id).dataset.say;
    delete $(id).dataset.sayCall;
    delete $(id).dataset.sayElse;
  }
  const qr = $("result-qr");
  qr.removeAttribute("src");
  qr.alt = "";
  $("result-priority").hidden = true;
  $("result-members").hidden = true;
  $("result-existing").hidden = true;
  setFault(false);
  for (const button of document.querySelectorAll(".k-choice")) button.disabled = false;
  status.wipe();
  setLang("id");
  for (const hook of resetHooks) hook();
  show("start");
  loadServices();
}

// ------------------------------------------------------------ language and clock

function setLang(next) {
  lang = next;
  document.documentElement.lang = next;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === next));
  }
  renderServices();
  status.relabel();
  if (resident && resident.service && current === "priority") {
    $("chosen-service").textContent = serviceName(resident.service);
  }
  if (resident && resident.ticket) renderTicket(resident.ticket);
  if (resident && resident.service && (current === "bring" || current === "missing")) renderBring(current);
  tickClock();
  updateCues();
}

function tickClock() {
  const now = new Date();
  const parts = {};
  for (const part of new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: config.tz,
  }).formatToParts(now)) parts[part.type] = part.value;
  $("clock-time").textContent = `${parts.hour}.${parts.minute}`;
  $("clock-date").textContent = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", {
    weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: config.tz,
  }).format(now);
}

// ------------------------------------------------------------ services (start screen)

function reopensText(service) {
  // When a closed service opens again ("Buka kembali Senin, 08.00."), from the server's opens_at.
  if (!service.opens_at) return "";
  if (lang === "id") return service.reopens || "";
  const day = new Date(`${service.opens_at.slice(0, 10)}T12:00:00Z`)
    .toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
  const time = service.opens_at.slice(11, 16);
  const today = (service.reopens || "").includes("hari ini");
  return t(today ? "reopens_today" : "reopens", { day, time });
}

function closedText(service) {
  let text;
  if (lang === "id") {
    text = service.message || "";
  } else {
    const time = (service.message || "").match(/\d{2}\.\d{2}/);
    text = t(service.reason in WORDS.en ? service.reason : "service_closed", { time: time ? time[0] : "" });
  }
  const reopens = service.reason === "before_hours" ? "" : reopensText(service);  // "opens at" says it already
  return reopens ? `${text} ${reopens}` : text;
}

// A service's name in the kiosk's language ([[services]] name_en in English, when the office set it).
function serviceName(service) {
  return lang === "en" && service.name_en ? service.name_en : service.name;
}

function renderServices() {
  const list = $("services");
  const note = $("services-note");
  list.replaceChildren();
  for (const service of services) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `k-service-btn${service.open ? "" : " is-closed"}`;
    button.dataset.code = service.code;
    button.dataset.say = `service.${service.code}`;  // voice guidance (kiosk-voice.js)
    button.disabled = !service.open;
    const prefix = document.createElement("span");
    prefix.className = "k-prefix";
    prefix.textContent = service.prefix;
    prefix.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "k-svc-name";
    name.textContent = serviceName(service);
    const meta = document.createElement("span");
    meta.className = "k-svc-meta";
    meta.textContent = service.open ? t("waiting", { n: service.waiting }) : closedText(service);
    button.append(prefix, name, meta);
    list.append(button);
  }
  // "Layanan lainnya" after the services, in their scroll area: the services keep their room on screen
  if (services.length) {
    const door = $("more-door").content.firstElementChild.cloneNode(true);
    for (const node of door.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);  // in the kiosk's language
    list.append(door);
  }
  // The whole office closed (a holiday, a closed date, outside its hours): say it once, not on every card.
  const closedTexts = services.map((service) => (service.open ? null : closedText(service)));
  const officeClosed = services.length > 1 && closedTexts.every((text) => text && text === closedTexts[0]);
  list.dataset.closed = officeClosed ? "office" : "";
  if (officeClosed) {
    for (const meta of list.querySelectorAll(".k-svc-meta")) meta.textContent = t("closed_short");
    note.textContent = closedTexts[0];
    note.dataset.say = "error.service_closed";  // voice guidance
    note.hidden = false;
  } else if (!services.length) {
    note.textContent = t(servicesFailed ? "offline" : "no_services");
    note.dataset.say = servicesFailed ? "error.offline" : "error.no_services";  // voice guidance
    note.hidden = false;
  } else {
    note.hidden = true;
  }
}

async function loadServices() {
  try {
    const answer = await fetch("/api/services", { cache: "no-store" });
    if (!answer.ok) throw new Error(String(answer.status));
    services = await answer.json();
    servicesFailed = false;
  } catch (error) {
    services = [];
    servicesFailed = true;
  }
  renderServices();
  later("services", servicesFailed ? 3000 : SERVICES_REFRESH_MS, () => {
    if (current === "start") loadServices(); else later("services", SERVICES_REFRESH_MS, loadServices);
  });
}

// ------------------------------------------------------------ issuing

function newKey() {
  // crypto.randomUUID() needs a secure context; the office LAN serves plain http.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `kiosk-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function chooseService(code, key) {
  const service = services.find((s) => s.code === code);
  if (!service || !service.open) return;
  // One key per resident action: a double tap or a retry gets the same ticket back.
  resident = { service, key: key || newKey(), ticket: null, fault: false };
  $("chosen-service").textContent = serviceName(service);
  $("chosen-service").dataset.say = `service.${service.code}`;
  for (const button of document.querySelectorAll(".k-choice")) button.disabled = false;
  if (app.dataset.askRequirements === "true" && service.requirements && service.requirements.length) {
    showBring("bring");
  } else {
    afterBring();
  }
}

// ------------------------------------------------------------ what to bring, before a number is spent

// The service's requirements as a list (bring: "Sudah membawa semuanya?"; missing: what to bring next time).
function renderBring(screen) {
  const service = resident.service;
  const items = (lang === "en" ? service.requirements_en : service.requirements) || service.requirements;
  $(`${screen}-service`).textContent = serviceName(service);
  $(`${screen}-service`).dataset.say = `service.${service.code}`;
  $(`${screen}-list`).replaceChildren(...items.map((text, index) => {
    const item = document.createElement("li");
    item.textContent = text;
    item.dataset.say = `bring.${service.code}.${index}`;  // voice guidance (kiosk/domain/guide.py)
    return item;
  }));
  if (screen === "missing") {
    $("missing-later").hidden = !service.later_day;
    $("missing-hint").hidden = !service.later_day;
  }
}

function showBring(screen) {
  renderBring(screen);
  show(screen);
}

// ------------------------------------------------------------ one number per NIK, families

// Where the service gives one number per NIK: the NIK on the status check's keypad, then how many people of one
// Kartu Keluarga the number is for; the NIK stays in `resident` only, and is gone at reset().
function afterBring(message) {
  const mine = resident;
  if (!mine.service.one_per_nik) {
    show("priority");
    return;
  }
  status.askNik((nik) => {
    if (resident !== mine) return;
    mine.nik = nik;
    $("members-service").textContent = serviceName(mine.service);
    $("members-service").dataset.say = `service.${mine.service.code}`;
    show("members");
  }, () => reset("home"), message);
}

function chooseMembers(count) {
  if (!resident || !resident.nik) return;
  resident.members = count;
  show("priority");
}

function laterDay(service) {
  const code = service || (resident && resident.service ? resident.service.code : "");
  window.location.href = `${app.dataset.laterUrl}?service=${encodeURIComponent(code)}`;
}

// A slip or ticket scanned anywhere on the kiosk: the check-in is on the later-day screen (kiosk-later.js takes
// scans itself there). Without later days there is nothing to check in to: the scan is dropped.
onScan((text) => { if (app.dataset.laterUrl) handOver(text, app.dataset.laterUrl); });

// A service chosen elsewhere (the status check's next step), with that flow's key: the same
// Umum/Prioritas question as from the start screen, so priority residents keep their priority.
function askPriority(service, key) {
  chooseService(service.code, key);
}

function choosePriority(priority) {
  const mine = resident;
  if (!mine || mine.sending) return;
  mine.sending = true;
  mine.priority = priority;
  for (const button of document.querySelectorAll(".k-choice")) button.disabled = true;
  show("busy");
  issue(mine, 0);
}

async function issue(mine, attempt) {
  let answer;
  let body;
  try {
    answer = await fetch("/api/tickets", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": mine.key },
      body: JSON.stringify({
        service: mine.service.code, priority: mine.priority,
        ...(mine.nik ? { nik: mine.nik, members: mine.members || 1 } : {}),
      }),
    });
    body = await answer.json();
  } catch (error) {
    if (resident !== mine) return;
    if (attempt < 3) {
      later("retry", 700 * (attempt + 1), () => issue(mine, attempt + 1));
    } else {
      showError(t("offline"), "offline");
    }
    return;
  }
  if (resident !== mine) return; // the resident left; never show their ticket to the next one
  if (answer.ok && body.ticket) {
    mine.existing = Boolean(body.existing);  // the same NIK again today: its number, printed again
    showResult(mine, body.ticket);
  } else {
    const problem = (body && body.error) || {};
    // The status check's "rate_limited" words name minutes; a kiosk's ticket rate is a matter of seconds.
    const words = problem.code === "rate_limited" ? null : WORDS.en[problem.code];
    const message = lang === "id" ? problem.message : words || WORDS.en.error;
    if (problem.code === "invalid_nik" && mine.nik) {  // typed wrong: the keypad again, saying why
      mine.nik = null;
      mine.sending = false;
      afterBring(lang === "id" && problem.message ? { text: problem.message } : { key: "invalid_nik" });
      return;
    }
    showError(message || t("offline"), problem.code || "error");
    if (["service_closed", "quota_reached", "service_suspended"].includes(problem.code)) loadServices();
  }
}

// The message on screen; in voice mode the catalogue's sentence for its code (kiosk/guide.py "error.<code>"),
// or the generic "ask the staff" sentence for a code it does not know.
function showError(message, code) {
  $("error-text").textContent = message;
  $("error-text").dataset.say = `error.${code}`;
  $("error-text").dataset.sayElse = "error.error";
  show("error");
}

// ------------------------------------------------------------ result and printer watch

function renderTicket(ticket) {
  $("result-number").textContent = ticket.number;
  const service = services.find((s) => s.code === ticket.service);
  $("result-service").textContent = service ? serviceName(service) : ticket.service_name || ticket.service;
  $("result-service").dataset.say = `service.${ticket.service}`;
  $("result-number").dataset.sayCall = `call_to.${ticket.service}`;  // which loket will call it
  $("result-priority").hidden = !ticket.priority;
  $("result-members").hidden = !(ticket.members > 1);
  $("result-members").textContent = ticket.members > 1 ? t("members_n", { n: ticket.members }) : "";
  if (ticket.members > 1) $("result-members").dataset.say = `members.${ticket.members}`;  // voice: "Untuk tiga orang."
  else delete $("result-members").dataset.say;
  $("result-existing").hidden = !(resident && resident.existing);
  $("result-ahead").textContent = t("ahead", { n: ticket.ahead });
  $("result-wait").textContent = ticket.ahead > 0
    ? t("wait", { n: Math.max(1, ticket.estimated_wait_minutes) }) : t("wait_soon");
  $("result-ahead").dataset.say = `t.ahead count.${ticket.ahead}`;
  $("result-wait").dataset.say = ticket.ahead > 0
    ? `t.wait count.${Math.max(1, ticket.estimated_wait_minutes)} word.minutes` : "t.wait_soon";
  $("result-qr").alt = t("qr_alt", { number: ticket.number });
}

function showResult(mine, ticket) {
  mine.ticket = ticket;
  mine.started = Date.now();
  renderTicket(ticket);
  $("result-qr").src = `/api/tickets/${encodeURIComponent(ticket.token)}/qr.svg`;
  setFault(false);
  show("result");
  later("result", config.result * 1000, () => reset("result"));
  watchPrint(mine);
}

function setFault(fault) {
  if (resident) resident.fault = fault;
  $("print-fault").hidden = !fault;
  $("print-ok").hidden = fault;
  if (fault) stop("result"); // keep the number and QR on screen; the idle rule still applies
}

async function getJSON(url) {
  const answer = await fetch(url, { cache: "no-store" });
  return answer.json();
}

async function watchPrint(mine) {
  let status = mine.ticket.print_status;
  let printerDown = false;
  const elapsed = Date.now() - mine.started;
  if (status !== "printed") {
    try {
      const [fresh, health] = await Promise.all([
        elapsed > 0 ? getJSON(`/api/tickets/${encodeURIComponent(mine.ticket.token)}`) : null,
        elapsed >= HEALTH_AFTER_MS ? getJSON("/healthz") : null,
      ]);
      if (fresh && fresh.ticket) status = fresh.ticket.print_status;
      printerDown = !!health && (health.printer === "offline" || health.printer === "paper_out");
    } catch (error) {
      printerDown = false; // the server is unreachable: keep showing the number; ask again
    }
  }
  if (resident !== mine || current !== "result") return;
  if (status === "printed") {
    if (mine.fault) {
      setFault(false);
      later("result", config.result * 1000, () => reset("result"));
    }
    return;
  }
  if (status === "failed" || printerDown || elapsed >= PRINT_GRACE_MS) {
    if (!mine.fault) setFault(true);
  }
  later("print", mine.fault ? 2000 : 500, () => watchPrint(mine));
}

// ------------------------------------------------------------ scroll regions and their cue

// A part of a screen that may not fit (the services with large text, a long notice) scrolls by touch;
// a cue under it says more lies below while it does, and a tap on the cue scrolls a page further.
const scrollCues = [];
for (const box of document.querySelectorAll("[data-scroll]")) {
  const cue = document.createElement("div");
  cue.className = "k-scroll-cue";
  cue.dataset.cueFor = box.id;
  cue.setAttribute("aria-hidden", "true");  // the content itself is in the accessibility tree
  cue.hidden = true;
  cue.addEventListener("click", () => box.scrollBy({ top: box.clientHeight * 0.8, behavior: "smooth" }));
  box.append(cue);
  box.addEventListener("scroll", () => updateCue(box, cue), { passive: true });
  new MutationObserver(() => updateCue(box, cue)).observe(box, { childList: true });
  scrollCues.push([box, cue]);
}

// The cue is the box's last child, held at its foot while it scrolls (CSS position: sticky); a list
// redrawn by replaceChildren() gets it back here. While the content overflows, the cue keeps its room even when
// hidden at the end (.k-scrolls, kiosk.css): were the box to grow shorter there, everything in it would jump
// under a finger about to tap.
function updateCue(box, cue) {
  if (box.lastElementChild !== cue) box.append(cue);
  const room = cue.offsetHeight ? cue.offsetHeight + (parseFloat(getComputedStyle(box).rowGap) || 0) : 0;
  const overflows = box.offsetParent !== null && box.scrollHeight - room - box.clientHeight > 2;
  const more = overflows && box.scrollHeight - box.clientHeight - box.scrollTop > 2;
  if (cue.hidden === more) cue.hidden = !more;
  box.classList.toggle("k-scrolls", overflows);
  box.classList.toggle("has-more", more);
  const text = t(box.dataset.scroll || "scroll_more");
  if (cue.textContent !== text) cue.textContent = text;
}

function updateCues() {
  for (const [box, cue] of scrollCues) updateCue(box, cue);
}
// Content changes size without an event of its own (large text, a redrawn list): look often, it is cheap.
setInterval(updateCues, 250);
window.addEventListener("resize", updateCues);
document.addEventListener("kiosk:layout", updateCues);
document.addEventListener("kiosk:screen", (event) => {
  if (event.detail.screen !== "idle-warning") for (const [box] of scrollCues) box.scrollTop = 0;
  requestAnimationFrame(updateCues);
});

// ------------------------------------------------------------ hooks for other layers (kiosk-voice.js)

// Tell listeners which screen (or the idle overlay) the resident now sees.
function announceScreen(name) {
  document.dispatchEvent(new CustomEvent("kiosk:screen", { detail: { screen: name } }));
}

// The kiosk's own controls, for kiosk-voice.js (and window.Kiosk for tests and support).
export const Kiosk = { config, reset, current: () => current };
window.Kiosk = Kiosk;

// ------------------------------------------------------------ wiring

document.addEventListener("pointerdown", () => { if (current !== "start") armIdle(); }, true);
document.addEventListener("keydown", () => { if (current !== "start") armIdle(); }, true);
document.addEventListener("keydown", (event) => status.key(event));
document.addEventListener("kiosk:disruptions", () => loadServices());  // kiosk-disruption.js: a start or an end
document.addEventListener("contextmenu", (event) => event.preventDefault()); // long press on a touchscreen

app.addEventListener("click", (event) => {
  if (event.target.closest("a[data-action=more]")) {  // "Layanan lainnya": a screen of this page, not a new page
    event.preventDefault();
    show("more");
    return;
  }
  const target = event.target.closest("button");
  if (!target || target.disabled || target.closest(".is-settling")) return;
  if (status.click(target)) return;
  if (target.dataset.code) chooseService(target.dataset.code);
  else if (target.dataset.priority) choosePriority(target.dataset.priority === "true");
  else if (target.dataset.lang) setLang(target.dataset.lang);
  else if (target.dataset.action === "home") reset("home");
  else if (target.dataset.action === "bring-yes") afterBring();
  else if (target.dataset.members) chooseMembers(Number(target.dataset.members));
  else if (target.dataset.action === "bring-no") showBring("missing");
  else if (target.dataset.action === "later") laterDay(target.dataset.service);
  else if (target.id === "idle-continue") continueSession();
});

const dateFormat = () => new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", {
  day: "numeric", month: "long", year: "numeric", timeZone: config.tz,
});
status = createStatus({
  $, t, show, settle, newKey, askPriority, closedText, serviceName,
  lang: () => lang,
  current: () => current,
  services: () => services,
  refreshServices: loadServices,
  formatDate: (iso) => (iso ? dateFormat().format(new Date(iso)) : ""),
});
// kiosk-survey.js runs its screens under this file's idle rule, settling time and reset.
export const screenControl = {
  show, settle, reset, lang: () => lang, current: () => current, onReset: (hook) => resetHooks.push(hook),
  // kiosk-sms.js: the ticket on the result screen, and keeping it (no return to the start) while a phone is typed
  ticket: () => (resident ? resident.ticket : null), holdResult: () => stop("result"),
  askNik: (onNik, onBack, message) => status.askNik(onNik, onBack, message),  // kiosk-later.js: one booking per NIK
};

reset();
tickClock();
setInterval(tickClock, 1000);
// A settings change from the admin screen reloads the kiosk, but only on its start screen.
watchSettings({ busy: () => current !== "start" });
