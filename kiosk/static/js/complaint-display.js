// Between calls the waiting-room display shows one service's Standar Pelayanan at a time (requirements, time,
// cost) for ROTATE_MS, then its idle hint for as long, then the next service; the hint comes first.
// ?standard_seconds=S sets ROTATE_MS (for tests and trials). It lives inside the idle part of the call panel, so a call always
// covers it. Words in the page's language (?lang=en), from GET /api/standards.
const panel = document.getElementById("standard-panel");
const english = document.documentElement.lang === "en";
const ROTATE_MS = 1000 * Math.min(Math.max(Number(new URLSearchParams(window.location.search)
  .get("standard_seconds")) || 12, 1), 600);
const LABELS = english
  ? { title: "Service standard", requirements: "Requirements", time_standard: "Time", cost: "Cost" }
  : { title: "Standar Pelayanan", requirements: "Persyaratan", time_standard: "Jangka waktu", cost: "Biaya" };
let services = [];
let index = 0;

const pick = (service, key) => (english && service[`${key}_en`] && service[`${key}_en`].length ? service[`${key}_en`]
  : service[key]);

function show() {
  if (!panel.hidden) { // the hint's turn
    panel.hidden = true;
    return;
  }
  const service = services[index % services.length];
  index += 1;
  const heading = document.createElement("h2");
  heading.textContent = `${LABELS.title}: ${english && service.name_en ? service.name_en : service.name}`;
  const list = document.createElement("dl");
  for (const key of ["requirements", "time_standard", "cost"]) {
    const value = pick(service, key);
    if (!value || !value.length) continue;
    const term = document.createElement("dt");
    term.textContent = LABELS[key];
    const detail = document.createElement("dd");
    detail.textContent = Array.isArray(value) ? value.join("; ") : value;
    list.append(term, detail);
  }
  panel.replaceChildren(heading, list);
  panel.hidden = false;
}

async function start() {
  try {
    const answer = await fetch("/api/standards", { cache: "no-store" });
    services = (await answer.json()).services.filter((service) => service.cost || service.requirements.length);
  } catch {
    return; // no standards now: the idle text stays alone; the page reloads with the settings anyway
  }
  if (!services.length) return;
  setInterval(show, ROTATE_MS);
}

start();
