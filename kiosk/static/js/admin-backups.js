/* Backups screen: GET /api/admin/backups (schedule, latest outcome, copies), "back up now" and downloads. */
import { staffApi } from "./lib/api.js";
import { $, cell, sayIn } from "./lib/dom.js";

const STATE_TEXT = {ok: "Berhasil", failed: "Gagal", none: "Belum ada salinan", off: "Tidak aktif"};

const client = staffApi({returnTo: "/admin/backups"});
const api = client.call;

const say = (text, kind) => sayIn($("message"), "admin-message", text, kind);

function size(bytes) {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} MB`;
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 16) : "\u2013";
}

function render(answer) {
  const schedule = answer.schedule, latest = answer.latest;
  $("schedule-state").textContent = schedule.enabled ? "Aktif" : "Tidak aktif (isi [backup] dir)";
  $("schedule-dir").textContent = schedule.dir || "\u2013";
  $("schedule-time").textContent = schedule.enabled ? `Setiap hari setelah ${schedule.time}` : "\u2013";
  $("schedule-keep").textContent = `${schedule.keep} salinan terbaru`;
  $("latest-state").setAttribute("data-state", latest.state);
  $("latest-state").textContent = (STATE_TEXT[latest.state] || latest.state) +
    (latest.last_at ? ` \u00b7 ${when(latest.last_at)}` : "") + (latest.error ? ` \u00b7 ${latest.error}` : "");
  $("back-up-now").disabled = !schedule.enabled;
  const body = $("copies-body");
  while (body.firstChild) body.removeChild(body.firstChild);
  answer.backups.forEach((copy) => {
    const tr = document.createElement("tr");
    tr.setAttribute("data-file", copy.file);
    tr.appendChild(cell(copy.file));
    tr.appendChild(cell(when(copy.taken_at)));
    tr.appendChild(cell(size(copy.size), "num"));
    tr.appendChild(cell(STATE_TEXT[copy.outcome] || copy.outcome, copy.outcome === "ok" ? "open" : "closed"));
    const link = document.createElement("a");
    link.href = `/api/admin/backups/${encodeURIComponent(copy.file)}`;
    link.textContent = "Unduh";
    link.setAttribute("download", copy.file);
    link.setAttribute("aria-label", `Unduh ${copy.file}`);
    const td = document.createElement("td");
    td.appendChild(link);
    tr.appendChild(td);
    body.appendChild(tr);
  });
  $("copies-empty").hidden = answer.backups.length > 0;
  $("copies-table").hidden = answer.backups.length === 0;
  if (answer.backups.length) $("restore-command").textContent = answer.backups[0].restore;
}

function load() { return api("GET", "/api/admin/backups").then(render); }

$("back-up-now").addEventListener("click", () => {
  const button = $("back-up-now");
  button.disabled = true;
  say("Mencadangkan\u2026", "ok");
  api("POST", "/api/admin/backups").then((answer) => {
    say(`Salinan ${answer.backup.file} (${size(answer.backup.size)}) dibuat.`, "ok");
    return load();
  }).catch((error) => {
    say(error.message, "error");
    return load();
  }).then(() => { button.disabled = false; });
});

client.loadSession().then(() => {
  return load();
}).catch((error) => { say(error.message, "error"); });
