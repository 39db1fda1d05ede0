/* Kiosk accessibility: voice guidance ("Mode suara") and large text ("Aa").

   Voice mode starts with the "Bantuan suara" button, any key of a USB numeric keypad, or a press of
   about 2 s anywhere. It is generic: it reads whatever screen is visible ([data-screen]:not([hidden]),
   or the idle dialog) from the markup, so new screens are covered by adding attributes, not code:
     data-say="key key ..."   sentence keys of the server catalogue (kiosk/guide.py) for this element;
                              without it an element with data-t="word" speaks "t.word" if the catalogue
                              has it; anything else is skipped (never sent as text)
     data-say-else="key ..."  said instead when the catalogue lacks a key of data-say (an API error code
                              the catalogue does not know: the generic sentence)
     data-say-number          the element's text is a queue number: spoken letter and digits, twice,
                              with its data-say-call key ("Nomor ini akan dipanggil ke loket satu")
     data-voice-back          the screen's "back" button (0 / Backspace); data-action="home" counts too
     data-voice-skip          a button that is not one of the numbered choices
     data-voice-pad           a group of on-screen keys (a digit pad, answer chips): never numbered choices,
                              but a tap speaks them and a second tap presses, like any button
     data-voice-input         the screen's own digit entry: digits 0-9 and Backspace go to it as a
                              "kiosk:voice-key" event {key}; each digit is spoken; its value (or
                              data-value, or its text's digits) is read back on "repeat" and decides
                              whether Backspace goes back (0 is a digit there, not "back");
                              data-voice-length="16" says "complete" when that many are typed;
                              data-voice-help="key" is said instead of the usual "input.help";
                              data-voice-keys="word" names the voice bar's key hint instead of
                              "voice_keys_entry" (a word of the "voice" part of kiosk/messages);
                              data-voice-clear: Backspace on the empty entry goes to it as well (the
                              screen clears another part, e.g. the survey number's letter) and the
                              screen is read again
     data-voice-enter         the button Enter presses while a data-voice-input takes the digits; while
                              it is disabled, Enter goes to the entry as {key: "Enter"} and the screen
                              answers (preventDefault) or "choose first" is said
   Keypad: digits choose, Enter confirms, 0 or Backspace goes back, "." or "*" repeats.
   Touch: one tap speaks an item, a second tap on the same item chooses it.
   Audio comes as WAVs from /api/speech/<key>.wav (the kiosk PC's own output: its headphone jack);
   without espeak-ng on the server the browser's own voice reads the sentence, else a chime plays.
   Every request is logged in window.__spoken = [{key, url, at, via}] (the last 200).
   Other kiosk pages (/kiosk/standar) load this file too: the page's controls are window.Kiosk ({config,
   current, reset}, read when needed), the bar goes into [data-voice-bar] (else .k-top), a link with
   data-say is a choice after the buttons (data-voice-back on a link: the way back), and voice mode,
   large text and English go along to the next kiosk page for CARRY_MS (sessionStorage), never after an
   idle reset (English not back to the start screen either: the next resident starts in Indonesian). */
import { pageData } from "./lib/page-data.js";
import { createLargeText } from "./kiosk/large-text.js";
import { createVoiceAudio, TONE } from "./kiosk/voice-audio.js";
import { voiceLink } from "./kiosk/voice-link.js";

const app = document.getElementById("app");
const root = document.documentElement;
const LONG_PRESS_MS = 2000;
const LONG_PRESS_SLOP_PX = 30;      // a finger resting on glass wanders a little
const VOICE_RESULT_SECONDS = 60;    // the number is read twice: keep it on screen long enough
const CARRY = "kiosk-voice-carry";  // sessionStorage: voice mode and large text, on the way to the next kiosk page
const CARRY_MS = 10000;             // ... honoured only this soon after (a page left idle never passes them on)
const host = () => window.Kiosk;    // the page's own controls (kiosk.js, complaint-kiosk.js)
// [kiosk] voice_output: "speaker" means the waiting room hears the kiosk, so a private entry
// (data-voice-private: the NIK, the nomor KK) is never read back: each digit gets a tone and its place.
const SPEAKER = app.dataset.voiceOutput === "speaker";

