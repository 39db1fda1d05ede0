// The kiosk's "Standar Pelayanan" screen: each service's standard and the Maklumat, then a complaint typed on
// an on-screen keyboard (category, text, an optional phone number for a call back) and its receipt with a QR
// code. Nothing stays after an idle time: the page goes back to the kiosk's start screen.
// Voice guidance and large text are kiosk-voice.js's, as on /kiosk: it reads the [data-screen] shown (data-say keys),
// hears of each new screen ("kiosk:screen") and of an idle reset ("kiosk:reset"), and uses window.Kiosk below.
import { voiceLink } from "./kiosk/voice-link.js";
import "./kiosk/scanner.js";  // a slip scanned here is dropped, never taken as voice mode's keys

const app = document.getElementById("app");
const standards = JSON.parse(document.getElementById("standards").textContent);
const words = JSON.parse(document.getElementById("complaint-messages").textContent);
const MAX = Number(app.dataset.max);
const IDLE_MS = Number(app.dataset.idle) * 1000;
const KEY_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm,.?"];
let lang = "id";
let screen = "list";
const trail = [];
let service = null;
const draft = { category: null, text: "", phone: "", callMe: false };
const CALL_ME_TEXT = "Minta dihubungi melalui telepon.";  // what a complaint without typed text says (for staff)
const PHONE_MAX = 16;

const $ = (id) => document.getElementById(id);
const t = (key) => words[lang].complaints[key];
const en = (item, key) => (lang === "en" && item[`${key}_en`] && item[`${key}_en`].length ? item[`${key}_en`] : item[key]);

function button(text, className, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = className;
  element.textContent = text;
  element.addEventListener("click", onClick);
  return element;
}

function show(name, remember = true) {
  if (remember && name !== screen) trail.push(screen);
  screen = name;
  for (const section of document.querySelectorAll(".ks-screen")) section.hidden = section.id !== `screen-${name}`;
  render();
  const heading = document.querySelector(`#screen-${name} h2`);
  if (heading) { heading.tabIndex = -1; heading.focus(); }
  document.dispatchEvent(new CustomEvent("kiosk:screen", { detail: { screen: name } }));
}

// Back to the kiosk's start page; after an idle time, voice mode and large text end first (the resident left).
function goHome(reason) {
  document.dispatchEvent(new CustomEvent("kiosk:reset", { detail: { reason } }));
  window.location.assign("/kiosk");
}

// This page's controls for kiosk-voice.js (the kiosk's own page has kiosk.js's).
window.Kiosk = {
  config: { idle: Number(app.dataset.idle), warn: 0, result: 0 },
  current: () => screen,
  reset: goHome,
};

function renderStandard() {
  if (!service) return;
  $("service-title").textContent = lang === "en" && service.name_en ? service.name_en : service.name;
  $("service-title").dataset.say = `service.${service.code}`;
  const list = $("standard");
  list.replaceChildren();
  for (const key of ["requirements", "procedure", "time_standard", "cost", "product"]) {
    const value = en(service, key);
    const term = document.createElement("dt");
    term.textContent = t(key);
    term.dataset.say = `t.${key}`;
    const detail = document.createElement("dd");
    detail.dataset.say = `standard.${service.code}.${key}`;
    if (Array.isArray(value)) {
      const items = document.createElement(key === "procedure" ? "ol" : "ul");
      for (const text of value) {
        const item = document.createElement("li");
        item.textContent = text;
        items.append(item);
      }
      detail.append(items);
    } else {
      detail.textContent = value || "-";
    }
    list.append(term, detail);
  }
}

function renderTyped() {
  $("typed").textContent = draft.text;
  $("count").textContent = t("count").replace("{n}", draft.text.length).replace("{max}", MAX);
  $("text-next").disabled = draft.text.trim() === "";
  $("phone").textContent = draft.phone;
}

function render() {
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-c]")) element.textContent = t(element.dataset.c);
  for (const element of document.querySelectorAll("[data-lang]")) {
    element.setAttribute("aria-pressed", String(element.dataset.lang === lang));
  }
  $("maklumat").textContent = en(standards, "maklumat");
  $("services").replaceChildren(...standards.services.map((item) => {
    const choice = button(lang === "en" && item.name_en ? item.name_en : item.name, "ks-service",
      () => { service = item; show("service"); });
    choice.dataset.say = `service.${item.code}`;
    return choice;
  }));
  $("categories").replaceChildren(...standards.complaints.map((item) => {
    const choice = button("", "ks-choice", () => { draft.category = item.category; show("text"); });
    choice.dataset.say = `complaint.category.${item.category}`;
    const title = document.createElement("span");
    title.className = "ks-choice-title";
    title.textContent = lang === "en" ? item.label_en : item.label;
    const days = document.createElement("span");
    days.className = "ks-choice-sub";
    days.textContent = `${t("deadlines_title")}: ${t("days").replace("{n}", item.days)}`;
    choice.append(title, days);
    return choice;
  }));
  $("keyboard").querySelector("[data-key=space]").textContent = t("space");
  $("keyboard").querySelector("[data-key=delete]").textContent = t("delete");
  $("keypad").querySelector("[data-key=delete]").textContent = t("delete");
  renderStandard();
  renderTyped();
}

