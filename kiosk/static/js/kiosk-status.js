/* KTP-el status check on the kiosk: a privacy notice, the NIK and then the nomor KK on an on-screen
   keypad, and the answer with its next step as one button that issues a queue number.
   The two numbers live only in `entry` (this closure) until the answer comes back, and never in a URL,
   the browser history or the console; wipe() clears them and every text shown. kiosk.js wires it in. */
import { pageData } from "./lib/page-data.js";
import { voiceLink } from "./kiosk/voice-link.js";
const LENGTH = 16;
const GROUPS = [6, 6, 4];  // how a NIK / nomor KK is printed and read: 620301 170890 0001

// Words of the status check: the "kiosk" part of kiosk/messages/<lang>.json (shared with kiosk.js).
const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
const WORDS = { id: CATALOGUE.id.kiosk, en: CATALOGUE.en.kiosk };

// How an answer is coloured: the card is ready or handed over / something needs doing / still on its way.
const TONES = {
  READY_FOR_PICKUP: "ready", CARD_ISSUED: "ready",
  UNREGISTERED: "action", ENROLL_FAILURE_AT_CENTRAL: "action", ENROLL_FAILURE_AT_REGIONAL: "action",
  SEARCH_FAILURE_AT_CENTRAL: "action", DUPLICATE_RECORD: "action", PRINT_READY_RECORD: "action",
};

function group(digits) {
  const parts = [];
  let at = 0;
  for (const size of GROUPS) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  return parts.join(" ");
}

// Voice guidance (kiosk-voice.js), when it is on: say keys, or read the screen again after a change
// that is not a new screen (the next step, a message). Every key is one of kiosk/guide.py's.
function voiceOn() {
  return Boolean(voiceLink.active());
}

function voiceRead(prefix) {
  if (voiceOn()) voiceLink.get().read(prefix);
}

const SPOKEN_PROBLEMS = ["invalid_nik", "invalid_kk", "not_found", "rate_limited"];