// This layer's words: the "voice" part of kiosk/messages/<lang>.json.
const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
const WORDS = { id: CATALOGUE.id.voice, en: CATALOGUE.en.voice };

const spoken = [];
window.__spoken = spoken;

const voice = {
  active: false,
  known: new Set(),
  volume: 1,
  selected: null,     // {screen, index} chosen by a digit, confirmed by Enter
  armed: null,        // the button a first tap spoke; a second tap on it chooses it
  generation: 0,      // bumped to cut off what is being said
  savedResult: null,  // kiosk.js result time before voice mode lengthened it
  idleTimer: null,
};
const ready = fetch("/api/speech", { cache: "no-store" })
  .then((answer) => (answer.ok ? answer.json() : null))
  .then((index) => {
    if (!index) return;
    index.keys.forEach((key) => voice.known.add(key));
    voice.volume = Math.max(0, Math.min(1, Number(index.volume)));
  })
  .catch(() => {});

// ------------------------------------------------------------ words of this layer

function word(key) {
  const lang = root.lang === "en" ? "en" : "id";
  return WORDS[lang][key] || WORDS.id[key];
}

// In voice mode this takes the clock's place in the header: the screen below keeps all its room.
const bar = document.createElement("div");
bar.className = "k-voice-bar";
bar.setAttribute("role", "status");
bar.hidden = true;
const barTitle = document.createElement("p");
barTitle.className = "k-voice-title";
const barIcon = document.createElement("span");
barIcon.className = "k-voice-icon";
barIcon.setAttribute("aria-hidden", "true");
const barText = document.createElement("span");
barTitle.append(barIcon, barText);
const barKeys = document.createElement("p");
barKeys.className = "k-voice-keys";
bar.append(barTitle, barKeys);
(app.querySelector("[data-voice-bar]") || app.querySelector(".k-top")).append(bar);

function renderWords() {
  barText.textContent = word("voice_title");
  const screen = currentScreen();  // on a digit entry the keys mean something else: say so
  const input = screen && inputOf(screen);
  barKeys.textContent = word(input ? input.dataset.voiceKeys || "voice_keys_entry" : "voice_keys");
  for (const node of document.querySelectorAll("[data-voice-text]")) node.textContent = word(node.dataset.voiceText);
  for (const node of document.querySelectorAll("[data-voice-label]")) {
    node.setAttribute("aria-label", word(node.dataset.voiceLabel));
  }
  const toggle = document.getElementById("voice-toggle");
  if (toggle) {
    toggle.querySelector("[data-voice-text]").textContent = word(voice.active ? "voice_exit" : "voice_button");
    toggle.setAttribute("aria-pressed", String(voice.active));
  }
}
new MutationObserver(renderWords).observe(root, { attributes: true, attributeFilter: ["lang"] });

// ------------------------------------------------------------ audio (kiosk/voice-audio.js)

const { audio, say, silence } = createVoiceAudio({ voice, spoken });

// ------------------------------------------------------------ reading the screen

function visible(node) {
  return !node.closest("[hidden]") && node.getClientRects().length > 0;
}

function currentScreen() {
  const dialog = [...document.querySelectorAll('[role="alertdialog"]')].find((node) => !node.hidden);
  return dialog || document.querySelector("[data-screen]:not([hidden])");
}

function ownKeys(node) {
  if (node.dataset.say) {  // a phrase of several keys is said whole or not at all
    for (const phrase of [node.dataset.say, node.dataset.sayElse]) {
      const keys = (phrase || "").split(/\s+/).filter(Boolean);
      if (keys.length && keys.every((key) => voice.known.has(key))) return keys;
    }
    return [];
  }
  if (node.dataset.t && voice.known.has(`t.${node.dataset.t}`)) return [`t.${node.dataset.t}`];
  return [];
}

// A button speaks its own key, else the keys of what it holds, in order.
function itemKeys(button) {
  const own = ownKeys(button);
  if (own.length) return own;
  return [...button.querySelectorAll("[data-say], [data-t]")].filter(visible).flatMap(ownKeys);
}

