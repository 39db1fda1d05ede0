/* Counter screen: call and move tickets through the JSON API, live waiting list, printer banner.
 *
 * Every write carries the X-CSRF-Token from GET /api/session. A 401 (session ended)
 * sends the page to the login form; any other refusal is shown inline in Indonesian.
 */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("counter-config").textContent);
  var STORAGE_KEY = "kiosk.counter";
  var REFRESH_GAP_MS = 1000;    // live queue events refetch the counter at most this often
  var WAITING_ROWS = 50;
  var SHORTCUTS = {n: "next", " ": "next", r: "recall", s: "serve", d: "done", t: "no-show",
                   a: "transfer", k: "requeue", p: "reprint"};
  var STATUS_TEXT = {called: "Dipanggil", serving: "Sedang dilayani"};
  var PRINTER_TEXT = {
    offline: "Printer tiket tidak terhubung. Nomor tetap tercatat dan tampil di layar kios; periksa kabel dan daya printer.",
    paper_out: "Kertas printer tiket habis. Silakan ganti gulungan kertas."
  };
  var DONE_TEXT = {recall: "dipanggil ulang", serve: "mulai dilayani", done: "selesai dilayani",
                   "no-show": "ditandai tidak hadir", requeue: "dikembalikan ke antrean",
                   reprint: "dikirim ke printer lagi"};

  var $ = function (id) { return document.getElementById(id); };
  var buttons = {};
  Array.prototype.forEach.call(document.querySelectorAll("[data-action]"), function (button) {
    buttons[button.getAttribute("data-action")] = button;
  });
  var serviceNames = {};
  // A non-breaking hyphen keeps "KTP-el" on one line in narrow columns.
  CONFIG.services.forEach(function (s) { serviceNames[s.code] = s.name.replace(/-/g, "\u2011"); });

  var csrfToken = "";
  var counterId = null;
  var view = {ticket: null, waiting: [], printer: "unknown", servedToday: 0};
  var noShows = [];
  var selectedNoShow = null;
  var busy = false;
  var clockOffsetMs = 0;

  // ------------------------------------------------------------ API

  var leaving = false;
  function toLogin() {
    if (leaving) return;  // several requests may notice the ended session at once
    leaving = true;
    location.assign("/login?next=" + encodeURIComponent("/counter"));
  }

  function ApiError(status, code, message) {
    this.status = status; this.code = code; this.message = message;
  }

  function api(method, path, body, retried) {
    var headers = {"Accept": "application/json"};
    var form = typeof FormData !== "undefined" && body instanceof FormData;  // an upload: the browser sets the type
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    return fetch(path, {method: method, headers: headers, credentials: "same-origin", cache: "no-store",
                        body: body === undefined ? undefined : (form ? body : JSON.stringify(body))})
      .catch(function () {
        throw new ApiError(0, "network", "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
      })
      .then(function (response) {
        var date = Date.parse(response.headers.get("Date") || "");
        if (!isNaN(date) && Math.abs(date - Date.now()) > 30000) clockOffsetMs = date - Date.now();
        if (response.status === 204) return null;
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) return answer;
          var error = (answer && answer.error) || {};
          if (response.status === 401) { toLogin(); throw new ApiError(401, "login_required", "Sesi berakhir."); }
          if (error.code === "csrf_failed" && !retried) {
            return loadSession().then(function () { return api(method, path, body, true); });
          }
          throw new ApiError(response.status, error.code || "error",
                             error.message || "Permintaan gagal (" + response.status + ").");
        });
      });
  }

  function loadSession() {
    return api("GET", "/api/session").then(function (answer) {
      csrfToken = answer.csrf_token;
      $("staff-name").textContent = answer.user.username;
    });
  }

  // ------------------------------------------------------------ rendering

  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.className = "message " + (kind || "ok");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !text;
  }

  function minutesSince(iso) {
    var since = Date.parse(iso);
    if (isNaN(since)) return "";
    return Math.max(0, Math.floor((Date.now() + clockOffsetMs - since) / 60000)) + " mnt";
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function renderTicket() {
    var ticket = view.ticket;
    var box = $("ticket");
    box.setAttribute("data-status", ticket ? ticket.status : "none");
    box.setAttribute("data-ticket-id", ticket ? String(ticket.id) : "");
    $("ticket-number").textContent = ticket ? ticket.number : "\u2013";
    $("ticket-meta").textContent = ticket
      ? [ticket.service_name, STATUS_TEXT[ticket.status] || ticket.status, ticket.priority ? "Prioritas" : ""]
          .filter(Boolean).join(" \u00b7 ")
      : "Belum ada tiket dipanggil.";
  }

  // A Pengambilan ticket at this counter: the card can be handed over from here (CARD_ISSUED).
  var handoverFor = null;
  function renderHandover() {
    var ticket = view.ticket;
    var show = !!(ticket && CONFIG.pickupService && ticket.service === CONFIG.pickupService &&
                  (ticket.status === "called" || ticket.status === "serving"));
    var form = $("handover-form");
    if (!show || handoverFor !== ticket.id) $("handover-nik").value = "";
    handoverFor = show ? ticket.id : null;
    form.hidden = !show;
  }

  function renderServed() {
    $("served-today").textContent = String(view.servedToday || 0);
  }

  function renderWaiting() {
    var body = $("waiting-body");
    var rows = view.waiting.slice(0, WAITING_ROWS).map(function (ticket) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-ticket-id", String(ticket.id));
      tr.appendChild(cell(ticket.number, "number"));
      tr.appendChild(cell(serviceNames[ticket.service] || ticket.service_name || ticket.service));
      tr.appendChild(cell(ticket.priority ? "\u2605 Prioritas" : "", ticket.priority ? "priority" : ""));
      tr.appendChild(cell(minutesSince(ticket.issued_at), "minutes"));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    $("waiting-count").textContent = String(view.waiting.length);
    $("waiting-empty").hidden = view.waiting.length > 0;
    var more = view.waiting.length - WAITING_ROWS;
    $("waiting-more").hidden = more <= 0;
    $("waiting-more").textContent = more > 0 ? "dan " + more + " lainnya" : "";
  }

  function renderNoShows() {
    var list = $("noshow-list");
    if (selectedNoShow && !noShows.some(function (t) { return t.id === selectedNoShow; })) selectedNoShow = null;
    if (!selectedNoShow && noShows.length) selectedNoShow = noShows[0].id;
    var items = noShows.map(function (ticket) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "noshow-item";
      button.setAttribute("data-ticket-id", String(ticket.id));
      button.setAttribute("aria-pressed", String(ticket.id === selectedNoShow));
      button.textContent = ticket.number + " \u00b7 " + (ticket.service_name || ticket.service);
      li.appendChild(button);
      return li;
    });
    list.replaceChildren.apply(list, items);
    $("noshow-empty").hidden = noShows.length > 0;
  }

  function renderPrinter() {
    var banner = $("printer-banner");
    var text = PRINTER_TEXT[view.printer];
    banner.hidden = !text;
    banner.setAttribute("data-state", view.printer);
    banner.textContent = text || "";
  }

  function allowed(action) {
    var status = view.ticket ? view.ticket.status : null;
    switch (action) {
      case "next": return status !== "called" && status !== "serving";
      case "recall": case "serve": case "no-show": return status === "called";
      case "done": return status === "called" || status === "serving";  // done from called: served at once
      case "transfer": return status === "called" || status === "serving";
      case "requeue": return selectedNoShow !== null;
      case "reprint": return !!view.ticket && view.printer !== "none";
    }
    return false;
  }

  function renderButtons() {
    Object.keys(buttons).forEach(function (action) {
      buttons[action].disabled = busy || counterId === null || !allowed(action);
    });
  }

  function render() {
    renderTicket();
    renderHandover();
    renderServed();
    renderWaiting();
    renderNoShows();
    renderPrinter();
    renderButtons();
  }

  // ------------------------------------------------------------ loading

  var refreshing = false, refreshAgain = false, lastRefresh = 0, refreshTimer = null;

  function refresh() {
    if (counterId === null) return Promise.resolve();
    if (refreshing) { refreshAgain = true; return Promise.resolve(); }
    refreshing = true;
    lastRefresh = Date.now();
    var id = counterId;
    return Promise.all([api("GET", "/api/counters/" + id), api("GET", "/api/counters/" + id + "/no-shows")])
      .then(function (answers) {
        if (id !== counterId) return;
        view = {ticket: answers[0].ticket, waiting: answers[0].waiting, printer: answers[0].printer,
                servedToday: answers[0].served_today};
        noShows = answers[1].tickets;
        render();
      })
      .catch(function (error) { if (error.status !== 401) say(error.message, "error"); })
      .then(function () {
        refreshing = false;
        if (refreshAgain) { refreshAgain = false; refreshSoon(); }
      });
  }

  // Coalesce bursts of live events (a busy kiosk) into at most one refetch per REFRESH_GAP_MS.
  function refreshSoon() {
    if (refreshTimer) return;
    var wait = Math.max(0, REFRESH_GAP_MS - (Date.now() - lastRefresh));
    refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, wait);
  }

  function chooseCounter(id) {
    var known = CONFIG.counters.some(function (c) { return c.id === id; });
    if (!known) { $("counter-picker").hidden = false; return; }
    counterId = id;
    try { localStorage.setItem(STORAGE_KEY, String(id)); } catch (err) { /* private mode: ask next time */ }
    $("counter-select").value = String(id);
    $("counter-picker").hidden = true;
    document.body.setAttribute("data-counter", String(id));
    closePicker();
    say("");
    refresh();
  }

  // ------------------------------------------------------------ actions

  function perform(action) {
    if (busy || counterId === null) return;
    if (!allowed(action)) {
      buttons[action].classList.add("refused");
      setTimeout(function () { buttons[action].classList.remove("refused"); }, 400);
      return;
    }
    if (action === "transfer") { openPicker(); return; }
    var ticket = view.ticket;
    var request;
    if (action === "next") request = api("POST", "/api/counters/" + counterId + "/next");
    else if (action === "requeue") request = api("POST", "/api/tickets/" + selectedNoShow + "/requeue");
    else request = api("POST", "/api/tickets/" + ticket.id + "/" + action);
    run(request, function (answer) {
      if (action === "next") {
        return answer ? answer.ticket.number + " dipanggil ke " + (answer.ticket.counter_name || "loket ini") + "."
                      : "Tidak ada antrean yang menunggu untuk loket ini.";
      }
      return answer.ticket.number + " " + DONE_TEXT[action] + ".";
    });
  }

  function run(request, describe) {
    busy = true;
    renderButtons();
    return request.then(function (answer) {
      say(describe(answer), "ok");
    }, function (error) {
      if (error.status !== 401) say(error.message, "error");
    }).then(function () {
      busy = false;
      return refresh();
    });
  }

  function openPicker() {
    var current = view.ticket ? view.ticket.service : null;
    $("transfer-number").textContent = view.ticket ? view.ticket.number : "";
    Array.prototype.forEach.call(document.querySelectorAll("#transfer-picker [data-service]"), function (option) {
      option.disabled = option.getAttribute("data-service") === current;
    });
    $("transfer-picker").hidden = false;
    var first = document.querySelector("#transfer-picker [data-service]:not([disabled])");
    if (first) first.focus();
  }

  function closePicker() {
    $("transfer-picker").hidden = true;
  }

  function transferTo(code) {
    if (!view.ticket || busy) return;
    var ticket = view.ticket;
    closePicker();
    run(api("POST", "/api/tickets/" + ticket.id + "/transfer", {service: code}), function (answer) {
      return answer.ticket.number + " dialihkan ke " + (serviceNames[code] || code) + ".";
    });
  }

  // ------------------------------------------------------------ wiring

  Object.keys(buttons).forEach(function (action) {
    buttons[action].addEventListener("click", function () {
      buttons[action].blur();  // so Space never re-clicks the last button
      perform(action);
    });
  });

  document.querySelector("#transfer-picker .picker-options").addEventListener("click", function (event) {
    var option = event.target.closest("[data-service]");
    if (option && !option.disabled) transferTo(option.getAttribute("data-service"));
  });
  $("transfer-cancel").addEventListener("click", closePicker);

  $("handover-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var nik = $("handover-nik").value.replace(/[\s.\-]/g, "");
    if (!nik || !view.ticket) { say("Ketik NIK pemilik KTP-el (16 angka).", "error"); return; }
    var button = event.target.querySelector("button");
    button.disabled = true;
    api("POST", "/api/applications/handover", {nik: nik, ticket: view.ticket.id}).then(function (answer) {
      $("handover-nik").value = "";
      say("KTP-el " + answer.application.name + " tercatat sudah diterima (antrean " + answer.ticket + ").", "ok");
    }, function (error) {
      if (error.status !== 401) say(error.message, "error");
    }).then(function () { button.disabled = false; });
  });

  $("noshow-list").addEventListener("click", function (event) {
    var item = event.target.closest("[data-ticket-id]");
    if (!item) return;
    selectedNoShow = parseInt(item.getAttribute("data-ticket-id"), 10);
    renderNoShows();
    renderButtons();
  });

  $("counter-select").addEventListener("change", function (event) {
    chooseCounter(parseInt(event.target.value, 10));
    event.target.blur();
  });
  $("counter-picker").addEventListener("click", function (event) {
    var option = event.target.closest("[data-counter]");
    if (option) chooseCounter(parseInt(option.getAttribute("data-counter"), 10));
  });

  $("logout").addEventListener("click", function () {
    api("POST", "/api/logout").catch(function () {}).then(function () { location.assign("/login"); });
  });

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.body.getAttribute("data-tab") === "status") return;  // the call keys act on the queue tab only
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (!$("transfer-picker").hidden) {
      if (key === "Escape") { event.preventDefault(); closePicker(); return; }
      var options = document.querySelectorAll("#transfer-picker [data-service]");
      var index = parseInt(key, 10) - 1;
      if (index >= 0 && index < options.length) {
        event.preventDefault();
        if (!options[index].disabled) transferTo(options[index].getAttribute("data-service"));
      }
      return;  // letters do nothing while choosing a service
    }
    if (!$("counter-picker").hidden) return;
    var action = SHORTCUTS[key];
    if (!action) return;
    event.preventDefault();  // Space must not scroll or press the focused button
    if (!event.repeat) perform(action);
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && !typing(event.target) && document.body.getAttribute("data-tab") !== "status") {
      event.preventDefault();
    }
  });

  window.CounterApi = {call: api, ApiError: ApiError};  // for the KTP-el status tab (counter-status.js)

  window.Live.connect("/api/events?screen=counter", {
    heartbeatSeconds: CONFIG.heartbeatSeconds,
    on: {
      queue: refreshSoon,
      call: refreshSoon,
      printer: function (data) { view.printer = data.state; renderPrinter(); renderButtons(); },
      settings: function (data) { window.SettingsWatch.changed(data); }  // settings-watch.js reloads the page
    },
    onOpen: function (reconnected) { if (reconnected) refreshSoon(); },
    onStatus: function (online) { $("connection-banner").hidden = online; },
    poll: refreshSoon,  // no stream (refused or away): keep up by polling
    pollSeconds: 5
  });

  setInterval(renderWaiting, 30000);  // the minutes waiting move on by themselves

  loadSession().then(function () {
    var stored = null;
    try { stored = parseInt(localStorage.getItem(STORAGE_KEY), 10); } catch (err) { /* no storage */ }
    if (stored && CONFIG.counters.some(function (c) { return c.id === stored; })) chooseCounter(stored);
    else $("counter-picker").hidden = false;
    renderButtons();
  }, function (error) {
    if (error.status !== 401) say(error.message, "error");
  });
})();