function type(character) {
  if (draft.text.length < MAX) draft.text += character;
  renderTyped();
}

function buildKeyboard() {
  const keyboard = $("keyboard");
  for (const row of KEY_ROWS) {
    const line = document.createElement("div");
    line.className = "ks-key-row";
    for (const character of row) {
      const key = button(character, "ks-key", () => type(draft.text === "" || /[.?]\s$/.test(draft.text)
        ? character.toUpperCase() : character));
      key.setAttribute("aria-label", character);
      line.append(key);
    }
    keyboard.append(line);
  }
  const last = document.createElement("div");
  last.className = "ks-key-row";
  const space = button("", "ks-key ks-key-wide", () => type(" "));
  space.dataset.key = "space";
  const remove = button("", "ks-key ks-key-delete", () => { draft.text = draft.text.slice(0, -1); renderTyped(); });
  remove.dataset.key = "delete";
  last.append(space, remove);
  keyboard.append(last);
  const keypad = $("keypad");
  for (const digit of "123456789+0") {
    keypad.append(button(digit, "ks-key", () => { if (draft.phone.length < PHONE_MAX) draft.phone += digit; renderTyped(); }));
  }
  const back = button("", "ks-key ks-key-delete", () => { draft.phone = draft.phone.slice(0, -1); renderTyped(); });
  back.dataset.key = "delete";
  keypad.append(back);
}

function fail(text, key) {
  $("error").textContent = text;
  $("error").dataset.say = key;
  $("error").hidden = false;
  const voice = voiceLink.active();
  if (voice) voice.say([key]);
}

async function send() {
  $("error").hidden = true;
  if (draft.callMe && !draft.phone) {
    fail(t("need_phone"), "complaint.need_phone");
    return;
  }
  $("send").disabled = true;
  const voice = voiceLink.active();
  if (voice) voice.say(["complaint.sending"]);
  try {
    const text = draft.text.trim() ? draft.text : CALL_ME_TEXT;
    const answer = await fetch("/api/complaints", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ category: draft.category, text, phone: draft.phone || null, lang }) });
    const body = await answer.json();
    if (!answer.ok) {
      fail(lang === "id" && body.error ? body.error.message : t("error"), "complaint.error");
      return;
    }
    const complaint = body.complaint;
    $("sent-code").textContent = complaint.code;
    // spoken: "Nomor pengaduan Anda: pe ge de, two zero two six, zero zero zero one", then its deadline
    $("sent-code").dataset.say = ["complaint.code_is", ...[...complaint.code.replace(/-/g, "")].map(
      (character) => (/\d/.test(character) ? `digit.${character}` : `letter.${character}`))].join(" ");
    $("sent-due").dataset.say = `complaint.due.${complaint.category}`;
    $("sent-due").textContent = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "id-ID", {
      timeZone: app.dataset.tz, weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit",
      minute: "2-digit" }).format(new Date(complaint.due_at)).replace(/(\d{2}):(\d{2})/, lang === "en" ? "$1:$2" : "$1.$2");
    $("sent-qr").src = `/api/complaints/${encodeURIComponent(complaint.token)}/qr.svg`;
    $("sent-qr").alt = `QR ${complaint.code}`;
    $("sent-receipt").hidden = !body.receipt;  // the kiosk's printer prints the code, dates and QR
    draft.text = "";
    draft.phone = "";
    draft.callMe = false;
    trail.length = 0;
    show("sent", false);
  } catch {
    fail(t("error"), "complaint.error");
  } finally {
    $("send").disabled = false;
  }
}

let idle;
function awake() {
  clearTimeout(idle);
  idle = setTimeout(() => goHome("idle"), IDLE_MS);
}

// Voice mode's keypad types the phone number: digits and Backspace come as "kiosk:voice-key" events.
$("phone").addEventListener("kiosk:voice-key", (event) => {
  const { key } = event.detail;
  if (/^\d$/.test(key)) {
    if (draft.phone.length < PHONE_MAX) draft.phone += key;
  } else if (key === "Backspace" && draft.phone) {
    draft.phone = draft.phone.slice(0, -1);
  } else {
    return;
  }
  event.preventDefault();
  $("error").hidden = true;
  renderTyped();
});

buildKeyboard();
$("complain").addEventListener("click", () => show("category"));
$("text-next").addEventListener("click", () => { draft.callMe = false; show("phone"); });
$("call-me").addEventListener("click", () => { draft.callMe = true; show("phone"); });
for (const element of document.querySelectorAll("[data-action=home]")) element.addEventListener("click", () => goHome("home"));
$("send").addEventListener("click", send);
for (const element of document.querySelectorAll("[data-go]")) element.addEventListener("click", () => show(element.dataset.go));
for (const element of document.querySelectorAll("[data-back]")) {
  element.addEventListener("click", () => show(trail.pop() || "list", false));
}
for (const element of document.querySelectorAll("[data-lang]")) {
  element.addEventListener("click", () => { lang = element.dataset.lang; render(); });
}
for (const event of ["pointerdown", "keydown"]) document.addEventListener(event, awake);
render();
awake();