function isBack(button) {
  return button.matches("[data-voice-back], [data-action='home']");
}

// The screen's buttons, then its links that speak (data-say): a link leads to another screen or page.
function controls(screen) {
  return [...screen.querySelectorAll("button"), ...screen.querySelectorAll("a[data-say]")];
}

function choices(screen) {
  return controls(screen).filter((button) => visible(button) && !button.disabled
    && !isBack(button) && !button.hasAttribute("data-voice-skip") && !button.hasAttribute("data-voice-enter")
    && !button.closest("[data-voice-pad]") && itemKeys(button).length);
}

function backButton(screen) {
  return [...screen.querySelectorAll("button, a[data-voice-back]")].find((button) => isBack(button) && visible(button))
    || null;
}

function inputOf(screen) {
  return [...screen.querySelectorAll("[data-voice-input]")].find(visible) || null;
}

// The digits typed so far: the element's value, its data-value, or else its text ("620301 1708").
function inputValue(input) {
  return String(input.value ?? input.dataset.value ?? input.textContent ?? "").replace(/\D/g, "");
}

// Hand a key to the screen's own digit entry; true when the screen took it (called preventDefault).
function toInput(input, key) {
  const event = new CustomEvent("kiosk:voice-key", { detail: { key }, bubbles: true, cancelable: true });
  return !input.dispatchEvent(event);
}

function isPrivate(input) {
  return SPEAKER && input.hasAttribute("data-voice-private");
}

// A digit or Backspace for the entry, echoed: the digit, "Dihapus", or why nothing changed.
function typeInto(input, key) {
  const before = inputValue(input);
  toInput(input, key);
  const after = inputValue(input);
  if (key === "Backspace") {
    say(["input.deleted"]);
  } else if (after === before) {
    say(["input.full"]);
  } else {
    const length = Number(input.dataset.voiceLength) || 0;
    const echo = isPrivate(input) ? [TONE, `input.position.${after.length}`] : [`digit.${key}`];
    say([...echo, ...(length && after.length === length ? ["input.complete"] : [])]);
  }
}

function numberKeys(text) {
  const match = /^([A-Z])-?(\d+)$/.exec(text.trim());
  if (!match) return [];
  return [`letter.${match[1]}`, ...[...match[2]].map((digit) => `digit.${digit}`)];
}

// Where the resident is, what the screen says (with known keys), then the choices.
function screenKeys(screen) {
  const keys = [];
  const name = screen.dataset.screen || screen.id;
  if (voice.known.has(`screen.${name}`)) keys.push(`screen.${name}`);
  for (const node of screen.querySelectorAll("[data-say], [data-t], [data-say-number]")) {
    if (node.closest("button, a[data-say]") || !visible(node)) continue;  // a choice: said as one
    const parent = node.parentElement.closest("[data-say]");
    if (parent && screen.contains(parent)) continue;  // the enclosing element spoke for it
    if (node.hasAttribute("data-say-number")) {
      const number = numberKeys(node.textContent);
      if (!number.length) continue;
      const call = node.dataset.sayCall ? [node.dataset.sayCall] : [];
      keys.push(...number, ...call, "ticket.again", ...number, ...call);
    } else {
      keys.push(...ownKeys(node));
    }
  }
  const input = inputOf(screen);
  if (input) {  // the digits belong to the entry: Enter sends it, Backspace deletes (or goes back)
    const digits = inputValue(input);
    if (digits && isPrivate(input)) keys.push(`input.count.${digits.length}`);  // how many, never which
    else if (digits) keys.push("input.entered", ...[...digits].map((digit) => `digit.${digit}`));
    const help = input.dataset.voiceHelp;
    keys.push(help && voice.known.has(help) ? help : "input.help");
    const enter = [...screen.querySelectorAll("[data-voice-enter]")].find(visible);
    if (enter) keys.push("press.enter", ...itemKeys(enter));
    return keys;
  }
  choices(screen).slice(0, 9).forEach((button, index) => keys.push(`press.${index + 1}`, ...itemKeys(button)));
  const back = backButton(screen);
  if (back) keys.push("press.0", ...itemKeys(back));
  else if (screen.dataset.screen === "start") keys.push("press.0", "voice.exit");
  return keys;
}

