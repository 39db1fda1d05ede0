/* The kiosk's disruption notice: while staff have paused a service (or all) the start screen, and the screen
   that refused a number, say why in plain words and offer what the resident can do instead: the services
   [disruption.alternatives] names for that reason, and a number for a later day where the service takes them.
   Followed by a poll of /api/disruptions each second (a start reaches the screen within about a second); a
   change also makes kiosk.js reload the services, so the paused ones turn grey with the reason at once. */
import { pageData } from "./lib/page-data.js";
import { covering, describe, follow } from "./lib/disruptions.js";

const POLL_MS = 1000;
const CATALOGUE = pageData(document.getElementById("kiosk-messages"));
const WORDS = { id: CATALOGUE.id.kiosk, en: CATALOGUE.en.kiosk };
const LATER_URL = document.getElementById("app").dataset.laterUrl || "";
const boxes = Array.from(document.querySelectorAll("[data-disruption]"));
let disruptions = [];

const lang = () => (document.documentElement.lang === "en" ? "en" : "id");

function t(key, values) {
  let text = WORDS[lang()][key] ?? WORDS.id[key] ?? "";
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

function node(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

const named = (item, prefix) => (lang() === "en" && item[`${prefix}_en`]) || item[prefix];

// What the resident can do instead: the alternatives of every disruption shown (each once), then a number for
// a later day where a paused service takes bookings.
function actions(shown, onStart) {
  const offered = new Map();
  for (const item of shown) for (const service of item.alternatives) offered.set(service.code, service);
  const found = Array.from(offered.values()).map((service) => {
    const button = node("button", "k-alt", named(service, "name"));
    button.type = "button";
    button.dataset.code = service.code;  // kiosk.js: the same as touching that service on the start screen
    button.dataset.say = `service.${service.code}`;
    return button;
  });
  const paused = shown.find((item) => item.later_day);
  if (LATER_URL && paused) {
    const later = node("button", "k-alt k-alt-later", t("later_day"));
    later.type = "button";
    later.dataset.action = "later";  // kiosk.js: /kiosk/later for this service
    later.dataset.service = paused.service;
    later.dataset.t = "later_day";
    found.push(later);
  }
  // Voice mode reads the start screen's notice but numbers only the services there (the alternatives are
  // services of the list); on the screen that refused a number they are its numbered choices.
  if (onStart) for (const button of found) button.dataset.voiceSkip = "";
  return found;
}

function fill(box, shown) {
  const title = node("p", "k-disruption-title", t("disruption_title"));
  title.dataset.say = "t.disruption_title";  // voice guidance (kiosk/domain/guide.py)
  const parts = [title];
  for (const item of shown) {
    const words = describe(item, t, lang(), () => named(item, "service_name"));
    const line = node("p", "k-disruption-line");
    line.dataset.say = item.service === null ? `reason.${item.reason} disruption.all`
      : `reason.${item.reason} disruption.one service.${item.service}`;
    line.append(node("strong", "k-disruption-reason", words.reason), ` ${words.scope}`,
      words.until ? ` ${words.until}` : "");
    parts.push(line);
  }
  const offered = actions(shown, Boolean(box.closest("[data-screen=start]")));
  if (offered.length) {
    const instead = node("p", "k-disruption-instead", t("disruption_instead"));
    instead.dataset.say = "t.disruption_instead";
    parts.push(instead);
    const row = node("div", "k-alts");
    row.append(...offered);
    parts.push(row);
  }
  box.replaceChildren(...parts);
}

function render() {
  const shown = covering(disruptions, null).slice(0, 2);
  for (const box of boxes) {
    box.hidden = shown.length === 0;
    if (shown.length) fill(box, shown);
    else box.replaceChildren();
  }
  document.body.dataset.disruptions = String(shown.length);
}

let known = false;  // the first answer only confirms what kiosk.js loaded with the page, unless a pause is on
follow((list) => {
  const changed = known || list.length > 0;
  known = true;
  disruptions = list;
  render();
  // kiosk.js reloads the services (the paused ones grey); never for nothing, so a tap in the page's first
  // second is not lost to the service buttons being drawn again
  if (changed) document.dispatchEvent(new CustomEvent("kiosk:disruptions"));
}, { intervalMs: POLL_MS });
new MutationObserver(render).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
