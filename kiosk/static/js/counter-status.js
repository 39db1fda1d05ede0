/* Counter screen, "Status KTP-el" tab: find a record by NIK, change its status, a batch of cards, SIAK upload.
 *
 * Every NIK goes in a POST body through counter.js's API client (session cookie + CSRF header),
 * never in a URL. Nothing is kept in storage; leaving the tab keeps the last record on screen
 * only until the page is left.
 */
import { $, cell } from "./lib/dom.js";

// Wire the tab; `api` is the counter page's API client (lib/api.js), already holding the session.
export function startStatusTab(api) {

  const STATUS_LABELS = {};
  Array.prototype.forEach.call($("change-status").options, (option) => {
    STATUS_LABELS[option.value] = option.textContent;
  });
  const SOURCE_TEXT = {import: "impor SIAK", demo: "data contoh"};  // a staff edit shows just the username
  const OUTCOME_TEXT = {updated: "Diubah", already_ready: "Sudah siap", not_ready_state: "Ditolak",
                      unknown: "Tidak dikenal",
                      invalid: "Tidak valid", duplicate: "Berulang"};
  let shownNik = null;

  // ------------------------------------------------------------ tabs

  const tabs = {queue: $("tab-queue"), status: $("tab-status")};
  const panels = {queue: $("queue-panel"), status: $("status-panel")};

  function showTab(name, focus) {
    Object.keys(tabs).forEach((key) => {
      const chosen = key === name;
      tabs[key].setAttribute("aria-selected", String(chosen));
      tabs[key].tabIndex = chosen ? 0 : -1;
      panels[key].hidden = !chosen;
    });
    document.body.setAttribute("data-tab", name);
    if (focus) tabs[name].focus();
    if (name === "status" && !$("record").hidden) return;
    if (name === "status") $("find-nik").focus();
  }

  Object.keys(tabs).forEach((key) => {
    tabs[key].addEventListener("click", () => { showTab(key, false); });
    tabs[key].addEventListener("keydown", (event) => {  // WAI-ARIA tabs: arrows move between tabs
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        showTab(key === "queue" ? "status" : "queue", true);
      }
    });
  });

  // ------------------------------------------------------------ helpers

  function say(id, text, kind) {
    const box = $(id);
    box.textContent = text || "";
    box.className = `message ${kind || "ok"}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !text;
  }

  function failed(id) {
    return (error) => { if (error.status !== 401) say(id, error.message, "error"); };
  }

  // "2026-11-25T09:05:00+07:00" -> "25-11-2026 09.05" (the office's own time, as stored)
  function when(iso) {
    if (!iso || iso.length < 16) return iso || "";
    return `${iso.slice(8, 10)}-${iso.slice(5, 7)}-${iso.slice(0, 4)} ${iso.slice(11, 13)}.${iso.slice(14, 16)}`;
  }

  function grouped(digits) {  // 6-6-4, as the number is read off the card
    return /^[0-9]{16}$/.test(digits) ? `${digits.slice(0, 6)} ${digits.slice(6, 12)} ${digits.slice(12)}` : digits;
  }

  function statusText(code) {
    return STATUS_LABELS[code] || code;
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button, input, select, textarea"), (field) => {
      field.disabled = on;
    });
  }

  // ------------------------------------------------------------ one record

  function renderRecord(answer) {
    const record = answer.application;
    shownNik = record.nik;
    $("record").hidden = false;
    $("record").setAttribute("data-status", record.status);
    $("record-name").textContent = record.name;
    $("record-nik").textContent = grouped(record.nik);
    $("record-status").textContent = statusText(record.status);
    $("record-note").textContent = record.note || "\u2013";
    $("record-updated").textContent = `${when(record.updated_at)} oleh ${record.updated_by}`;
    $("change-status").value = record.status;
    $("change-note").value = record.note;
    const rows = answer.history.map((entry) => {
      const tr = document.createElement("tr");
      tr.appendChild(cell(when(entry.at), "when"));
      const source = SOURCE_TEXT[entry.source];
      tr.appendChild(cell(!source ? entry.by : entry.by === entry.source ? source
                                             : `${entry.by} (${source})`));
      tr.appendChild(cell(statusText(entry.status)));
      let note = entry.note || "";
      if (entry.details_changed) {
        note = `${note ? `${note} \u00b7 ` : ""  }data diri diubah`;
      }
      tr.appendChild(cell(note || "\u2013"));
      return tr;
    });
    rows.reverse();  // latest change first
    $("history-body").replaceChildren.apply($("history-body"), rows);
  }

  function clearRecord() {
    shownNik = null;
    $("record").hidden = true;
    $("history-body").replaceChildren();
  }

  function find(nik) {
    return api("POST", "/api/applications/search", {nik}).then((answer) => {
      renderRecord(answer);
      return answer;
    });
  }

  $("find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const nik = $("find-nik").value.replace(/[\s.\-]/g, "");
    if (!nik) { say("find-message", "Ketik NIK yang dicari (16 angka).", "error"); return; }
    busy(form, true);
    say("find-message", "");
    find(nik).then(() => {
      $("find-nik").value = "";
    }, (error) => {
      clearRecord();
      failed("find-message")(error);
    }).then(() => { busy(form, false); $("find-nik").focus(); });
  });

  $("change-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!shownNik) return;
    const form = event.target;
    const status = $("change-status").value;
    busy(form, true);
    api("POST", "/api/applications/status", {nik: shownNik, status, note: $("change-note").value})
      .then((answer) => {
        renderRecord(answer);
        say("find-message", answer.change === "updated"
          ? `Status disimpan: ${statusText(status)}.`
          : "Tidak ada yang berubah.", "ok");
      }, failed("find-message"))
      .then(() => { busy(form, false); });
  });

  // ------------------------------------------------------------ a batch of cards

  function counted(counts) {
    const parts = [`${counts.updated} diubah menjadi siap diambil`];
    if (counts.already_ready) parts.push(`${counts.already_ready} sudah siap sebelumnya`);
    if (counts.not_ready_state) parts.push(`${counts.not_ready_state} ditolak karena statusnya`);
    if (counts.unknown) parts.push(`${counts.unknown} tidak dikenal`);
    if (counts.invalid) parts.push(`${counts.invalid} tidak valid`);
    if (counts.duplicate) parts.push(`${counts.duplicate} berulang`);
    return `${parts.join(", ")}.`;
  }

  $("ready-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const text = $("ready-niks").value;
    if (!text.trim()) { say("ready-message", "Tempelkan paling sedikit satu NIK.", "error"); return; }
    busy(form, true);
    say("ready-message", "");
    api("POST", "/api/applications/ready", {niks: text, note: $("ready-note").value})
      .then((answer) => {
        $("ready-report").hidden = false;
        $("ready-counts").textContent = counted(answer.counts);
        const rows = answer.lines.map((line) => {
          const tr = document.createElement("tr");
          tr.setAttribute("data-outcome", line.outcome);
          tr.appendChild(cell(String(line.no), "num"));
          tr.appendChild(cell(grouped(line.nik), "digits"));
          const result = cell("", "outcome");
          const mark = document.createElement("b");
          mark.textContent = OUTCOME_TEXT[line.outcome] || line.outcome;
          result.appendChild(mark);
          result.appendChild(document.createTextNode(` ${line.message}`));
          tr.appendChild(result);
          return tr;
        });
        $("ready-body").replaceChildren.apply($("ready-body"), rows);
        $("ready-niks").value = "";
        const shownChanged = answer.lines.some((line) => {
          return line.outcome === "updated" && line.nik === shownNik;
        });
        if (shownChanged) find(shownNik).catch(() => {});
      }, failed("ready-message"))
      .then(() => { busy(form, false); });
  });

  // ------------------------------------------------------------ SIAK upload (admin)

  const importForm = $("import-form");
  if (importForm) {
    const showFileName = () => {
      const file = $("import-file").files[0];
      $("import-file-name").textContent = file ? file.name : "Belum ada berkas dipilih.";
    };
    $("import-file").addEventListener("change", showFileName);
    importForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const file = $("import-file").files[0];
      if (!file) { say("import-message", "Pilih berkas CSV dari SIAK terlebih dahulu.", "error"); return; }
      const body = new FormData();
      body.append("file", file);
      busy(importForm, true);
      say("import-message", `Mengimpor ${file.name}\u2026`, "ok");
      api("POST", "/api/admin/status-import", body).then((answer) => {
        say("import-message", "");
        $("import-report").hidden = false;
        $("import-counts").textContent = `Diterima ${answer.accepted} baris (baru ${answer.created}, berubah ${answer.updated}, tetap ${answer.unchanged}); ditolak ${answer.rejected_count} baris.`;
        const rows = answer.rejected.map((rejected) => {
          const tr = document.createElement("tr");
          tr.appendChild(cell(String(rejected.row), "num"));
          tr.appendChild(cell(rejected.message));
          return tr;
        });
        $("import-body").replaceChildren.apply($("import-body"), rows);
        $("import-body").closest("table").hidden = rows.length === 0;
        $("import-file").value = "";
        showFileName();
        if (shownNik) find(shownNik).catch(() => {});
      }, (error) => {
        $("import-report").hidden = true;
        failed("import-message")(error);
      }).then(() => { busy(importForm, false); });
    });
  }

  document.body.setAttribute("data-tab", "queue");
}