// The start screen's first reading is short: how many services and the keys that hear them, the other
// choices, and "*" for the whole list (reading every service took close to a minute).
function startKeys(screen) {
  const list = choices(screen).slice(0, 9);
  const services = list.filter((button) => button.dataset.code).length;
  const keys = [services ? `help.services.${services}` : "screen.start"];  // "Layar awal. Tekan 1 sampai 6 ..."
  // a notice the resident must hear first (the disruption notice: kiosk-disruption.js)
  for (const node of screen.querySelectorAll("[data-voice-notice] [data-say]")) {
    if (visible(node)) keys.push(...node.dataset.say.split(" "));
  }
  // the other buttons, not the links ("Layanan lainnya": in the whole list, so the first reading stays short)
  list.forEach((button, index) => {
    if (!button.dataset.code && button.tagName === "BUTTON") keys.push(`press.${index + 1}`, ...itemKeys(button));
  });
  keys.push("help.more");
  return keys;
}

// full: the whole screen even where the first reading is short (the "*" key, a long press)
function readScreen(prefix, full) {
  const screen = currentScreen();
  renderWords();
  voice.selected = null;
  voice.armed = null;
  markSelected(null);
  const short = screen && screen.dataset.screen === "start" && !full;
  say([...(prefix || []), ...(screen ? (short ? startKeys(screen) : screenKeys(screen)) : [])]);
}

function markSelected(button) {
  for (const node of document.querySelectorAll(".k-voice-selected")) node.classList.remove("k-voice-selected");
  if (button) {
    button.classList.add("k-voice-selected");
    button.focus({ preventScroll: true });
  }
}

// ------------------------------------------------------------ voice mode on and off

function start() {
  if (voice.active) return;
  voice.active = true;
  audio();  // created inside the resident's gesture, so the browser lets it play
  root.classList.add("k-voice");
  bar.hidden = false;
  voice.savedResult = host().config.result;
  host().config.result = Math.max(host().config.result, VOICE_RESULT_SECONDS);
  renderWords();
  armIdle();
  // on the start screen the short reading says the keys that matter there; "*" adds the key help
  ready.then(() => {
    const screen = currentScreen();
    readScreen(screen && screen.dataset.screen === "start" ? ["voice.start"] : ["voice.start", "help.keys"]);
  });
}

function leave(reason) {
  if (!voice.active) return;
  voice.active = false;
  root.classList.remove("k-voice");
  bar.hidden = true;
  markSelected(null);
  voice.selected = null;
  voice.armed = null;
  clearTimeout(voice.idleTimer);
  if (voice.savedResult !== null) host().config.result = voice.savedResult;
  voice.savedResult = null;
  renderWords();
  say([reason === "idle" ? "voice.idle" : "voice.leave"]);
}

// The start screen has no idle timer of its own: voice mode and large text end there after the same
// quiet time as elsewhere, so the next resident finds the usual kiosk.
function armIdle() {
  clearTimeout(voice.idleTimer);
  if (!voice.active && !largeText.active()) return;
  const config = host().config;
  voice.idleTimer = setTimeout(() => {
    if (host().current() !== "start") {
      host().reset("idle");
    } else {
      leave("idle");
      setLarge(false);
    }
  }, (config.idle + config.warn + 1) * 1000);
}

document.addEventListener("kiosk:screen", () => { if (voice.active) readScreen(); });
document.addEventListener("kiosk:reset", (event) => {
  const reason = event.detail && event.detail.reason;
  if (reason === "idle") leave("idle");
  if (reason === "idle" || reason === "result") setLarge(false);  // the resident has gone
});

// ------------------------------------------------------------ choosing

let clicking = false;  // a click this layer makes itself passes the two-tap rule

function press(button) {
  const settling = button.closest(".is-settling");
  if (settling) {  // kiosk.js ignores taps on a screen that has just appeared: wait for it
    setTimeout(() => press(button), 120);
    return;
  }
  clicking = true;
  try { button.click(); } finally { clicking = false; }
}

