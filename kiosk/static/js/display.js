/* Waiting-room display: live calls, waiting counts, clock, and the spoken announcement.
 *
 * Runs for months on a TV nobody touches, so every list here is bounded, the DOM is
 * built once and only its text changes, and there are exactly three timers (clock,
 * resync, the live watchdog). Announcements go through one queue: calls that arrive
 * together are spoken one after another, never over each other.
 */
import { pageData } from "./lib/page-data.js";
import { connect, watchSettings } from "./live.js";

const settings = watchSettings();
const CONFIG = pageData("display-config");
// The screen's words: the "display" part of kiosk/messages/<lang>.json in the language of ?lang=
// (the page renders the rest). The spoken call stays Indonesian whatever the screen shows.
const WORDS = CONFIG.words;
const DAYS = t("days").split(",");
const MONTHS = t("months").split(",");
const RECENT_SIZE = 5;
const QUEUE_LIMIT = 6;          // more pending announcements than this: the oldest are dropped
const SEEN_LIMIT = 200;         // ids of calls already handled (dedupe replays)
const LOG_LIMIT = 50;           // window.__announced / window.__received, for tests and support
const SILENT_SHOW_MS = 2500;    // how long a call is shown when it cannot be spoken
const CLIP_TIMEOUT_MS = 20000;  // a clip that never ends must not stop the queue
const RESYNC_MS = 5 * 60 * 1000;
// The big call stays while its loket still holds that number, at most this long (pages.CALL_SHOW_SECONDS):
// nobody walking in later is sent to a loket that is no longer calling them.
const CALL_SHOW_MS = CONFIG.callSeconds * 1000;

const el = {
  date: document.getElementById("date"),
  clock: document.getElementById("clock"),
  current: document.getElementById("current"),
  number: document.getElementById("current-number"),
  counter: document.getElementById("current-counter"),
  recall: document.getElementById("current-recall"),
  recentBox: document.querySelector(".recent"),
  recentRows: Array.prototype.slice.call(document.querySelectorAll("#recent-list .recent-row")),
  connection: document.getElementById("connection"),
  idleTitle: document.getElementById("idle-title"),
  idleText: document.getElementById("idle-text"),
  prompt: document.getElementById("sound-prompt")
};
const loketCells = {};
Array.prototype.forEach.call(document.querySelectorAll(".loket"), (item) => {
  loketCells[item.getAttribute("data-counter")] = item;
});
const countCells = {};
Array.prototype.forEach.call(document.querySelectorAll(".waiting-item"), (item) => {
  countCells[item.getAttribute("data-service")] = item.querySelector(".count");
});

let recent = [];              // newest first, at most RECENT_SIZE, one row per number
let shown = null;             // the call on the big panel, or null (welcome or "office closed")
const holding = {};             // counter id -> the number it has called or serves now
let office = {open: true};    // from /api/queue: open now, and when that changes
let liveEvents = 0;           // call and queue events from the stream: a /api/queue answer older than one is stale
const seen = {};
const seenOrder = [];
const pending = [];
let speaking = false;
let soundBlocked = false;
let clockOffsetMs = 0;        // server time minus this PC's time, from the Date header
let today = "";
const announced = window.__announced = [];
const received = window.__received = [];
window.__displayLoadedAt = Date.now();

function t(key, values) {
  let text = WORDS[key];
  Object.keys(values || {}).forEach((name) => { text = text.replace(`{${name}}`, values[name]); });
  return text;
}

function bounded(list, item, limit) {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

function markSeen(id) {
  if (!id || seen[id]) return;
  seen[id] = true;
  seenOrder.push(id);
  if (seenOrder.length > SEEN_LIMIT) delete seen[seenOrder.shift()];
}

// ------------------------------------------------------------ clock

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: CONFIG.timezone, year: "numeric", month: "numeric", day: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23"
});

function officeNow() {
  const parts = {};
  partsFormat.formatToParts(new Date(Date.now() + clockOffsetMs)).forEach((p) => { parts[p.type] = p.value; });
  const year = +parts.year, month = +parts.month, day = +parts.day;
  return {
    iso: `${year}-${month}-${day}`,
    ymd: [year, month - 1, day],
    date: t("date", {weekday: DAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()], day,
                     month: MONTHS[month - 1], year}),
    time: `${parts.hour}.${parts.minute}`
  };
}

