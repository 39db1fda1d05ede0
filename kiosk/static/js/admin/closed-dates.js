/* Admin page, "Hari libur": the office's own closed dates (add, remove) and the coming public holidays. */
import { inOrder } from "../lib/api.js";
import { $, cell, replaceRows } from "../lib/dom.js";
import { formatDate } from "./format.js";

export function setupClosedDates({api, say, ask, loadToday}) {
  const HOLIDAYS_SHOWN = 8;

  function renderClosedDates(answer) {
    replaceRows($("closed-body"), answer.closed_dates.map((closed) => {
      const tr = document.createElement("tr");
      tr.setAttribute("data-date", closed.date);
      tr.appendChild(cell(formatDate(closed.date)));
      tr.appendChild(cell(closed.reason));
      tr.appendChild(cell(closed.created_by || "\u2013"));
      const td = document.createElement("td");
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "row-action danger"; remove.textContent = "Hapus";
      remove.setAttribute("data-closed", closed.date);
      remove.setAttribute("data-reason", closed.reason);
      td.appendChild(remove);
      tr.appendChild(td);
      return tr;
    }));
    $("closed-empty").hidden = answer.closed_dates.length > 0;
    replaceRows($("holiday-list"), answer.holidays.slice(0, HOLIDAYS_SHOWN).map((holiday) => {
      const li = document.createElement("li");
      const when = document.createElement("b");
      when.textContent = formatDate(holiday.date);
      li.appendChild(when);
      li.appendChild(document.createTextNode(` ${holiday.name}`));
      return li;
    }));
    $("holiday-none").hidden = answer.holidays.length > 0;
  }

  const closedInOrder = inOrder();  // a late answer must not put back a date removed since
  function loadClosedDates() {
    return api("GET", "/api/admin/closed-dates").then(closedInOrder(renderClosedDates), (error) => {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  $("closed-body").addEventListener("click", (event) => {
    const button = event.target.closest("[data-closed]");
    if (!button) return;
    const day = button.getAttribute("data-closed");
    ask({title: `Hapus tanggal tutup ${formatDate(day)}?`,
         text: `Alasan: ${button.getAttribute("data-reason")}. Kantor buka seperti biasa pada tanggal itu.`,
         ok: "Ya, hapus", path: `/api/admin/closed-dates/${day}`, method: "DELETE",
         done: () => {
           loadClosedDates();
           loadToday();
           return `Tanggal ${formatDate(day)} tidak lagi tutup.`;
         }});
  });

  $("add-closed").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const day = form.date.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) { say("Pilih tanggal terlebih dahulu.", "error"); return; }
    form.querySelector("button").disabled = true;
    api("PUT", `/api/admin/closed-dates/${day}`, {reason: form.reason.value.trim()}).then(() => {
      say(`Kantor tutup pada ${formatDate(day)}.`, "ok");
      form.reset();
      loadClosedDates();
      loadToday();
    }, (error) => {
      say(error.message, "error");
    }).then(() => { form.querySelector("button").disabled = false; });
  });

  return {loadClosedDates};
}
