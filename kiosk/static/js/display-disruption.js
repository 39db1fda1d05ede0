/* The waiting-room display's disruption band: what is paused and why, in plain words, while a disruption
   lasts. Asked for at load, at once on the live stream's `disruption` event (display.js passes it on), and
   every few seconds in case the stream is away. */
import { pageData } from "./lib/page-data.js";
import { covering, describe, follow } from "./lib/disruptions.js";

const CONFIG = pageData("display-config");
const WORDS = CONFIG.words;
const LANG = document.documentElement.lang === "en" ? "en" : "id";
const NAMES = Object.fromEntries(CONFIG.services.map((s) => [s.code, LANG === "en" && s.name_en ? s.name_en : s.name]));
const band = document.getElementById("disruption");
const list = document.getElementById("disruption-list");

function t(key, values) {
  let text = WORDS[key];
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

function render(disruptions) {
  const shown = covering(disruptions, null).slice(0, 3);  // newest first; a TV has room for three
  list.replaceChildren(...shown.map((item) => {
    const words = describe(item, t, LANG, (code) => NAMES[code] || code);
    const row = document.createElement("li");
    const reason = document.createElement("span");
    reason.className = "disruption-reason";
    reason.textContent = words.reason;
    row.append(reason, ` — ${[words.scope, words.until].filter(Boolean).join(" ")}`);
    return row;
  }));
  band.hidden = shown.length === 0;
  document.body.dataset.disruptions = String(shown.length);
}

const watch = follow(render, { intervalMs: 5000 });
document.addEventListener("display:disruption", () => watch.refresh());