function serverNow() { return Date.now() + clockOffsetMs; }

// Reopening words (opens_day, opens_today, opens_date when a week or more away), in the page language.
function reopens(iso) {
  const at = Date.parse(iso || "");
  if (isNaN(at)) return null;
  const parts = {};
  partsFormat.formatToParts(new Date(at)).forEach((p) => { parts[p.type] = p.value; });
  const time = `${parts.hour}.${parts.minute}`;
  const weekday = DAYS[new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day)).getUTCDay()];
  const todayParts = officeNow();
  const days = Math.round((Date.UTC(+parts.year, +parts.month - 1, +parts.day) -
                         Date.UTC.apply(null, todayParts.ymd)) / 86400000);
  if (days <= 0) return t("opens_today", {time});
  if (days >= 7) return t("opens_date", {weekday, day: +parts.day, month: MONTHS[+parts.month - 1],
                                         year: parts.year, time});
  return t("opens_day", {weekday, time});
}

function renderIdle() {
  const closed = !office.open;
  const title = closed ? t("closed_title") : t("idle_title");
  const when = closed ? reopens(office.opens_at) : null;
  const text = closed ? (when ? t("closed_text", {when}) : t("closed_unknown")) : t("idle_text");
  if (el.idleTitle.textContent !== title) el.idleTitle.textContent = title;
  if (el.idleText.textContent !== text) el.idleText.textContent = text;
  el.current.setAttribute("data-office", closed ? "closed" : "open");
}

// Is this call still for someone to walk to: its loket holds the number, recently called, office open?
function stillCalling(call) {
  if (!call) return false;
  if (holding[String(call.counter)] !== call.number) return false;
  const at = Date.parse(call.called_at || "");
  return isNaN(at) || serverNow() - at < CALL_SHOW_MS;
}

function reconsider() {
  if (shown && !stillCalling(shown)) showCurrent(null, false);
}

function tick() {
  const now = officeNow();
  reconsider();
  const edge = Date.parse((office.open ? office.closes_at : office.opens_at) || "");
  if (!isNaN(edge) && serverNow() >= edge && !fetching) refreshQueue(false);  // opening or closing time
  if (el.clock.textContent !== now.time) el.clock.textContent = now.time;
  if (el.date.textContent !== now.date) el.date.textContent = now.date;
  if (today && today !== now.iso) refreshQueue(true);  // a new office day: numbers start again
  today = now.iso;
}

// ------------------------------------------------------------ screen

// Before the first call of the day: a welcome, not an empty number with a dangling "silakan menuju".
function showCurrent(call, flash) {
  shown = call || null;
  if (!call) renderIdle();
  el.current.setAttribute("data-state", call ? "call" : "idle");
  el.number.textContent = call ? call.number : "";
  el.counter.textContent = call ? call.counter_name : "";
  el.recall.hidden = !(call && call.recall);
  el.current.setAttribute("data-call-id", call ? String(call.id) : "");
  renderRecent();
  if (flash) {
    el.current.classList.remove("flash");
    void el.current.offsetWidth;  // restart the animation
    el.current.classList.add("flash");
  }
}

// The calls before the one the big panel shows (all of them when it shows none).
function renderRecent() {
  const earlier = recent.filter((c) => { return !shown || c.number !== shown.number; });
  el.recentBox.hidden = earlier.length === 0;
  el.recentRows.forEach((row, index) => {
    const call = earlier[index];
    row.hidden = !call;
    row.firstChild.textContent = call ? call.number : "";
    row.lastChild.textContent = call ? call.counter_name : "";
  });
}

// What each loket holds now: its called or serving number, or nothing.
function showLoket(counterId, number) {
  if (number) holding[String(counterId)] = number;
  else delete holding[String(counterId)];
  const cell = loketCells[String(counterId)];
  if (!cell) return;
  const text = number || "\u2013";
  const box = cell.querySelector(".loket-number");
  if (box.textContent !== text) box.textContent = text;
  cell.setAttribute("data-state", number ? "busy" : "free");
}

