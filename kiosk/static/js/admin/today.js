/* Admin page, "Hari ini": today's figures per service and counter, the printer, speech and backup
 * state, and today's rules per service (close for today, a daily quota). Live events refetch it. */
import { inOrder } from "../lib/api.js";
import { $, cell, changeGate, replaceRows } from "../lib/dom.js";
import { formatDate, formatTime } from "./format.js";

// onDate(today) hears the office's date (the report form defaults to this month with it).
export function setupToday({api, say, ask, onDate}) {
  const REFRESH_GAP_MS = 1000;   // live events refetch today's figures at most this often
  const PRINTER_TEXT = {online: "Terhubung", offline: "Tidak terhubung", paper_out: "Kertas habis",
                      unknown: "Belum diketahui"};
  const SPEECH_TEXT = {"espeak-ng": "Suara server (espeak-ng)", browser: "Suara dari peramban layar TV"};
  const TICKET_STATUS = {called: "dipanggil", serving: "sedang dilayani"};

  function renderToday(today) {
    $("today-date").textContent = formatDate(today.date);
    onDate(today.date);
    const totals = {issued: 0, waiting: 0, served: 0, no_show: 0};
    replaceRows($("services-body"), today.services.map((service) => {
      const tr = document.createElement("tr");
      tr.setAttribute("data-service", service.code);
      tr.appendChild(cell(service.name));
      tr.appendChild(cell(service.open ? "Buka" : (service.message || "Tutup"), service.open ? "open" : "closed"));
      ["issued", "waiting", "served", "no_show"].forEach((key) => {
        totals[key] += service[key];
        const td = cell(String(service[key]), "num");
        td.setAttribute("data-figure", key);
        tr.appendChild(td);
      });
      return tr;
    }));
    $("total-issued").textContent = String(totals.issued);
    $("total-waiting").textContent = String(totals.waiting);
    $("total-served").textContent = String(totals.served);
    $("total-no-show").textContent = String(totals.no_show);
    replaceRows($("counters-body"), today.counters.map((counter) => {
      const tr = document.createElement("tr");
      tr.setAttribute("data-counter", String(counter.id));
      tr.appendChild(cell(counter.name));
      tr.appendChild(cell(counter.ticket
        ? `${counter.ticket.number} (${TICKET_STATUS[counter.ticket.status] || counter.ticket.status})`
        : "Kosong", counter.ticket ? "" : "empty"));
      tr.appendChild(cell(counter.staff || "\u2013"));
      return tr;
    }));
    renderRules(today.services);
    renderPrinter(today.printer);
    $("pending-prints").textContent = String(today.pending_print_jobs);
    $("speech-state").textContent = SPEECH_TEXT[today.speech] || today.speech;
    renderBackup(today.backup);
    renderRegency(today.regency);
  }

  // ------------------------------------------------------------ Layanan hari ini

  let services = {};
  let editingQuota = null;   // a quota being typed is not overwritten by a live refresh

  // Live events refresh this table about once a second (each issued number changes a count): a row is drawn again
  // only when something but its count changed, so a button under a finger is not replaced between press and release.
  const rulesChanged = changeGate();   // the services, in order: a new list draws the whole table
  const drawnShape = new WeakMap();    // row -> what it shows but the count

  function renderRules(list) {
    if (editingQuota) return;
    services = {};
    list.forEach((service) => { services[service.code] = service; });
    const body = $("rules-body");
    if (rulesChanged(list.map((service) => service.code))) {
      replaceRows(body, list.map(ruleRow));
      return;
    }
    Array.from(body.rows).forEach((row, index) => {
      const service = list[index];
      if (drawnShape.get(row) === shapeOf(service)) row.cells[2].textContent = String(service.issued);
      else row.replaceWith(ruleRow(service));
    });
  }

  function shapeOf(service) {
    return JSON.stringify({...service, issued: null});
  }

  function ruleRow(service) {
    const closedToday = !!(service.override && service.override.open === false);
    const tr = document.createElement("tr");
    drawnShape.set(tr, shapeOf(service));
    tr.setAttribute("data-service", service.code);
    tr.appendChild(cell(service.name));
    tr.appendChild(cell(service.open ? "Buka" : (service.message || "Tutup"), service.open ? "open" : "closed"));
    tr.appendChild(cell(String(service.issued), "num"));
    const quota = document.createElement("td");
    const input = document.createElement("input");
    input.type = "number"; input.min = "0"; input.max = "100000"; input.step = "1";
    input.className = "quota-input";
    input.setAttribute("aria-label", `Kuota hari ini ${service.name}`);
    input.placeholder = "tanpa batas";
    input.value = service.daily_quota === null ? "" : String(service.daily_quota);
    input.setAttribute("data-quota", service.code);
    quota.appendChild(input);
    const save = document.createElement("button");
    save.type = "button"; save.className = "row-action"; save.textContent = "Simpan";
    save.setAttribute("data-rule", "quota"); save.setAttribute("data-code", service.code);
    quota.appendChild(save);
    if (service.override && service.override.daily_quota !== null) {
      const reset = document.createElement("button");
      reset.type = "button"; reset.className = "row-action"; reset.textContent = "Kuota bawaan";
      reset.setAttribute("data-rule", "quota-default"); reset.setAttribute("data-code", service.code);
      quota.appendChild(reset);
    }
    tr.appendChild(quota);
    tr.appendChild(cell(service.override
      ? `${service.override.updated_by}, pukul ${formatTime(service.override.updated_at)}` : "\u2013"));
    const actions = document.createElement("td");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = `row-action${closedToday ? "" : " danger"}`;
    toggle.textContent = closedToday ? "Buka kembali" : "Tutup hari ini";
    toggle.setAttribute("data-rule", closedToday ? "open" : "close");
    toggle.setAttribute("data-code", service.code);
    actions.appendChild(toggle);
    tr.appendChild(actions);
    return tr;
  }

  function patchService(code, body, done) {
    return api("PATCH", `/api/services/${encodeURIComponent(code)}`, body).then(() => {
      say(done, "ok");
      loadToday();
    });
  }

  $("rules-body").addEventListener("focusin", (event) => {
    if (event.target.hasAttribute("data-quota")) editingQuota = event.target.getAttribute("data-quota");
  });
  $("rules-body").addEventListener("focusout", (event) => {
    if (event.target.hasAttribute("data-quota")) editingQuota = null;
  });

  $("rules-body").addEventListener("click", (event) => {
    const button = event.target.closest("[data-rule]");
    if (!button) return;
    const service = services[button.getAttribute("data-code")];
    if (!service) return;
    const rule = button.getAttribute("data-rule");
    if (rule === "close") {
      ask({title: `Tutup ${service.name} hari ini?`,
           text: "Kios tidak memberi nomor antrean baru untuk layanan ini sampai dibuka kembali atau besok. " +
                 "Warga yang sudah mengambil nomor tetap dilayani.",
           ok: "Ya, tutup", path: `/api/services/${encodeURIComponent(service.code)}`, method: "PATCH",
           body: {open: false},
           done: () => { loadToday(); return `${service.name} ditutup untuk hari ini.`; }});
    } else if (rule === "open") {
      patchService(service.code, {open: true}, `${service.name} dibuka kembali.`).catch((error) => {
        say(error.message, "error");
      });
    } else {
      const input = $("rules-body").querySelector(`[data-quota='${service.code}']`);
      let quota = null;
      if (rule === "quota") {
        if (!/^\d+$/.test(input.value.trim())) {
          say("Kuota harus bilangan bulat 0 atau lebih.", "error");
          return;
        }
        quota = parseInt(input.value, 10);
      }
      editingQuota = null;
      patchService(service.code, {daily_quota: quota}, quota === null
        ? `Kuota ${service.name} kembali ke bawaan.`
        : `Kuota ${service.name} hari ini: ${quota}.`).catch((error) => {
        say(error.message, "error");
      });
    }
  });

  function renderBackup(backup) {
    const box = $("backup-state");
    if (!backup) return;
    box.setAttribute("data-state", backup.state);
    const last = backup.last_at ? `${formatDate(backup.last_at)} pukul ${formatTime(backup.last_at)}` : "";
    box.textContent = {
      off: "Tidak diatur (isi [backup] dir di konfigurasi)",
      none: "Belum ada salinan",
      ok: `Berhasil, ${last}${backup.file ? ` (${backup.file})` : ""}`,
      failed: `Gagal, dicoba lagi tiap 15 menit: ${backup.error || ""}${last ? `. Salinan terakhir: ${last}` : ""}`
    }[backup.state] || backup.state;
  }

  // Store-and-forward to the regency: null while [regency] url is not set.
  function renderRegency(regency) {
    const box = $("regency-state");
    if (regency === undefined) return;
    if (regency === null) {
      box.setAttribute("data-state", "off");
      box.textContent = "Tidak diatur (isi [regency] url di konfigurasi)";
      return;
    }
    const last = regency.last_sent_at
      ? `terakhir ${formatDate(regency.last_sent_at)} pukul ${formatTime(regency.last_sent_at)}` : "belum pernah";
    if (regency.error === "no_key") {
      box.setAttribute("data-state", "failed");
      box.textContent = `Kunci kantor belum dipasang (berkas .regency-key); ${regency.pending} peristiwa menunggu`;
    } else if (regency.pending === 0) {
      box.setAttribute("data-state", "ok");
      box.textContent = `Terkirim semua (${last})`;
    } else {
      box.setAttribute("data-state", regency.error ? "failed" : "ok");
      const minutes = Math.floor(regency.lag_seconds / 60);
      box.textContent = `${regency.pending} peristiwa menunggu, tertunda ${minutes} menit (${last})`
        + (regency.error ? `; gagal: ${regency.error}, dicoba lagi` : "");
    }
    if (regency.quarantined) {
      // Events the regency refused as bad data: set aside so the rest go on; they need a look.
      box.setAttribute("data-state", "failed");
      box.textContent += `; ${regency.quarantined} peristiwa ditolak kabupaten dan disisihkan (lihat log server)`;
    }
  }

  function renderPrinter(state) {
    const box = $("printer-state");
    box.setAttribute("data-state", state);
    box.textContent = PRINTER_TEXT[state] || state;
  }

  // A live refresh can be on its way when a change reloads: its late answer must not put back what changed.
  const todayInOrder = inOrder();
  function loadToday() {
    return api("GET", "/api/admin/today").then(todayInOrder(renderToday), (error) => {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  let refreshTimer = null;
  let lastRefresh = 0;
  function refreshSoon() {
    if (refreshTimer) return;
    const wait = Math.max(0, REFRESH_GAP_MS - (Date.now() - lastRefresh));
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      lastRefresh = Date.now();
      loadToday();
    }, wait);
  }

  return {loadToday, refreshSoon, renderPrinter};
}
