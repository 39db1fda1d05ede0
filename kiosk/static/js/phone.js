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

  function statusWords(t) {
    const counter = t.counter_name || (t.counter ? `Loket ${t.counter}` : "loket");
    switch (t.status) {
      case "waiting": return ["Menunggu", t.ahead === 0 ? "Anda berikutnya. Bersiaplah." : "Silakan tunggu sampai nomor Anda dipanggil."];
      case "called": return [`Dipanggil — silakan menuju ${counter}`, "Nomor Anda sedang dipanggil sekarang."];
      case "serving": return [`Sedang dilayani di ${counter}`, ""];
      case "done": return ["Selesai", "Terima kasih telah menunggu."];
      case "no_show": return ["Tidak hadir saat dipanggil", "Silakan hubungi petugas di loket informasi."];
      case "expired": return ["Sudah tidak berlaku", "Nomor ini dari hari sebelumnya atau layanan sudah tutup. Silakan ambil nomor baru."];
      case "cancelled": return ["Dibatalkan", "Nomor ini sudah dibatalkan. Silakan ambil nomor baru bila masih perlu."];
      default: return [t.status, ""];
    }
  }

  const timeFormat = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.tz || "Asia/Jakarta",
  });

  function clock(date) {
    return timeFormat.format(date).replace(":", "."); // office time, written 08.00
  }

  function render() {
    const [text, note] = statusWords(ticket);
    $("status-card").dataset.status = ticket.status;
    $("status").textContent = text;
    $("status-note").textContent = note;
    $("service").textContent = ticket.service_name || ticket.service;
    $("priority").hidden = !ticket.priority;
    const waiting = ticket.status === "waiting";
    $("facts").hidden = !waiting;
    $("ahead").textContent = String(ticket.ahead);
    $("wait").textContent = ticket.ahead > 0 ? `± ${Math.max(1, ticket.estimated_wait_minutes)} menit` : "Segera dipanggil";
    document.title = `${ticket.number} · ${text}`;
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
      const active = ticket.status === "waiting" || ticket.status === "called";
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
      if (FINISHED.includes(ticket.status)) {
        $("calls-card").hidden = true;
        return; // nothing will change any more: stop polling
      }
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
  if (FINISHED.includes(ticket.status)) $("calls-card").hidden = true;
  else poll();
})();