function renderCounters(counters) {
  (counters || []).forEach((counter) => {
    showLoket(counter.id, counter.ticket ? counter.ticket.number : null);
  });
  if (counters) reconsider();  // the called ticket left its loket (no-show, done, transfer): clear the call
}

function addRecent(call) {
  recent = [call].concat(recent.filter((c) => { return c.number !== call.number; })).slice(0, RECENT_SIZE);
  renderRecent();
  showLoket(call.counter, call.number);
}

function renderWaiting(services) {
  (services || []).forEach((service) => {
    const cell = countCells[service.code];
    if (cell && cell.textContent !== String(service.waiting)) cell.textContent = String(service.waiting);
  });
}

el.current.addEventListener("animationend", () => { el.current.classList.remove("flash"); });

// ------------------------------------------------------------ sound

const player = new Audio();
player.preload = "auto";

// Play one clip to its end; resolve "ok", "blocked" (autoplay refused) or "error" (missing, broken, stuck).
function playClip(src) {
  return new Promise((resolve) => {
    let timer = null;
    function finish(result) {
      if (timer === null) return;
      clearTimeout(timer);
      timer = null;
      player.onended = player.onerror = null;
      if (result !== "ok") player.pause();
      resolve(result);
    }
    timer = setTimeout(() => { finish("error"); }, CLIP_TIMEOUT_MS);
    player.onended = () => { finish("ok"); };
    player.onerror = () => { finish("error"); };
    player.src = src;
    const started = player.play();
    if (started && started.catch) {
      started.catch((err) => { finish(err && err.name === "NotAllowedError" ? "blocked" : "error"); });
    }
  });
}

function indonesianVoice() {
  if (!("speechSynthesis" in window)) return null;
  const voices = window.speechSynthesis.getVoices() || [];
  for (let i = 0; i < voices.length; i++) {
    const lang = (voices[i].lang || "").toLowerCase().replace("_", "-");
    if (lang === "id-id" || lang === "id" || lang.indexOf("id-") === 0) return voices[i];
  }
  return null;
}

// Speak with the browser's own Indonesian voice; resolve true when it spoke.
function speakInBrowser(text) {
  const voice = indonesianVoice();
  if (!voice || !text) return Promise.resolve(false);
  return new Promise((resolve) => {
    const utterance = new SpeechSynthesisUtterance(text);
    const timer = setTimeout(() => { window.speechSynthesis.cancel(); resolve(false); }, CLIP_TIMEOUT_MS);
    utterance.voice = voice;
    utterance.lang = "id-ID";
    utterance.rate = 0.9;
    utterance.onend = () => { clearTimeout(timer); resolve(true); };
    utterance.onerror = () => { clearTimeout(timer); resolve(false); };
    window.speechSynthesis.speak(utterance);
  });
}

function wait(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }

function blocked() {
  soundBlocked = true;
  el.prompt.hidden = false;
}

el.prompt.addEventListener("click", () => {
  // A tap is the user gesture the browser wants: unlock the player with the chime.
  soundBlocked = false;
  el.prompt.hidden = true;
  player.src = CONFIG.chime;
  const started = player.play();
  if (started && started.catch) started.catch(() => { blocked(); });
});

function announce(call) {
  const entry = {id: call.id, number: call.number, counter: call.counter, recall: !!call.recall,
               at: Date.now(), via: "pending"};
  bounded(announced, entry, LOG_LIMIT);
  document.body.setAttribute("data-announced", String((+document.body.getAttribute("data-announced") || 0) + 1));
  showCurrent(call, true);
  if (soundBlocked) { entry.via = "muted"; return wait(SILENT_SHOW_MS); }
  return playClip(CONFIG.chime).then((chime) => {
    if (chime === "blocked") { blocked(); entry.via = "muted"; return wait(SILENT_SHOW_MS); }
    return playClip(call.audio_url).then((voice) => {
      if (voice === "ok") { entry.via = "wav"; return; }
      if (voice === "blocked") { blocked(); entry.via = "muted"; return; }
      return speakInBrowser(call.announcement).then((spoke) => {
        entry.via = spoke ? "speech" : (chime === "ok" ? "chime" : "none");
        if (!spoke) return wait(SILENT_SHOW_MS);
      });
    });
  }).then(() => { return wait(600); });  // a breath between two calls
}

