// "Ambil nomor untuk hari lain": pick a service, a day and an arrival window (POST /api/bookings), and
// check a booking in by its code or the slip's QR code (a USB scanner types it into the field, then Enter).
const $ = (id) => document.getElementById(id);
const screens = ["later-start", "later-days", "later-done"];
const DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
  "November", "Desember"];

function show(id) {
  for (const name of screens) $(name).hidden = name !== id;
}

function dayText(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return `${DAYS[weekday]}, ${day} ${MONTHS[month - 1]} ${year}`;
}

function windowText(start, end) {
  return `datang pukul ${start.replace(":", ".")}–${end.replace(":", ".")}`;
}

async function send(url, body, headers = {}) {
  const answer = await fetch(url, {
    method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body),
  });
  const data = await answer.json().catch(() => ({}));
  return { ok: answer.ok, data };
}

function done(title, detail, code, window, bring) {
  $("done-title").textContent = title;
  $("done-detail").textContent = detail;
  $("done-code").textContent = code;
  $("done-window").textContent = window;
  $("done-bring").textContent = bring && bring.length ? `Bawa: ${bring.join("; ")}` : "";
  show("later-done");
}

async function book(service, date, slot) {
  const key = `later-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
  const { ok, data } = await send("/api/bookings", { service, date, slot }, { "Idempotency-Key": key });
  if (!ok) {
    $("later-message").textContent = data.error ? data.error.message : "Tidak dapat terhubung ke server.";
    show("later-start");
    return;
  }
  const booking = data.booking;
  done("Nomor Anda untuk hari lain", `${booking.service_name} · ${dayText(booking.date)}`, booking.code,
    windowText(booking.slot_start, booking.slot_end), booking.requirements);
}

function choice(label, onTap, disabled = false) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "l-choice";
  button.textContent = label;
  button.disabled = disabled;
  button.addEventListener("click", onTap);
  return button;
}

async function chooseService(code, name) {
  const answer = await fetch(`/api/bookings/availability?service=${encodeURIComponent(code)}`, { cache: "no-store" });
  const data = await answer.json();
  $("days-service").textContent = name;
  $("day-list").replaceChildren();
  $("slot-list").replaceChildren();
  for (const day of data.days) {
    const left = day.slots.reduce((sum, slot) => sum + slot.left, 0);
    $("day-list").append(choice(dayText(day.date), () => {
      $("slot-list").replaceChildren(...day.slots.map((slot) => choice(
        `${slot.start.replace(":", ".")}–${slot.end.replace(":", ".")} (${slot.left})`,
        () => book(code, day.date, slot.start), slot.left <= 0)));
    }, left <= 0));
  }
  show("later-days");
}

async function checkIn(event) {
  event.preventDefault();
  const code = $("checkin-code").value.trim();
  if (!code) return;
  const { ok, data } = await send("/api/check-ins", { code });
  $("checkin-code").value = "";
  if (!ok) {
    $("later-message").textContent = data.error ? data.error.message : "Tidak dapat terhubung ke server.";
    return;
  }
  const ticket = data.ticket;
  done("Nomor antrean Anda", ticket.service_name, ticket.number,
    data.walk_in ? "Jam kedatangan Anda sudah lewat: nomor biasa." : "Anda dipanggil lebih dahulu sesuai jam Anda.",
    data.booking.requirements);
}

for (const button of document.querySelectorAll(".l-service")) {
  button.addEventListener("click", () => chooseService(button.dataset.service,
    button.querySelector(".k-svc-name").textContent));
}
for (const button of document.querySelectorAll("[data-back]")) {
  button.addEventListener("click", () => {
    $("later-message").textContent = "";
    show("later-start");
  });
}
$("checkin-form").addEventListener("submit", checkIn);
