/* Kiosk: the satisfaction survey (SKM) for a number served today. The resident types the number on a
   pad, answers the nine questions one screen each (a tap moves on), may add a profile, and sends.
   Runs inside kiosk.js (its `screenControl`): its idle warning, settling time and reset apply, and a
   reset forgets the number and every answer.
   Voice guidance (kiosk-voice.js) reads these screens from their data-say keys (kiosk/guide.py "survey.*"):
   the letters are numbered choices, then the number's digits are an entry typed on the keypad (each
   digit echoed, Backspace deletes, on an empty entry the letter); each question with its four answers as
   choices 1-4; the profile's four parts as choices, each opening its options on a screen of their own
   (the chips are not numbered choices), and sending; an error is said by its code. */
import { pageData } from "./lib/page-data.js";
import { screenControl as kiosk } from "./kiosk.js";
import { voiceLink } from "./kiosk/voice-link.js";

const data = document.getElementById("survey-form");
if (data) start();

function start() {
  const FORM = pageData(data);
  const THANKS_MS = 10000;
  const VOICE_THANKS_MS = 30000;  // the thanks are read aloud first
  const SETTLE_MS = 500;
  const MAX_DIGITS = 3;

  // The survey's words: the "survey" part of kiosk/messages/<lang>.json.
  const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
  const WORDS = { id: CATALOGUE.id.survey, en: CATALOGUE.en.survey };

  const $ = (id) => document.getElementById(id);
  let resident = null;   // {letter, digits, number, index, answers, profile, part, sending}
  let thanksTimer = null;

  const en = () => kiosk.lang() === "en";

  function t(key, values) {
    let text = WORDS[en() ? "en" : "id"][key] ?? WORDS.id[key] ?? "";
    for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
    return text;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A tap that moves to the next question must not also answer it: the screen ignores taps briefly.
  function settleHere(id) {
    kiosk.settle($(id));
  }

  function forget() {
    clearTimeout(thanksTimer);
    resident = null;
    for (const id of ["survey-number", "survey-question", "survey-count"]) {
      $(id).textContent = "";
      delete $(id).dataset.say;
    }
    $("survey-number").removeAttribute("data-voice-input");
    for (const id of ["survey-answers", "survey-profile", "survey-parts", "survey-part-options"]) $(id).replaceChildren();
    showError("survey-number-error", "");
    showError("survey-send-error", "");
  }

  function showError(id, text) {
    $(id).textContent = text;
    $(id).hidden = !text;
  }

  // Voice guidance, when it is on: read the screen again (it changed without a new screen), after the
  // sentence of an error code (its catalogue key, or the generic one for a code the catalogue lacks).
  function voice() {
    return voiceLink.active();
  }

  function voiceRead(code) {
    const reader = voice();
    if (!reader) return;
    const key = code && (reader.has(`survey.error.${code}`) ? `survey.error.${code}` : "survey.error.error");
    reader.read(key ? [key] : []);
  }

  function fail(id, text, code) {
    showError(id, text);
    voiceRead(code);
  }

  function words() {
    for (const node of document.querySelectorAll("[data-st]")) node.textContent = t(node.dataset.st);
  }

  // ------------------------------------------------------------ number

  function renderNumber() {
    const typed = resident.letter ? `${resident.letter}-${resident.digits.padStart(resident.digits ? 3 : 0, "0")}` : "";
    const shown = $("survey-number");
    shown.textContent = typed || "_-___";
    shown.classList.toggle("is-empty", !typed);
    // Once a letter is chosen, voice mode types the digits here (kiosk-voice.js data-voice-input).
    shown.toggleAttribute("data-voice-input", Boolean(resident.letter));
    shown.dataset.value = resident.digits;
    if (resident.letter) shown.dataset.say = `word.letter letter.${resident.letter}`;
    else delete shown.dataset.say;
    for (const button of $("survey-letters").children) {
      button.setAttribute("aria-pressed", String(button.dataset.letter === resident.letter));
    }
  }

  function buildPad() {
    const letters = $("survey-letters");
    letters.replaceChildren(...FORM.prefixes.map((letter) =>
      el("button", { type: "button", class: "ks-key ks-letter", "data-letter": letter, "aria-pressed": "false",
                     "data-say": `word.letter letter.${letter}` }, letter)));
    const pad = $("survey-keypad");
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0"];
    pad.replaceChildren(...keys.map((key) => key === "erase"
      ? el("button", { type: "button", class: "ks-key ks-erase", "data-key": "erase", "data-say": "t.key_delete" },
           t("erase"))
      : el("button", { type: "button", class: "ks-key", "data-key": key, "data-say": `digit.${key}` }, key)));
  }

  function open() {
    forget();
    resident = { letter: "", digits: "", number: "", index: 0, answers: [], profile: {}, part: null, sending: false };
    buildPad();
    renderNumber();
    kiosk.show("survey-number");
  }

  function press(key) {
    showError("survey-number-error", "");
    if (key === "erase") {
      if (resident.digits) resident.digits = resident.digits.slice(0, -1);
      else resident.letter = "";
    } else if (resident.digits.length < MAX_DIGITS) {  // "0 0 8" as the ticket reads is A-008 too
      resident.digits += key;
    }
    renderNumber();
  }

  async function post(path, body) {
    const answer = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), cache: "no-store",
    });
    return { ok: answer.ok, body: await answer.json() };
  }

  function problemText(problem) {
    if (!en() && problem.message) return problem.message;
    return WORDS.en[problem.code] || WORDS.en.error;
  }

  // The server refused: its message on screen, its code's sentence in voice mode.
  function refused(id, body) {
    const problem = (body && body.error) || {};
    fail(id, problemText(problem), problem.code || "error");
  }

  async function checkNumber() {
    const mine = resident;
    if (!mine.letter || !mine.digits) {
      fail("survey-number-error", t("need_number"), "need_number");
      return;
    }
    const number = `${mine.letter}-${mine.digits.padStart(3, "0")}`;
    let answer;
    try {
      answer = await post("/api/surveys/check", { number });
    } catch (error) {
      if (resident === mine) fail("survey-number-error", t("offline"), "offline");
      return;
    }
    if (resident !== mine) return; // the resident left meanwhile
    if (!answer.ok) {
      refused("survey-number-error", answer.body);
      return;
    }
    mine.number = answer.body.ticket.number;
    mine.index = 0;
    renderQuestion();
    kiosk.show("survey-question");
  }

  // ------------------------------------------------------------ questions

  function renderQuestion() {
    const element = FORM.elements[resident.index];
    $("survey-count").textContent = t("count", { number: resident.number, n: resident.index + 1, total: FORM.elements.length });
    $("survey-count").dataset.say = `survey.count.${resident.index + 1}`;
    $("survey-question").textContent = en() ? element.question_en : element.question;
    $("survey-question").dataset.say = `survey.q.${element.element}`;
    $("survey-answers").replaceChildren(...element.answers.map((answer) => {
      const button = el("button", { type: "button", class: "ks-answer", "data-score": String(answer.score),
                                    "data-say": `survey.a.${element.element}.${answer.score}`,
                                    "aria-pressed": String(resident.answers[resident.index] === answer.score) });
      button.append(el("span", { class: "ks-answer-label" }, en() ? answer.label_en : answer.label));
      return button;
    }));
  }

  function answer(score) {
    resident.answers[resident.index] = score;
    if (resident.index + 1 < FORM.elements.length) {
      resident.index += 1;
      renderQuestion();
      settleHere("screen-survey-question");
      voiceRead();
    } else {
      renderProfile();
      kiosk.show("survey-profile");
    }
  }

  function previous() {
    if (resident.index === 0) {
      renderNumber();
      kiosk.show("survey-number");
      return;
    }
    resident.index -= 1;
    renderQuestion();
    settleHere("screen-survey-question");
    voiceRead();
  }

  // ------------------------------------------------------------ profile and sending

  function renderProfile() {
    $("survey-profile").replaceChildren(...FORM.profile.map((part) => {
      const group = el("div", { class: "ks-part", role: "group", "aria-label": en() ? part.title_en : part.title });
      group.append(el("p", { class: "ks-part-title" }, en() ? part.title_en : part.title));
      const chips = el("div", { class: "ks-chips" });
      for (const option of part.options) {
        chips.append(el("button", { type: "button", class: "ks-chip", "data-part": part.part, "data-option": option.code,
                                    "data-say": `survey.option.${part.part}.${option.code}`,
                                    "aria-pressed": String(resident.profile[part.part] === option.code) },
                        en() ? option.label_en : option.label));
      }
      group.append(chips);
      return group;
    }));
    renderParts();
  }

  // Voice mode shows the four parts as numbered choices instead of the chips (kiosk-voice.css); each opens
  // its options on a screen of their own, where a digit chooses one and brings the resident back here.
  function renderParts() {
    $("survey-parts").replaceChildren(...FORM.profile.map((part) => {
      const chosen = part.options.find((option) => option.code === resident.profile[part.part]);
      const title = en() ? part.title_en : part.title;
      const say = [`survey.part.${part.part}`, chosen ? `survey.option.${part.part}.${chosen.code}` : "survey.part_empty"];
      return el("button", { type: "button", class: "ks-answer ks-part-open", "data-part-open": part.part,
                            "data-say": say.join(" ") },
                chosen ? `${title}: ${en() ? chosen.label_en : chosen.label}` : title);
    }));
  }

  function openPart(name) {
    const part = FORM.profile.find((item) => item.part === name);
    resident.part = name;
    $("survey-part-title").textContent = en() ? part.title_en : part.title;
    $("survey-part-title").dataset.say = `survey.part.${name}`;
    $("survey-part-options").replaceChildren(...part.options.map((option) => el("button", {
      type: "button", class: "ks-answer", "data-part-choose": name, "data-option": option.code,
      "data-say": `survey.option.${name}.${option.code}`, "aria-pressed": String(resident.profile[name] === option.code),
    }, en() ? option.label_en : option.label)));
    kiosk.show("survey-part");
  }

  function choose(part, option) {
    resident.profile[part] = resident.profile[part] === option ? undefined : option; // a second tap clears it
    renderProfile();
  }

  async function send() {
    const mine = resident;
    if (mine.sending) return;
    mine.sending = true;
    $("survey-send").disabled = true;
    $("survey-send").textContent = t("sending");
    showError("survey-send-error", "");
    if (voice()) voice().say(["survey.sending"]);
    const profile = {};
    for (const [part, option] of Object.entries(mine.profile)) if (option) profile[part] = option;
    let answer;
    try {
      answer = await post("/api/surveys", { number: mine.number, answers: mine.answers, profile });
    } catch (error) {
      answer = null;
    }
    if (resident !== mine) return;
    mine.sending = false;
    $("survey-send").disabled = false;
    $("survey-send").textContent = t("send");
    if (answer && answer.ok) {
      thanks();
    } else {
      if (answer) refused("survey-send-error", answer.body);
      else fail("survey-send-error", t("offline"), "offline");
    }
  }

  function thanks() {
    for (const id of ["survey-answers", "survey-profile"]) $(id).replaceChildren();
    resident.answers = [];
    resident.profile = {};
    kiosk.show("survey-thanks");
    clearTimeout(thanksTimer);
    thanksTimer = setTimeout(kiosk.reset, voice() ? VOICE_THANKS_MS : THANKS_MS);
  }

  // ------------------------------------------------------------ wiring

  kiosk.onReset(() => { forget(); words(); });

  // Voice mode's keypad types the number's digits (kiosk-voice.js data-voice-input): digits, Backspace (on
  // no digits it clears the letter: the letters are read again), and Enter = Lanjut.
  $("survey-number").addEventListener("kiosk:voice-key", (event) => {
    if (!resident || kiosk.current() !== "survey-number") return;
    const pressed = event.detail.key;
    if (/^[0-9]$/.test(pressed)) press(pressed);
    else if (pressed === "Backspace") press("erase");
    else if (pressed === "Enter") checkNumber();
    else return;
    event.preventDefault();
  });

  document.getElementById("app").addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || target.disabled || target.closest(".is-settling")) return;
    if (target.dataset.lang) {   // kiosk.js has switched the language already: follow it
      words();
      if (resident) {
        buildPad();
        renderNumber();
        if (resident.number) renderQuestion();
        renderProfile();
        if (kiosk.current() === "survey-part") openPart(resident.part);
      }
      return;
    }
    if (target.id === "survey-open") open();
    if (!resident) return;
    if (target.dataset.letter) {
      resident.letter = target.dataset.letter;
      resident.digits = "";
      showError("survey-number-error", "");
      renderNumber();
      voiceRead();  // the digits are typed next
    }
    else if (target.dataset.key) press(target.dataset.key);
    else if (target.id === "survey-number-next") checkNumber();
    else if (target.dataset.score) answer(Number(target.dataset.score));
    else if (target.id === "survey-previous") previous();
    else if (target.id === "survey-profile-back") { resident.index = FORM.elements.length - 1; renderQuestion(); kiosk.show("survey-question"); }
    else if (target.dataset.part) choose(target.dataset.part, target.dataset.option);
    else if (target.dataset.partOpen) openPart(target.dataset.partOpen);
    else if (target.dataset.partChoose) {
      resident.profile[target.dataset.partChoose] = target.dataset.option;
      renderProfile();
      kiosk.show("survey-profile");
    }
    else if (target.id === "survey-part-back") kiosk.show("survey-profile");
    else if (target.id === "survey-send") send();
  });

  words();
}