function pump() {
  if (speaking || !pending.length) return;
  const call = pending.shift();
  if (!stillCalling(call)) { pump(); return; }  // it left its loket while waiting its turn: nobody to send
  speaking = true;
  announce(call).catch((err) => { if (window.console) console.error(err); }).then(() => {
    speaking = false;
    pump();
  });
}

// ------------------------------------------------------------ events

function onCall(call) {
  if (!call || seen[call.id]) return;
  markSeen(call.id);
  live.seen(call.id);
  addRecent(call);
  bounded(received, {id: call.id, number: call.number, recall: !!call.recall,
                     at: performance.timeOrigin + performance.now()}, LOG_LIMIT);
  document.body.setAttribute("data-last-call", String(call.id));
  pending.push(call);
  if (pending.length > QUEUE_LIMIT) pending.splice(0, pending.length - QUEUE_LIMIT);
  pump();
}

let fetching = null;
let synced = false;           // the first /api/queue answer has been shown
function refreshQueue(reset) {
  if (fetching) return fetching;
  const before = liveEvents;
  fetching = fetch("/api/queue", {cache: "no-store"}).then((response) => {
    const date = Date.parse(response.headers.get("Date") || "");
    if (!isNaN(date) && Math.abs(date - Date.now()) > 30000) clockOffsetMs = date - Date.now();
    if (!response.ok) throw new Error(`queue ${response.status}`);
    return response.json();
  }).then((queue) => {
    if (queue.office) office = queue.office;
    if (!shown) renderIdle();
    // A call or queue event that came over the stream while this answer travelled is newer than it: the
    // answer's lokets must not undo it (e.g. clear a call just made because the snapshot predates it).
    if (liveEvents === before) {
      renderWaiting(queue.services);
      renderCounters(queue.counters);
    }
    const calls = queue.recent_calls || [];
    const newest = calls.length ? calls[0].id : 0;
    if (reset || !synced) {
      // What was called before this page knew: show it, do not announce it again.
      calls.forEach((call) => { markSeen(call.id); });
      live.seen(newest);
      const arrivedMeanwhile = reset ? [] : recent.filter((c) => { return c.id > newest; });
      recent = [];
      calls.slice().reverse().concat(arrivedMeanwhile.reverse()).forEach((call) => {
        recent = [call].concat(recent.filter((c) => { return c.number !== call.number; }));
      });
      recent = recent.slice(0, RECENT_SIZE);
      renderRecent();
      if (!speaking) showCurrent(stillCalling(recent[0]) ? recent[0] : null, false);
      synced = true;
    } else {
      // Calls the stream has not brought (it is refused or away, and this is a poll): announce them.
      const lastSeen = live.lastEventId();
      calls.filter((call) => { return call.id > lastSeen; }).reverse().forEach(onCall);
    }
  }).catch(() => { /* the live stream retries; the next (re)connect fetches again */ })
    .then(() => { fetching = null; });
  return fetching;
}

function setOnline(online) {
  el.connection.setAttribute("data-state", online ? "online" : "offline");
  el.connection.textContent = t(online ? "online" : "reconnecting");
}

const live = connect("/api/events?screen=display", {
  heartbeatSeconds: CONFIG.heartbeatSeconds,
  on: {
    call: (call) => { liveEvents += 1; onCall(call); },
    queue: (data) => { liveEvents += 1; renderWaiting(data.services); renderCounters(data.counters); },
    settings: settings.changed,  // reloads the page
    // a disruption started or ended: display-disruption.js asks for the active list at once
    disruption: () => { document.dispatchEvent(new CustomEvent("display:disruption")); }
  },
  onOpen: (isReconnect) => { if (isReconnect || !synced) refreshQueue(false); },  // catch up after a drop
  after: refreshQueue(false),  // know the queue first: the stream then resumes after its newest call
  onStatus: setOnline,
  poll: () => { refreshQueue(false); },  // no stream (refused or away): keep up by polling
  pollSeconds: 3
});

tick();
setInterval(tick, 1000);
setInterval(() => { refreshQueue(false); }, RESYNC_MS);
window.__display = {pending: () => { return pending.length; }, synced: () => { return synced; },
                    live};
