/* SMS screen: GET /api/admin/sms (modem state, today's messages, failures, budget left), refreshed every 10 s. */

const MODEM_TEXT = {
  off: "Tidak aktif",
  running: "Berjalan",
  not_running: "Tidak berjalan",
  not_configured: "Belum diatur",
  not_installed: "gammu-smsd belum dipasang",
};
const STATUS_TEXT = {pending: "Dicoba lagi", failed: "Gagal", sent: "Terkirim", queued: "Di outbox"};
const $ = (id) => document.getElementById(id);

function say(text, kind) {
  const box = $("message");
  box.textContent = text;
  box.className = `admin-message ${kind || "ok"}`;
  box.hidden = !text;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function render(state) {
  const today = state.today;
  $("sms-enabled").textContent = state.enabled ? "Aktif" : "Tidak aktif ([sms] enabled = false)";
  $("modem-state").textContent = MODEM_TEXT[state.modem.state] || state.modem.state;
  $("modem-signal").textContent = state.modem.signal != null ? `${state.modem.signal}%` : "\u2013";
  $("outbox-waiting").textContent = String(state.outbox_waiting);
  $("sms-problem").textContent = state.problem || state.modem.detail || "\u2013";
  for (const key of ["received", "answered", "ignored", "limited", "sent", "failed"]) {
    $(`today-${key}`).textContent = String(today[key]);
  }
  $("today-budget").textContent = `${today.budget_left} dari ${today.budget}`;
  const body = $("failures-body");
  body.replaceChildren();
  for (const failure of state.failures) {
    const row = document.createElement("tr");
    row.append(cell((failure.updated_at || "").replace("T", " ").slice(0, 16)), cell(failure.phone),
      cell(failure.kind), cell(STATUS_TEXT[failure.status] || failure.status), cell(String(failure.attempts), "num"));
    body.append(row);
  }
  $("failures-empty").hidden = state.failures.length > 0;
}

async function refresh() {
  try {
    const response = await fetch("/api/admin/sms", {headers: {Accept: "application/json"}, credentials: "same-origin",
      cache: "no-store"});
    if (response.status === 401) {
      location.assign(`/login?next=${encodeURIComponent("/admin/sms")}`);
      return;
    }
    const answer = await response.json();
    if (!response.ok) throw new Error((answer.error && answer.error.message) || "Permintaan gagal.");
    render(answer);
    say("");
  } catch (error) {
    say(error.message || "Server tidak dapat dihubungi.", "error");
  }
}

refresh();
setInterval(refresh, 10000);
