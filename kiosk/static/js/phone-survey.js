/* The satisfaction survey (SKM) on the phone page: offered once the ticket is done, nine questions with
   big choices, an optional profile and suggestion. Answers are kept on the phone (localStorage, per
   ticket) until sent, so the resident can finish later that day. Indonesian or English. */
import { pageData } from "./lib/page-data.js";

const card = document.getElementById("survey");
const formData = document.getElementById("survey-form");
if (card && formData) start();

function start() {
  const FORM = pageData(formData);
  const token = document.getElementById("ticket").dataset.token;
  const DRAFT_KEY = `survey:${token}`;
  const RETRY_MS = 10000;

  // The survey card's words: the "phone_survey" part of kiosk/messages/<lang>.json, embedded by the page.
  const CATALOGUE = pageData(document.getElementById("phone-messages"));
  const WORDS = { id: CATALOGUE.id.phone_survey, en: CATALOGUE.en.phone_survey };

  const draft = loadDraft();
  // The page's language (phone.js, remembered on the phone) wins over the one the draft was begun in.
  const pageLang = document.documentElement.lang;
  if (pageLang === "id" || pageLang === "en") draft.lang = pageLang;
  let state = "hidden"; // hidden | offer | form | sending | thanks | answered
  let checked = false;

  function t(key, values) {
    let text = WORDS[draft.lang][key] ?? WORDS.id[key];
    for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
    return text;
  }

  const en = () => draft.lang === "en";

  function loadDraft() {
    try {
      const saved = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null");
      if (saved && typeof saved === "object") return { lang: "id", answers: {}, profile: {}, suggestion: "", ...saved };
    } catch (error) { /* private mode or a broken entry: start afresh */ }
    return { lang: "id", answers: {}, profile: {}, suggestion: "", started: false };
  }

  function saveDraft() {
    try { localStorage.setItem(DRAFT_KEY, JSON.stringify(draft)); } catch (error) { /* nothing to keep it in */ }
  }

  function forgetDraft() {
    try { localStorage.removeItem(DRAFT_KEY); } catch (error) { /* ignore */ }
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value === true ? "" : value);
    }
    node.append(...children);
    return node;
  }

  function langSwitch() {
    const group = el("div", { class: "p-lang", role: "group", "aria-label": "Bahasa / Language" });
    for (const [code, label] of [["id", "Indonesia"], ["en", "English"]]) {
      group.append(el("button", { type: "button", class: "p-lang-btn", "data-lang": code,
                                  "aria-pressed": String(draft.lang === code), text: label }));
    }
    return group;
  }

  function choice(name, value, label, checkedNow) {
    const input = el("input", { type: "radio", name, value, checked: checkedNow });
    return el("label", { class: "p-choice" }, input, el("span", { text: label }));
  }

  function renderForm() {
    const form = el("form", { class: "p-survey-form", id: "survey-questions", novalidate: true });
    const total = FORM.elements.length;
    FORM.elements.forEach((element, index) => {
      const set = el("fieldset", { class: "p-question", "data-element": element.element });
      set.append(el("legend", {},
        el("span", { class: "p-question-count", text: t("question", { n: index + 1, total }) }),
        el("span", { class: "p-question-text", text: en() ? element.question_en : element.question })));
      const choices = el("div", { class: "p-choices" });
      for (const answer of element.answers) {
        choices.append(choice(`q-${element.element}`, String(answer.score), en() ? answer.label_en : answer.label,
                              draft.answers[element.element] === answer.score));
      }
      set.append(choices);
      form.append(set);
    });
    const about = el("fieldset", { class: "p-profile" }, el("legend", { text: t("profile") }));
    for (const part of FORM.profile) {
      const group = el("div", { class: "p-profile-part", role: "radiogroup", "aria-label": en() ? part.title_en : part.title });
      group.append(el("p", { class: "p-profile-title", text: en() ? part.title_en : part.title }));
      const options = el("div", { class: "p-chips" });
      for (const option of part.options) {
        options.append(choice(`p-${part.part}`, option.code, en() ? option.label_en : option.label,
                              draft.profile[part.part] === option.code));
      }
      group.append(options);
      about.append(group);
    }
    form.append(about);
    const text = el("textarea", { id: "survey-suggestion", name: "suggestion", rows: "4", maxlength: String(FORM.suggestion_max) });
    text.value = draft.suggestion || "";
    const left = el("p", { class: "p-left", id: "survey-left", "aria-live": "off" });
    form.append(el("label", { class: "p-suggestion", for: "survey-suggestion", text: t("suggestion") }), text, left);
    form.append(el("p", { class: "p-survey-error", id: "survey-error", role: "alert", hidden: true }));
    form.append(el("button", { type: "submit", class: "p-send", id: "survey-send", text: t("send") }));
    updateLeft(text, left);
    return form;
  }

  function updateLeft(text, left) {
    left.textContent = t("left", { n: FORM.suggestion_max - text.value.length });
  }

  function render() {
    card.hidden = state === "hidden";
    if (card.hidden) return;
    const head = el("div", { class: "p-survey-head" },
      el("h2", { id: "survey-title", text: state === "thanks" ? t("thanks") : t("title") }));
    if (state === "offer" || state === "form") head.append(langSwitch());
    const body = [head];
    if (state === "offer") {
      body.push(el("p", { text: t("intro") }),
                el("button", { type: "button", class: "p-send", id: "survey-start", text: t("start") }),
                el("p", { class: "p-note", text: t("later") }));
    } else if (state === "form" || state === "sending") {
      body.push(el("p", { class: "p-note", text: t("later") }), renderForm());
    } else if (state === "thanks") {
      body.push(el("p", { id: "survey-thanks", text: t("thanks_text") }));
    } else if (state === "answered") {
      body.push(el("p", { id: "survey-thanks", text: t("answered") }));
    }
    card.replaceChildren(...body);
    card.dataset.state = state;
  }

  function showError(text) {
    const box = document.getElementById("survey-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  async function post(path, body) {
    const answer = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), cache: "no-store",
    });
    let json = {};
    try { json = await answer.json(); } catch (error) { /* not JSON: treated as an error below */ }
    return { status: answer.status, json };
  }

  // Ask the server once whether this ticket may still answer (not yet answered, today's ticket).
  async function offer() {
    if (checked) return;
    checked = true;
    try {
      const { status, json } = await post("/api/surveys/check", { token });
      const code = json.error && json.error.code;
      if (status === 200) state = draft.started ? "form" : "offer";
      else if (code === "already_answered") state = "answered";
      else state = "hidden"; // not today's ticket any more, or the survey is off
    } catch (error) {
      checked = false; // offline: the page stopped polling a finished ticket, so ask again later
      setTimeout(offer, RETRY_MS);
      return;
    }
    render();
  }

  // "Pertanyaan 4 dari 9 · Belum dijawab": a real element after the count (read by screen readers too).
  function markMissing(set, on) {
    const marker = set.querySelector(".p-question-missing");
    if (!on) {
      delete set.dataset.missing;
      if (marker) marker.remove();
      return;
    }
    set.dataset.missing = t("unanswered");
    if (!marker) set.querySelector(".p-question-count").after(el("span", { class: "p-question-missing", text: ` · ${t("unanswered")}` }));
  }

  async function send(form) {
    const missing = FORM.elements
      .map((element, index) => (draft.answers[element.element] ? null : index + 1))
      .filter((n) => n !== null);
    if (missing.length) {
      showError(t("missing", { list: missing.join(", ") }));
      for (const n of missing) markMissing(form.querySelector(`[data-element="${FORM.elements[n - 1].element}"]`), true);
      form.querySelector(`[data-element="${FORM.elements[missing[0] - 1].element}"]`).scrollIntoView({ block: "center" });
      return;
    }
    state = "sending";
    const button = document.getElementById("survey-send");
    button.disabled = true;
    button.textContent = t("sending");
    showError("");
    const profile = {};
    for (const part of FORM.profile) if (draft.profile[part.part]) profile[part.part] = draft.profile[part.part];
    try {
      const { status, json } = await post("/api/surveys", {
        token,
        answers: FORM.elements.map((element) => draft.answers[element.element]),
        profile,
        suggestion: draft.suggestion || null,
      });
      const code = json.error && json.error.code;
      if (status === 201 || code === "already_answered") {
        forgetDraft();
        state = status === 201 ? "thanks" : "answered";
        render();
        card.scrollIntoView({ block: "start" });
        return;
      }
      state = "form";
      showError(draft.lang === "id" && json.error ? json.error.message : t("error"));
    } catch (error) {
      state = "form";
      showError(t("offline"));
    }
    button.disabled = false;
    button.textContent = t("send");
  }

  card.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.lang) {
      draft.lang = button.dataset.lang;
      saveDraft();
      render();
      document.dispatchEvent(new CustomEvent("phone:survey-lang", { detail: draft.lang })); // the whole page follows
    } else if (button.id === "survey-start") {
      draft.started = true;
      saveDraft();
      state = "form";
      render();
      card.scrollIntoView({ block: "start" });
    }
  });

  card.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type !== "radio") return;
    if (input.name.startsWith("q-")) {
      draft.answers[input.name.slice(2)] = Number(input.value);
      markMissing(input.closest("fieldset"), false);
    }
    else if (input.name.startsWith("p-")) draft.profile[input.name.slice(2)] = input.value;
    saveDraft();
    showError("");
  });

  card.addEventListener("input", (event) => {
    if (event.target.id !== "survey-suggestion") return;
    draft.suggestion = event.target.value;
    saveDraft();
    updateLeft(event.target, document.getElementById("survey-left"));
  });

  card.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state === "form") send(event.target);
  });

  let lastStatus = null;

  function follow(ticket) {
    const was = lastStatus;
    lastStatus = ticket.status;
    if (ticket.status !== "done" || checked) return;
    if (was !== null && was !== "done") {
      // Finished while the page was open: today's ticket, not answered yet; no need to ask the server.
      checked = true;
      state = draft.started ? "form" : "offer";
      render();
    } else {
      offer();
    }
  }

  document.addEventListener("ticket:update", (event) => follow(event.detail));
  document.addEventListener("phone:lang", (event) => {
    draft.lang = event.detail;
    if (state === "hidden") return;
    saveDraft();
    render();
  });
  follow(pageData(document.getElementById("initial")));
}
