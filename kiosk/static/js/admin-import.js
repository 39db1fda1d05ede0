/* Admin page, "Impor SIAK": upload a SIAK CSV to POST /api/admin/status-import and show the report
 * (the same importer as `kiosk import-status` and the counter's Status KTP-el tab; no loket needed). */
import { $ } from "./lib/dom.js";

const form = $("siak-form");
if (form) start();

function start() {
  function say(text, kind) {
    const box = $("siak-message");
    box.textContent = text;
    box.className = `admin-message ${kind || "ok"}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !text;
  }

  function showFileName() {
    const file = $("siak-file").files[0];
    $("siak-file-name").textContent = file ? file.name : "Belum ada berkas dipilih.";
  }

  function upload(file) {
    return fetch("/api/session", {credentials: "same-origin", cache: "no-store"})
      .then((answer) => { return answer.json(); })
      .then((session) => {
        const body = new FormData();
        body.append("file", file);
        return fetch("/api/admin/status-import", {method: "POST", body, credentials: "same-origin",
                                                  headers: {"X-CSRF-Token": session.csrf_token}});
      })
      .then((answer) => {
        return answer.json().catch(() => { return {}; }).then((data) => {
          if (!answer.ok) throw new Error((data.error && data.error.message) || `Impor gagal (${answer.status}).`);
          return data;
        });
      });
  }

  $("siak-file").addEventListener("change", showFileName);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = $("siak-file").files[0];
    if (!file) { say("Pilih berkas CSV dari SIAK terlebih dahulu.", "error"); return; }
    const button = form.querySelector("button");
    button.disabled = true;
    say(`Mengimpor ${file.name}\u2026`, "ok");
    upload(file).then((answer) => {
      say(`Impor ${file.name} selesai.`, "ok");
      $("siak-report").hidden = false;
      $("siak-counts").textContent = `Diterima ${answer.accepted} baris (baru ${answer.created}, berubah ${answer.updated}, tetap ${answer.unchanged}); ditolak ${answer.rejected_count} baris.`;
      const body = $("siak-body");
      while (body.firstChild) body.removeChild(body.firstChild);
      answer.rejected.forEach((rejected) => {
        const tr = document.createElement("tr");
        const row = document.createElement("td");
        row.className = "num";
        row.textContent = String(rejected.row);
        const reason = document.createElement("td");
        reason.textContent = rejected.message;
        tr.appendChild(row);
        tr.appendChild(reason);
        body.appendChild(tr);
      });
      $("siak-rejected").hidden = answer.rejected.length === 0;
      $("siak-file").value = "";
      showFileName();
    }, (error) => {
      $("siak-report").hidden = true;
      say(error.message === "Failed to fetch" ? "Server tidak dapat dihubungi." : error.message, "error");
    }).then(() => { button.disabled = false; });
  });
}