function create(kiosk) {
  const { $, t } = kiosk;
  const screen = $("screen-status-entry");
  let entry = null;   // {step: "nik"|"kk", nik, kk, looking, message: {key}|{text}}; null when nobody is here
  let answer = null;  // {status, key, sending}: the lookup's answer, without the numbers that found it

  // ---------------------------------------------------------------- entry (keypad)

  function begin() {
    wipe();
    kiosk.show("status-notice");
  }

  function openEntry() {
    entry = { step: "nik", nik: "", kk: "", looking: false, message: null };
    renderEntry();
    kiosk.show("status-entry");
  }

  // The step's heading words; their data-t keys change too, so that a language switch finds them.
  function label(step) {
    const keys = { "entry-step": `step_${step}`, "entry-title": `${step}_title`, "entry-hint": `${step}_hint` };
    for (const [id, key] of Object.entries(keys)) {
      $(id).dataset.t = key;
      $(id).textContent = t(key);
    }
  }

  // One number per NIK (a service's one_per_nik): the same keypad, one step ("ticket"); the NIK goes to
  // onNik and leaves this flow at once; message: why it is asked again ({key} or {text}).
  function askNik(onNik, onBack, message = null) {
    wipe();
    entry = { step: "ticket", ticket: "", looking: false, message, onNik, onBack };
    renderEntry();
    kiosk.show("status-entry");
  }

  function typed() {
    return entry[entry.step];
  }

  function setTyped(value) {
    entry[entry.step] = value;
    entry.message = null;
    renderEntry();
  }

  function renderEntry() {
    if (!entry) return;
    const step = entry.step;
    screen.dataset.step = step;
    label(step);
    const value = typed();
    $("entry-digits").textContent = group(value);
    $("entry-count").textContent = t("count", { n: value.length });
    const message = $("entry-message");
    const shown = entry.looking ? t("checking") : entry.message ? (entry.message.text || t(entry.message.key)) : "";
    message.textContent = shown;
    message.hidden = !shown;
    message.classList.toggle("is-busy", entry.looking);
    const next = screen.querySelector("[data-key=next]");
    next.disabled = value.length !== LENGTH || entry.looking;
  }

  function press(key) {
    if (!entry || entry.looking) return;
    const value = typed();
    if (/^[0-9]$/.test(key)) {
      if (value.length < LENGTH) setTyped(value + key);
    } else if (key === "delete") {
      setTyped(value.slice(0, -1));
    } else if (key === "next") {
      goOn();
    }
  }

  function goOn() {
    if (typed().length !== LENGTH) {  // checked before anything is sent
      entry.message = { key: `${entry.step}_short` };
      renderEntry();
      voiceRead([`t.${entry.step}_short`]);
      return;
    }
    if (entry.step === "ticket") {
      const [nik, done] = [entry.ticket, entry.onNik];
      entry = null;
      clearEntry();
      done(nik);
    } else if (entry.step === "nik") {
      entry.step = "kk";
      entry.message = null;
      renderEntry();
      kiosk.settle(screen);  // the second tap of a double tap on Lanjut must not land on the new step
      voiceRead();
    } else {
      lookUp(entry);
    }
  }

  function back() {
    if (!entry || entry.looking) return;
    if (entry.step === "ticket") {
      const done = entry.onBack;
      entry = null;
      clearEntry();
      done();
    } else if (entry.step === "kk") {
      entry.step = "nik";
      entry.message = null;
      renderEntry();
      kiosk.settle(screen);
      voiceRead();
    } else {
      entry = null;
      clearEntry();
      kiosk.show("status-notice");
    }
  }

  // ---------------------------------------------------------------- lookup and answer

  async function lookUp(mine) {
    mine.looking = true;
    renderEntry();
    if (voiceOn()) voiceLink.get().say(["t.checking"]);
    let response;
    let body = null;
    try {
      response = await fetch("/api/status-lookups", {
        method: "POST",
        cache: "no-store",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ nik: mine.nik, kk: mine.kk, lang: kiosk.lang() }),
      });
      body = await response.json();
    } catch (error) {
      response = null;
    }
    if (entry !== mine) return;  // the resident left meanwhile: show nothing to the next one
    mine.looking = false;
    if (response && response.ok && body && body.status) {
      entry = null;  // the numbers are not needed any more
      const found = { status: body.status, key: kiosk.newKey(), sending: false };
      answer = found;
      await kiosk.refreshServices();  // whether the next service is open right now
      if (answer !== found) return;
      clearEntry();
      renderAnswer();
      kiosk.show("status-answer");
      return;
    }
    const problem = (body && body.error) || {};
    if (problem.code === "invalid_nik") mine.step = "nik";
    if (!response || !problem.code) {
      mine.message = { key: "lookup_failed" };
    } else if (kiosk.lang() === "id" && problem.message) {
      mine.message = { text: problem.message };
    } else if (problem.code === "rate_limited") {
      const minutes = Math.max(1, Math.ceil(Number(response.headers.get("Retry-After")) / 60) || 1);
      mine.message = { text: WORDS.en.rate_limited.replace("{n}", minutes) };
    } else {
      mine.message = { key: WORDS.en[problem.code] ? problem.code : "lookup_failed" };
    }
    renderEntry();
    voiceRead([SPOKEN_PROBLEMS.includes(problem.code) ? `t.${problem.code}` : "t.lookup_failed"]);
  }

  function renderAnswer() {
    if (!answer) return;
    const status = answer.status;
    $("answer-card").dataset.tone = TONES[status.code] || "waiting";
    $("answer-label").textContent = status.label;
    $("answer-message").textContent = status.message;
    $("answer-name").textContent = status.name_masked;
    $("answer-updated").textContent = kiosk.formatDate(status.updated_at);
    $("answer-next").textContent = status.next_step || "";
    $("answer-next").hidden = !status.next_step;
    // Voice guidance reads the answer from the catalogue's own sentences for this status.
    $("answer-label").dataset.say = `status.${status.code}.label`;
    $("answer-message").dataset.say = `status.${status.code}.message`;
    $("answer-next").dataset.say = `status.${status.code}.next`;
    const service = status.next_service && kiosk.services().find((s) => s.code === status.next_service);
    const take = $("answer-take");
    const closed = $("answer-closed");
    const open = Boolean(service && service.open);
    take.hidden = !open;
    closed.hidden = open || !status.next_service;
    if (open) {
      $("answer-take-prefix").textContent = service.prefix;
      $("answer-take-service").textContent = kiosk.serviceName(service);
      $("answer-take-service").dataset.say = `service.${service.code}`;
      closed.textContent = "";
      delete closed.dataset.say;
    } else if (status.next_service) {
      const reason = service ? kiosk.closedText(service) : "";
      closed.textContent = reason || t("take_closed", { service: service ? kiosk.serviceName(service) : status.next_service });
      closed.dataset.say = "t.take_closed";
    }
    $("answer-done").classList.toggle("is-secondary", !take.hidden);
  }

  function take() {
    const mine = answer;
    if (!mine || mine.sending) return;
    const service = kiosk.services().find((s) => s.code === mine.status.next_service);
    if (!service || !service.open) return;
    mine.sending = true;
    // Then Umum or Prioritas, as from the start screen; one Idempotency-Key per answer: a double tap
    // or a retry gets the same ticket back.
    kiosk.askPriority(service, mine.key);
  }

  // ---------------------------------------------------------------- wiring

  function clearEntry() {
    for (const id of ["entry-digits", "entry-count", "entry-message"]) $(id).textContent = "";
    $("entry-message").hidden = true;
    screen.dataset.step = "nik";
    label("nik");
  }

  // Forget the resident: the numbers typed, the answer and every text shown.
  function wipe() {
    entry = null;
    answer = null;
    clearEntry();
    for (const id of ["answer-label", "answer-message", "answer-name", "answer-updated", "answer-next",
      "answer-take-prefix", "answer-take-service", "answer-closed"]) {
      $(id).textContent = "";
      delete $(id).dataset.say;
    }
    $("answer-take").hidden = true;
    $("answer-closed").hidden = true;
    delete $("answer-card").dataset.tone;
    screen.querySelector("[data-key=next]").disabled = true;
  }

  // Re-render in the language just chosen (the answer keeps the language it was asked in).
  function relabel() {
    renderEntry();
    if (answer && !answer.sending) renderAnswer();
  }

  // Handle a tap on one of this flow's buttons; return whether it was one.
  function click(target) {
    if (target.dataset.key) press(target.dataset.key);
    else if (target.dataset.action === "status") begin();
    else if (target.dataset.action === "status-entry") openEntry();
    else if (target.dataset.action === "status-back") back();
    else if (target.dataset.action === "status-take") take();
    else return false;
    return true;
  }

  // Physical keyboard on the entry screen: digits, Backspace, Enter.
  function key(event) {
    // Voice mode took the key (it sends digits as kiosk:voice-key)
    if (voiceLink.get() && voiceLink.get().took(event)) return;
    if (kiosk.current() !== "status-entry" || !entry || event.ctrlKey || event.altKey || event.metaKey) return;
    if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === "Backspace") press("delete");
    else if (event.key === "Enter") press("next");
    else return;
    event.preventDefault();  // Enter on a focused button must not also click it
  }

  // Voice mode's keypad (kiosk-voice.js) types into the entry: digits, Backspace, and Enter while Lanjut
  // is still disabled (the resident hears why). Backspace on an empty entry never comes here: it goes back.
  $("entry-digits").addEventListener("kiosk:voice-key", (event) => {
    if (!entry || entry.looking) return;
    const pressed = event.detail.key;
    press(pressed === "Backspace" ? "delete" : pressed === "Enter" ? "next" : pressed);
    event.preventDefault();
  });

  return { click, key, wipe, relabel, askNik };
}

export { WORDS, create, group };
