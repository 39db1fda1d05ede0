/* The resident's phone page: follow one ticket by polling (cheap for the server with 100 phones),
   paused while the tab is hidden, stopped once the ticket is finished. */
(() => {
  "use strict";

  const POLL_MS = 3000;
  const SLOW_POLL_MS = 15000;   // no-show: staff may still put the ticket back in the queue
  const ERROR_POLL_MS = 10000;
  const FINISHED = ["done", "expired", "cancelled"];

  const root = document.getElementById("ticket");
  const token = root.dataset.token;
  const $ = (id) => document.getElementById(id);
  let ticket = JSON.parse($("initial").textContent);
  let timer = null;
  let inFlight = false;

  const HELP_LIVE = "Halaman ini diperbarui sendiri. Tetap berada di sekitar ruang tunggu dan perhatikan panggilan.";

  // [headline, note, help line] for each state: each says what is true now and what to do next.
  function statusWords(t) {
    const counter = t.counter_name || (t.counter ? `Loket ${t.counter}` : "loket");
    switch (t.status) {
      case "waiting":
        return ["Menunggu", t.ahead === 0 ? "Anda berikutnya. Bersiaplah." : "Silakan tunggu sampai nomor Anda dipanggil.",
                HELP_LIVE];
      case "called":
        return [`Dipanggil — silakan menuju ${counter}`, "Nomor Anda sedang dipanggil sekarang.", HELP_LIVE];
      case "serving":
        return [`Sedang dilayani di ${counter}`, "Silakan ikuti arahan petugas.", ""];
      case "done":
        return ["Selesai", "Terima kasih. Layanan Anda sudah selesai; Anda tidak perlu menunggu lagi.", ""];
      case "no_show":
        return ["Tidak hadir saat dipanggil",
                "Nomor Anda sudah dipanggil, tetapi Anda tidak datang ke loket. Silakan hubungi petugas agar dipanggil kembali.",
                "Halaman ini diperbarui sendiri bila petugas memasukkan nomor Anda kembali ke antrean."];
      case "expired":
        return ["Sudah tidak berlaku", "Nomor ini dari hari sebelumnya atau layanan sudah tutup. Silakan ambil nomor baru.", ""];
      case "cancelled":
        return ["Dibatalkan", "Nomor ini sudah dibatalkan. Silakan ambil nomor baru bila masih perlu.", ""];
      default:
        return [t.status, "", ""];
    }
  }

  // The "being called" list matters only while the resident waits for their turn.
  const followsCalls = (t) => t.status === "waiting" || t.status === "called";
  let callsLoaded = false;

  const timeFormat = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.tz || "Asia/Jakarta",
  });

  function clock(date) {
    return timeFormat.format(date).replace(":", "."); // office time, written 08.00
  }

  function render() {
    const [text, note, help] = statusWords(ticket);
    $("status-card").dataset.status = ticket.status;
    $("status").textContent = text;
    $("status-note").textContent = note;
    $("help").textContent = help;
    $("help").hidden = !help;
    $("calls-card").hidden = !(followsCalls(ticket) && callsLoaded);
    $("service").textContent = ticket.service_name || ticket.service;
    $("priority").hidden = !ticket.priority;
    const waiting = ticket.status === "waiting";
    $("facts").hidden = !waiting;
    $("ahead").textContent = String(ticket.ahead);
    $("wait").textContent = ticket.ahead > 0 ? `± ${Math.max(1, ticket.estimated_wait_minutes)} menit` : "Segera dipanggil";
    document.title = `${ticket.number} · ${text}`;
    // The satisfaction survey (phone-survey.js) appears once the ticket is done.
    document.dispatchEvent(new CustomEvent("ticket:update", { detail: ticket }));
  }

  function renderCalls(queue) {
    const list = $("calls");
    list.replaceChildren();
    const busy = queue.counters.filter((c) => c.ticket);
    for (const counter of busy) {
      const item = document.createElement("li");
      if (counter.ticket.number === ticket.number) item.className = "is-mine";
      const number = document.createElement("span");
      number.className = "p-call-number";
      number.textContent = counter.ticket.number;
      const name = document.createElement("span");
      name.className = "p-call-counter";
      name.textContent = counter.name;
      item.append(number, name);
      list.append(item);
    }
    $("calls-empty").hidden = busy.length > 0;
    callsLoaded = true;
    $("calls-card").hidden = !followsCalls(ticket);
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = null;
    if (!document.hidden) timer = setTimeout(poll, ms);
  }

  async function poll() {
    if (inFlight || document.hidden) return;
    inFlight = true;
    let next = POLL_MS;
    try {
      const active = followsCalls(ticket);
      const [answer, queue] = await Promise.all([
        fetch(`/api/tickets/${encodeURIComponent(token)}`, { cache: "no-store" }),
        active ? fetch("/api/queue", { cache: "no-store" }).then((r) => (r.ok ? r.json() : null)) : null,
      ]);
      if (answer.status === 404) {
        location.reload(); // the server shows the friendly "not found" page
        return;
      }
      const body = await answer.json();
      const was = ticket.status;
      ticket = body.ticket;
      render();
      if (queue) renderCalls(queue);
      if (ticket.status === "called" && was !== "called" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
      $("updated").textContent = `Diperbarui pukul ${clock(new Date())}`;
      if (FINISHED.includes(ticket.status)) return; // nothing will change any more: stop polling
      if (ticket.status === "no_show") next = SLOW_POLL_MS;
    } catch (error) {
      $("updated").textContent = "Koneksi terputus. Mencoba lagi…";
      next = ERROR_POLL_MS;
    } finally {
      inFlight = false;
    }
    schedule(next);
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (!FINISHED.includes(ticket.status)) {
      poll();
    }
  });

  render();
  if (!FINISHED.includes(ticket.status)) poll();
})();