function select(screen, index) {
  const list = choices(screen);
  const button = list[index];
  if (!button) {
    say(["help.no_choice"]);
    return;
  }
  voice.selected = { screen, index };
  markSelected(button);
  say([...itemKeys(button), "help.confirm"]);
}

function confirm(screen) {
  const list = choices(screen);
  const chosen = voice.selected && voice.selected.screen === screen ? list[voice.selected.index] : null;
  const button = chosen || (list.length === 1 ? list[0] : null);
  if (button) press(button);
  else say(["help.choose_first"]);
}

function goBack(screen) {
  const back = backButton(screen);
  if (back) press(back);
  else if (screen.dataset.screen === "start") leave("leave");
  else readScreen();
}

function keyOf(event) {
  const numpad = /^Numpad(\d)$/.exec(event.code);
  if (numpad) return numpad[1];  // the keypad with Num Lock off still means its digit
  if (/^\d$/.test(event.key)) return event.key;
  if (event.key === "Enter" || event.code === "NumpadEnter") return "Enter";
  if (event.key === "Backspace") return "Backspace";
  if (["*", ".", ","].includes(event.key) || ["NumpadMultiply", "NumpadDecimal"].includes(event.code)) {
    return "repeat";
  }
  if (/^Numpad/.test(event.code)) return "other";  // + - / : start voice mode, do nothing else
  return null;
}

// Keys handled in voice mode. The key that starts voice mode is not among them: a digit typed on the
// status check's entry both starts voice mode and is typed, as without voice mode.
const taken = new WeakSet();

document.addEventListener("keydown", (event) => {
  if (voice.active) silence();  // any key cuts off what is being said; the key's own answer follows
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  const key = keyOf(event);
  if (!key) return;
  // A text field with focus (the booking code, typed or scanned by a USB scanner that types like a keyboard)
  // takes the main keyboard's keys, in voice mode too; the numeric keypad stays voice mode's.
  const field = document.activeElement && document.activeElement.matches("input:not([type]), input[type=text]");
  if (field && !/^Numpad/.test(event.code)) return;
  if (!voice.active) {
    // Enter on a focused control keeps its usual meaning for keyboard (Tab) users.
    const onControl = event.key === "Enter" && event.code !== "NumpadEnter"
      && document.activeElement && document.activeElement.closest("button, a, input");
    if (onControl) return;
    // On a screen with its own number entry (the NIK keypad, the survey's number), the main keyboard's
    // keys type there; only the numeric keypad's keys start voice mode.
    const screen = currentScreen();
    if (screen && (inputOf(screen) || screen.querySelector("[data-key]")) && !/^Numpad/.test(event.code)) return;
    event.preventDefault();
    start();
    return;
  }
  event.preventDefault();
  taken.add(event);  // the key is voice mode's: the screen's own key handling leaves it alone
  armIdle();
  const screen = currentScreen();
  if (!screen) return;
  const input = inputOf(screen);
  if (key === "repeat" || key === "other") {
    readScreen(screen.dataset.screen === "start" ? ["help.keys"] : [], true);
  } else if (input && (/^\d$/.test(key) || (key === "Backspace" && inputValue(input)))) {
    typeInto(input, key);
  } else if (key === "Backspace" && input && input.hasAttribute("data-voice-clear")) {
    if (toInput(input, key)) readScreen(["input.deleted"]);
    else goBack(screen);
  } else if (key === "Enter" && input) {
    // An enabled Enter button is pressed; otherwise the screen may answer (e.g. "16 digits needed").
    const enter = [...screen.querySelectorAll("[data-voice-enter]")].find(visible);
    if (enter && !enter.disabled) press(enter);
    else if (!toInput(input, "Enter")) say(["help.choose_first"]);
  } else if (/^[1-9]$/.test(key)) {
    select(screen, Number(key) - 1);
  } else if (key === "0" || key === "Backspace") {
    goBack(screen);
  } else if (key === "Enter") {
    confirm(screen);
  }
}, true);

// ------------------------------------------------------------ touch: long press, tap then confirm

let pressing = null;       // {x, y, timer} while a finger (or mouse button) is down
let swallowClick = false;  // the click that ends a long press is not a choice

