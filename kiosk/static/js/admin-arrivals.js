/* /admin/arrivals: a day's bookings per arrival window (the expected arrivals), each cancellable after a
 * confirmation. Words come from the page's catalogue (Indonesian, or English with ?lang=en). */
import { staffApi } from "./lib/api.js";
import { $, cell, el, replaceRows, sayIn } from "./lib/dom.js";
import { pageData } from "./lib/page-data.js";

const CONFIG = pageData("arrivals-config");
const W = CONFIG.words;
const serviceNames = {};
CONFIG.services.forEach((s) => { serviceNames[s.code] = s.name; });

const client = staffApi({returnTo: location.pathname + location.search,
                         onSession: (answer) => { $("admin-name").textContent = answer.user.username; }});
const api = client.call;
const say = (text, kind) => sayIn($("message"), "admin-message", text, kind);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, name) => values[name]);

let pending = null;

function render(bookings) {
  const windows = {};
  bookings.forEach((b) => {
    const key = `${b.slot_start}–${b.slot_end}`;
    (windows[key] = windows[key] || []).push(b);
  });
  const blocks = Object.keys(windows).sort().map((key, index) => {
    const list = windows[key];
    const people = list.filter((b) => b.status !== "cancelled").reduce((sum, b) => sum + b.members, 0);
    const rows = list.map((b) => {
      const tr = el("tr", {"data-code": b.code});
      tr.appendChild(cell(b.code, "code"));
      tr.appendChild(cell(serviceNames[b.service] || b.service));
      tr.appendChild(cell(String(b.members)));
      tr.appendChild(cell(W[`status_${b.status}`] || b.status));
      const action = el("td", {});
      if (b.status === "booked") {
        const button = el("button", {type: "button", "data-token": b.token, "data-code": b.code,
                                     "data-window": key, text: W.cancel_booking,
                                     "aria-label": `${W.cancel_booking} ${b.code}`});
        action.appendChild(button);
      }
      tr.appendChild(action);
      return tr;
    });
    const title = `window-${index}`;
    return el("section", {class: "window-block", "aria-labelledby": title}, [
      el("h3", {id: title, text: `${key} · ${W.people}: ${people}`}),
      el("table", {class: "arrivals-table"}, [
        el("thead", {}, [el("tr", {}, [W.code, W.service, W.people, W.status, ""].map((text) => {
          return el("th", {scope: "col"}, text ? [document.createTextNode(text)]
                                              : [el("span", {class: "visually-hidden", text: W.decision})]);
        }))]),
        el("tbody", {}, rows)])]);
  });
  replaceRows($("windows"), blocks);
  $("arrivals-count").textContent = String(bookings.filter((b) => b.status !== "cancelled").length);
  $("arrivals-empty").hidden = bookings.length > 0;
}

function load() {
  const day = $("day").value;
  const service = $("service").value;
  const query = `?date=${encodeURIComponent(day)}` + (service ? `&service=${encodeURIComponent(service)}` : "");
  return api("GET", `/api/bookings${query}`).then((answer) => { render(answer.bookings); },
                                                 (error) => { if (error.status !== 401) say(error.message, "error"); });
}

$("day-form").addEventListener("submit", (event) => { event.preventDefault(); say(""); load(); });

$("windows").addEventListener("click", (event) => {
  const button = event.target.closest("[data-token]");
  if (!button) return;
  pending = {token: button.getAttribute("data-token"), code: button.getAttribute("data-code")};
  $("confirm-text").textContent = fill(W.confirm_text, {code: pending.code, window: button.getAttribute("data-window")});
  $("confirm-error").hidden = true;
  $("confirm").showModal();
  $("confirm-cancel").focus();
});
$("confirm-cancel").addEventListener("click", () => { pending = null; $("confirm").close(); });
$("confirm-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!pending) return;
  const chosen = pending;
  $("confirm-ok").disabled = true;
  api("POST", `/api/bookings/${encodeURIComponent(chosen.token)}/cancel`).then(() => {
    pending = null;
    $("confirm").close();
    say(fill(W.cancelled_done, {code: chosen.code}), "ok");
    return load();
  }, (error) => {
    $("confirm-error").textContent = error.message;
    $("confirm-error").hidden = false;
  }).then(() => { $("confirm-ok").disabled = false; });
});

$("logout").addEventListener("click", () => {
  api("POST", "/api/logout").catch(() => {}).then(() => { location.assign("/login"); });
});

client.loadSession().then(load, (error) => { if (error.status !== 401) say(error.message, "error"); });
