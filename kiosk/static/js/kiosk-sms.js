/* Kiosk: "Kirim SMS saat giliran saya dekat". After a number is taken, the resident may type a mobile
   number on a keypad; the server keeps it for the "3 nomor lagi" and "dipanggil ke Loket N" messages
   until the ticket ends (POST /api/tickets/<id>/sms). Runs inside kiosk.js (its `screenControl`): its
   idle warning, settling time and reset apply, and a reset forgets the typed number.
   The page includes this module only when [sms] enabled.
   Voice guidance (kiosk-voice.js) reads these screens from their data-t keys (kiosk/guide.py "t.sms_*");
   the number is the screen's digit entry (data-voice-input): the keypad's digits type it, Backspace deletes,
   Enter sends, and a refusal is said by its code ("error.invalid_phone", ...). */
import { pageData } from "./lib/page-data.js";
import { screenControl as kiosk } from "./kiosk.js";
import { voiceLink } from "./kiosk/voice-link.js";

const offer = document.getElementById("sms-offer");
// For another flow of this page (a booking made on it, say): askPhone({number, url, back, booking}) opens the
// keypad for that number ("A-001", or with booking: true a booking's code), posts {"phone"} to url
// (/api/bookings/<token>/sms) and "Kembali" goes to the screen named back ("start" by default).
// Null while the page has no SMS ([sms] enabled = false).
export let askPhone = null;
if (offer) start();

function start() {
  const MAX_DIGITS = 13;  // 08 and up to 11 more: Indonesian mobile numbers
  const MIN_DIGITS = 10;
  const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
  const WORDS = { id: CATALOGUE.id.kiosk, en: CATALOGUE.en.kiosk };
  const $ = (id) => document.getElementById(id);
  let entry = null;  // {target: {number, url, back, booking}, digits, sending}

  function t(key, values) {
    const lang = kiosk.lang();
    let text = WORDS[lang][key] ?? WORDS.id[key] ?? "";
    for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
    return text;
  }

  // "0812 3456 7890": groups of four, as the number is written on a slip of paper
  function grouped(digits) {
    return digits.replace(/(\d{4})(?=\d)/g, "$1 ");
  }

  function say(text, busy) {
    $("sms-message").textContent = text || "";
    $("sms-message").hidden = !text;
    $("sms-message").classList.toggle("is-busy", !!busy);
  }

  // A refusal on screen, and in voice mode its sentence (the generic one for a code the catalogue lacks)
  function refuse(text, code) {
    say(text);
    const reader = voiceLink.active();
    if (reader) reader.read([reader.has(`error.${code}`) ? `error.${code}` : "error.error"]);
  }

  function render() {
    $("sms-digits").textContent = grouped(entry.digits);
    $("sms-send").disabled = entry.sending || entry.digits.length < MIN_DIGITS;
    $("sms-ticket").textContent = t(entry.target.booking ? "sms_for_booking" : "sms_for", { number: entry.target.number });
    // voice mode: "Untuk nomor antrean" and the number (or the booking code) letter by letter, digit by digit
    const spelled = [...entry.target.number.replace("-", "")].map((char) => (/\d/.test(char) ? `digit.${char}` : `letter.${char}`));
    $("sms-ticket").dataset.say = [entry.target.booking ? "t.sms_for_booking" : "t.sms_for", ...spelled].join(" ");
  }

  function forget() {
    entry = null;
    $("sms-digits").textContent = "";
    $("sms-ticket").textContent = "";
    delete $("sms-ticket").dataset.say;
    $("sms-done-phone").textContent = "";
    $("sms-done-text").textContent = "";
    say("");
  }

  function open(target) {
    if (!target) return;
    kiosk.holdResult();  // the number stays on this kiosk until the resident is done here
    entry = { target, digits: "", sending: false };
    say("");
    render();
    kiosk.show("sms-phone");
  }

  function doneText(target) {
    return target.booking ? t("sms_done_booking") : t("sms_done_text", { number: target.number });
  }

  // The ticket on the number screen
  function ticketTarget() {
    const ticket = kiosk.ticket();
    return ticket && { number: ticket.number, url: `/api/tickets/${encodeURIComponent(ticket.id)}/sms`, back: "result" };
  }

  askPhone = (target) => open({ back: "start", ...target });

  function press(key) {
    if (!entry || entry.sending) return;
    if (key === "delete") entry.digits = entry.digits.slice(0, -1);
    else if (key === "send") { send(); return; } else if (key === "back") { kiosk.show(entry.target.back); return; }
    else if (/^[0-9]$/.test(key) && entry.digits.length < MAX_DIGITS) entry.digits += key;
    say("");
    render();
  }

  async function send() {
    const mine = entry;
    if (mine.digits.length < MIN_DIGITS) { refuse(t("sms_short"), "sms_short"); return; }
    if (!mine.digits.startsWith("08")) { refuse(t("invalid_phone"), "invalid_phone"); return; }
    mine.sending = true;
    say(t("sms_sending"), true);
    render();
    let answer;
    let body = null;
    try {
      answer = await fetch(mine.target.url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ phone: mine.digits }),
      });
      body = await answer.json();
    } catch (error) {
      answer = null;
    }
    if (entry !== mine) return;  // the resident left meanwhile
    mine.sending = false;
    if (answer && answer.ok && body && body.sms) {
      $("sms-done-phone").textContent = grouped(mine.digits.slice(0, 4) + "*".repeat(mine.digits.length - 7)
        + mine.digits.slice(-3));
      $("sms-done-text").textContent = doneText(mine.target);
      $("sms-done-text").dataset.say = mine.target.booking ? "t.sms_done_booking_voice" : "t.sms_done_voice";
      kiosk.show("sms-done");
      return;
    }
    const problem = (body && body.error) || {};
    const english = kiosk.lang() === "en" ? WORDS.en[problem.code] : null;
    render();
    refuse(english || problem.message || t("offline"), problem.code || "offline");
  }

  offer.addEventListener("click", () => { if (!offer.closest(".is-settling")) open(ticketTarget()); });
  $("screen-sms-phone").addEventListener("click", (event) => {
    const target = event.target.closest("button[data-sms-key]");
    if (!target || target.disabled || target.closest(".is-settling")) return;
    press(target.dataset.smsKey);
  });
  // A physical keypad: digits, Backspace, Enter
  document.addEventListener("keydown", (event) => {
    if (voiceLink.get() && voiceLink.get().took(event)) return;
    if (kiosk.current() !== "sms-phone" || !entry || event.ctrlKey || event.altKey || event.metaKey) return;
    if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === "Backspace") press("delete");
    else if (event.key === "Enter") press("send");
    else return;
    event.preventDefault();
  });
  // Voice mode's keypad types into the entry: digits, Backspace, Enter (also while Kirim is disabled: too short)
  $("sms-digits").addEventListener("kiosk:voice-key", (event) => {
    if (!entry || entry.sending) return;
    const pressed = event.detail.key;
    press(pressed === "Backspace" ? "delete" : pressed === "Enter" ? "send" : pressed);
    event.preventDefault();
  });
  // A language change redraws the texts built here
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => setTimeout(() => {  // after kiosk.js has changed the language
      if (!entry) return;
      render();
      if (kiosk.current() === "sms-done") $("sms-done-text").textContent = doneText(entry.target);
    }, 0));
  }
  kiosk.onReset(forget);
}