document.addEventListener("pointerdown", (event) => {
  swallowClick = false;
  clearTimeout(pressing && pressing.timer);
  pressing = {
    x: event.clientX,
    y: event.clientY,
    timer: setTimeout(() => {
      pressing = null;
      swallowClick = true;
      if (voice.active) readScreen([], true); else start();
    }, LONG_PRESS_MS),
  };
  if (voice.active) armIdle();
}, true);

document.addEventListener("pointermove", (event) => {
  if (pressing && Math.hypot(event.clientX - pressing.x, event.clientY - pressing.y) > LONG_PRESS_SLOP_PX) {
    clearTimeout(pressing.timer);
    pressing = null;
  }
}, true);

for (const type of ["pointerup", "pointercancel"]) {
  document.addEventListener(type, () => {
    if (pressing) clearTimeout(pressing.timer);
    pressing = null;
  }, true);
}

document.addEventListener("click", (event) => {
  if (swallowClick) {
    swallowClick = false;
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  if (!voice.active || clicking) return;
  const button = event.target.closest("button, a[data-say]");
  const screen = currentScreen();
  if (!button || !screen || !screen.contains(button) || button.hasAttribute("data-voice-skip")) return;
  if (voice.armed === button) {  // the second tap on the same item: let the kiosk act on it
    voice.armed = null;
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  voice.armed = button;
  const index = choices(screen).indexOf(button);
  voice.selected = index >= 0 ? { screen, index } : null;
  markSelected(button);
  say([...itemKeys(button), "help.tap_again"]);
}, true);

const toggle = document.getElementById("voice-toggle");
if (toggle) toggle.addEventListener("click", () => (voice.active ? leave("leave") : start()));

// ------------------------------------------------------------ large text (kiosk/large-text.js)

const largeText = createLargeText({ app, onChange: () => armIdle() });
const setLarge = largeText.set;

// read(prefix): say the prefix keys, then read the current screen again (a screen whose content
// changed without a kiosk:screen event, e.g. the next step of the status check).
const KioskVoice = {
  start, leave, say, setLarge, read: (prefix) => readScreen(prefix), took: (event) => taken.has(event),
  has: (key) => voice.known.has(key),
  get active() { return voice.active; },
};
voiceLink.set(KioskVoice);
renderWords();

// A page just loaded fills its screen a moment later (the start screen's services come from the server): voice
// mode carried over waits for its choices (the services, on the start screen), at most CARRY_WAIT_MS.
const CARRY_WAIT_MS = 3000;
function screenReady() {
  const until = Date.now() + CARRY_WAIT_MS;
  return new Promise((resolve) => {
    const look = () => {
      const screen = currentScreen();
      const filled = screen && (screen.dataset.screen === "start" ? screen.querySelector("[data-code]")
        : choices(screen).length);
      if (filled || Date.now() > until) resolve(); else setTimeout(look, 50);
    };
    look();
  });
}

// Going to another kiosk page (the standards, back to the start): voice mode and large text go along.
let idleReset = false;
document.addEventListener("kiosk:reset", (event) => {
  idleReset = Boolean(event.detail && event.detail.reason === "idle");
});
for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, () => { idleReset = false; }, true);
window.addEventListener("pagehide", () => {
  try {
    const english = document.documentElement.lang === "en";
    const carry = !idleReset && (voice.active || largeText.active() || english);
    if (carry) sessionStorage.setItem(CARRY, JSON.stringify({ voice: voice.active, large: largeText.active(),
      english, at: Date.now() }));
    else sessionStorage.removeItem(CARRY);
  } catch { /* no storage: each page starts plain */ }
});
try {
  const carried = JSON.parse(sessionStorage.getItem(CARRY) || "null");
  sessionStorage.removeItem(CARRY);
  if (carried && Date.now() - carried.at >= 0 && Date.now() - carried.at < CARRY_MS) {
    if (carried.large) setLarge(true);
    // the page's own language button, as if pressed (each page keeps its words its own way)
    const english = document.querySelector("[data-lang=en]");
    if (carried.english && english && window.location.pathname !== "/kiosk") english.click();
    if (carried.voice) ready.then(screenReady).then(start);
  }
} catch { /* as above */ }
