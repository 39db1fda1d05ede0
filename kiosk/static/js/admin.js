/* Admin page: today's figures (live) and staff accounts, through the admin JSON API.
 *
 * Every write carries the X-CSRF-Token from GET /api/session. A 401 (session ended) sends
 * the page to the login form. Destructive actions ask first in a dialog.
 */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("admin-config").textContent);
  var REFRESH_GAP_MS = 1000;   // live events refetch today's figures at most this often
  var ROLE_TEXT = {counter: "Petugas loket", admin: "Admin"};
  var PRINTER_TEXT = {online: "Terhubung", offline: "Tidak terhubung", paper_out: "Kertas habis",
                      unknown: "Belum diketahui"};
  var SPEECH_TEXT = {"espeak-ng": "Suara server (espeak-ng)", browser: "Suara dari peramban layar TV"};
  var TICKET_STATUS = {called: "dipanggil", serving: "sedang dilayani"};

  var $ = function (id) { return document.getElementById(id); };
  var csrfToken = "";

  // ------------------------------------------------------------ API

  var leaving = false;
  function toLogin() {
    if (leaving) return;
    leaving = true;
    location.assign("/login?next=" + encodeURIComponent("/admin"));
  }

  function ApiError(status, code, message) {
    this.status = status; this.code = code; this.message = message;
  }

  function api(method, path, body, retried) {
    var headers = {"Accept": "application/json"};
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, {method: method, headers: headers, credentials: "same-origin", cache: "no-store",
                        body: body === undefined ? undefined : JSON.stringify(body)})
      .catch(function () {
        throw new ApiError(0, "network", "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
      })
      .then(function (response) {
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
      $("admin-name").textContent = answer.user.username;
    });
  }

  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.className = "admin-message " + (kind || "ok");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !text;
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function replaceRows(body, rows) {
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.forEach(function (row) { body.appendChild(row); });
  }

  // ------------------------------------------------------------ Hari ini

  function renderToday(today) {
    $("today-date").textContent = formatDate(today.date);
    defaultReportPeriod(today.date);
    var totals = {issued: 0, waiting: 0, served: 0, no_show: 0};
    replaceRows($("services-body"), today.services.map(function (service) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-service", service.code);
      tr.appendChild(cell(service.name));
      tr.appendChild(cell(service.open ? "Buka" : (service.message || "Tutup"), service.open ? "open" : "closed"));
      ["issued", "waiting", "served", "no_show"].forEach(function (key) {
        totals[key] += service[key];
        var td = cell(String(service[key]), "num");
        td.setAttribute("data-figure", key);
        tr.appendChild(td);
      });
      return tr;
    }));
    $("total-issued").textContent = String(totals.issued);
    $("total-waiting").textContent = String(totals.waiting);
    $("total-served").textContent = String(totals.served);
    $("total-no-show").textContent = String(totals.no_show);
    replaceRows($("counters-body"), today.counters.map(function (counter) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-counter", String(counter.id));
      tr.appendChild(cell(counter.name));
      tr.appendChild(cell(counter.ticket
        ? counter.ticket.number + " (" + (TICKET_STATUS[counter.ticket.status] || counter.ticket.status) + ")"
        : "Kosong", counter.ticket ? "" : "empty"));
      tr.appendChild(cell(counter.staff || "\u2013"));
      return tr;
    }));
    renderRules(today.services);
    renderPrinter(today.printer);
    $("pending-prints").textContent = String(today.pending_print_jobs);
    $("speech-state").textContent = SPEECH_TEXT[today.speech] || today.speech;
    renderBackup(today.backup);
  }

  // ------------------------------------------------------------ Layanan hari ini

  var services = {};
  var editingQuota = null;   // a quota being typed is not overwritten by a live refresh

  function formatTime(iso) {
    var parts = /T(\d{2}):(\d{2})/.exec(iso || "");
    return parts ? parts[1] + "." + parts[2] : "";
  }

  function renderRules(list) {
    if (editingQuota) return;
    services = {};
    replaceRows($("rules-body"), list.map(function (service) {
      services[service.code] = service;
      var closedToday = !!(service.override && service.override.open === false);
      var tr = document.createElement("tr");
      tr.setAttribute("data-service", service.code);
      tr.appendChild(cell(service.name));
      tr.appendChild(cell(service.open ? "Buka" : (service.message || "Tutup"), service.open ? "open" : "closed"));
      tr.appendChild(cell(String(service.issued), "num"));
      var quota = document.createElement("td");
      var input = document.createElement("input");
      input.type = "number"; input.min = "0"; input.max = "100000"; input.step = "1";
      input.className = "quota-input";
      input.setAttribute("aria-label", "Kuota hari ini " + service.name);
      input.placeholder = "tanpa batas";
      input.value = service.daily_quota === null ? "" : String(service.daily_quota);
      input.setAttribute("data-quota", service.code);
      quota.appendChild(input);
      var save = document.createElement("button");
      save.type = "button"; save.className = "row-action"; save.textContent = "Simpan";
      save.setAttribute("data-rule", "quota"); save.setAttribute("data-code", service.code);
      quota.appendChild(save);
      if (service.override && service.override.daily_quota !== null) {
        var reset = document.createElement("button");
        reset.type = "button"; reset.className = "row-action"; reset.textContent = "Kuota bawaan";
        reset.setAttribute("data-rule", "quota-default"); reset.setAttribute("data-code", service.code);
        quota.appendChild(reset);
      }
      tr.appendChild(quota);
      tr.appendChild(cell(service.override
        ? service.override.updated_by + ", pukul " + formatTime(service.override.updated_at) : "\u2013"));
      var actions = document.createElement("td");
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "row-action" + (closedToday ? "" : " danger");
      toggle.textContent = closedToday ? "Buka kembali" : "Tutup hari ini";
      toggle.setAttribute("data-rule", closedToday ? "open" : "close");
      toggle.setAttribute("data-code", service.code);
      actions.appendChild(toggle);
      tr.appendChild(actions);
      return tr;
    }));
  }

  function patchService(code, body, done) {
    return api("PATCH", "/api/services/" + encodeURIComponent(code), body).then(function () {
      say(done, "ok");
      loadToday();
    });
  }

  $("rules-body").addEventListener("focusin", function (event) {
    if (event.target.hasAttribute("data-quota")) editingQuota = event.target.getAttribute("data-quota");
  });
  $("rules-body").addEventListener("focusout", function (event) {
    if (event.target.hasAttribute("data-quota")) editingQuota = null;
  });

  $("rules-body").addEventListener("click", function (event) {
    var button = event.target.closest("[data-rule]");
    if (!button) return;
    var service = services[button.getAttribute("data-code")];
    if (!service) return;
    var rule = button.getAttribute("data-rule");
    if (rule === "close") {
      ask({title: "Tutup " + service.name + " hari ini?",
           text: "Kios tidak memberi nomor antrean baru untuk layanan ini sampai dibuka kembali atau besok. " +
                 "Warga yang sudah mengambil nomor tetap dilayani.",
           ok: "Ya, tutup", path: "/api/services/" + encodeURIComponent(service.code), method: "PATCH",
           body: {open: false},
           done: function () { loadToday(); return service.name + " ditutup untuk hari ini."; }});
    } else if (rule === "open") {
      patchService(service.code, {open: true}, service.name + " dibuka kembali.").catch(function (error) {
        say(error.message, "error");
      });
    } else {
      var input = $("rules-body").querySelector("[data-quota='" + service.code + "']");
      var quota = null;
      if (rule === "quota") {
        if (!/^\d+$/.test(input.value.trim())) {
          say("Kuota harus bilangan bulat 0 atau lebih.", "error");
          return;
        }
        quota = parseInt(input.value, 10);
      }
      editingQuota = null;
      patchService(service.code, {daily_quota: quota}, quota === null
        ? "Kuota " + service.name + " kembali ke bawaan."
        : "Kuota " + service.name + " hari ini: " + quota + ".").catch(function (error) {
        say(error.message, "error");
      });
    }
  });

  function renderBackup(backup) {
    var box = $("backup-state");
    if (!backup) return;
    box.setAttribute("data-state", backup.state);
    var last = backup.last_at ? formatDate(backup.last_at) + " pukul " + formatTime(backup.last_at) : "";
    box.textContent = {
      off: "Tidak diatur (isi [backup] dir di konfigurasi)",
      none: "Belum ada salinan",
      ok: "Berhasil, " + last + (backup.file ? " (" + backup.file + ")" : ""),
      failed: "Gagal, dicoba lagi tiap 15 menit: " + (backup.error || "") + (last ? ". Salinan terakhir: " + last : "")
    }[backup.state] || backup.state;
  }

  function renderPrinter(state) {
    var box = $("printer-state");
    box.setAttribute("data-state", state);
    box.textContent = PRINTER_TEXT[state] || state;
  }

  var MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                "Oktober", "November", "Desember"];
  function formatDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    if (!parts) return iso || "";
    return parseInt(parts[3], 10) + " " + MONTHS[parseInt(parts[2], 10) - 1] + " " + parts[1];
  }

  function loadToday() {
    return api("GET", "/api/admin/today").then(renderToday, function (error) {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  var refreshTimer = null;
  var lastRefresh = 0;
  function refreshSoon() {
    if (refreshTimer) return;
    var wait = Math.max(0, REFRESH_GAP_MS - (Date.now() - lastRefresh));
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      lastRefresh = Date.now();
      loadToday();
    }, wait);
  }

  // ------------------------------------------------------------ Hari libur

  var HOLIDAYS_SHOWN = 8;

  function renderClosedDates(answer) {
    replaceRows($("closed-body"), answer.closed_dates.map(function (closed) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-date", closed.date);
      tr.appendChild(cell(formatDate(closed.date)));
      tr.appendChild(cell(closed.reason));
      tr.appendChild(cell(closed.created_by || "\u2013"));
      var td = document.createElement("td");
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "row-action danger"; remove.textContent = "Hapus";
      remove.setAttribute("data-closed", closed.date);
      remove.setAttribute("data-reason", closed.reason);
      td.appendChild(remove);
      tr.appendChild(td);
      return tr;
    }));
    $("closed-empty").hidden = answer.closed_dates.length > 0;
    replaceRows($("holiday-list"), answer.holidays.slice(0, HOLIDAYS_SHOWN).map(function (holiday) {
      var li = document.createElement("li");
      var when = document.createElement("b");
      when.textContent = formatDate(holiday.date);
      li.appendChild(when);
      li.appendChild(document.createTextNode(" " + holiday.name));
      return li;
    }));
    $("holiday-none").hidden = answer.holidays.length > 0;
  }

  function loadClosedDates() {
    return api("GET", "/api/admin/closed-dates").then(renderClosedDates, function (error) {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  $("closed-body").addEventListener("click", function (event) {
    var button = event.target.closest("[data-closed]");
    if (!button) return;
    var day = button.getAttribute("data-closed");
    ask({title: "Hapus tanggal tutup " + formatDate(day) + "?",
         text: "Alasan: " + button.getAttribute("data-reason") + ". Kantor buka seperti biasa pada tanggal itu.",
         ok: "Ya, hapus", path: "/api/admin/closed-dates/" + day, method: "DELETE",
         done: function () {
           loadClosedDates();
           loadToday();
           return "Tanggal " + formatDate(day) + " tidak lagi tutup.";
         }});
  });

  $("add-closed").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var day = form.date.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) { say("Pilih tanggal terlebih dahulu.", "error"); return; }
    form.querySelector("button").disabled = true;
    api("PUT", "/api/admin/closed-dates/" + day, {reason: form.reason.value.trim()}).then(function () {
      say("Kantor tutup pada " + formatDate(day) + ".", "ok");
      form.reset();
      loadClosedDates();
      loadToday();
    }, function (error) {
      say(error.message, "error");
    }).then(function () { form.querySelector("button").disabled = false; });
  });

  // ------------------------------------------------------------ Laporan

  var DAY_MS = 86400000;
  var reportForm = $("report-form");
  var reportFormat = "xlsx";
  Array.prototype.forEach.call(reportForm.querySelectorAll("[data-format]"), function (button) {
    button.addEventListener("click", function () { reportFormat = button.getAttribute("data-format"); });
  });
  reportForm.addEventListener("submit", function (event) {
    var first = Date.parse(reportForm.from.value), last = Date.parse(reportForm.to.value);
    if (isNaN(first) || isNaN(last)) { event.preventDefault(); say("Pilih tanggal awal dan akhir.", "error"); return; }
    if (first > last) { event.preventDefault(); say("Tanggal awal tidak boleh sesudah tanggal akhir.", "error"); return; }
    if ((last - first) / DAY_MS + 1 > 366) { event.preventDefault(); say("Rentang laporan paling panjang 366 hari.", "error"); return; }
    // The report page, or a download of the same period
    reportForm.action = reportFormat === "page" ? "/admin/reports" : "/api/reports/range." + reportFormat;
    say("", "ok");
  });

  function defaultReportPeriod(today) {
    if (reportForm.from.value || !today) return;
    reportForm.from.value = today.slice(0, 8) + "01";  // this month so far
    reportForm.to.value = today;
  }

  // ------------------------------------------------------------ Petugas

  function actionButton(label, action, account, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "row-action" + (className ? " " + className : "");
    button.textContent = label;
    button.setAttribute("data-staff-action", action);
    button.setAttribute("data-staff-id", String(account.id));
    return button;
  }

  var accounts = {};
  function renderStaff(answer) {
    accounts = {};
    replaceRows($("staff-body"), answer.staff.map(function (account) {
      accounts[account.id] = account;
      var tr = document.createElement("tr");
      tr.setAttribute("data-username", account.username);
      tr.className = account.active ? "" : "disabled";
      tr.appendChild(cell(account.username));
      tr.appendChild(cell(ROLE_TEXT[account.role] || account.role));
      tr.appendChild(cell(account.active ? "Aktif" : "Nonaktif", "state"));
      tr.appendChild(cell(String(account.sessions), "num"));
      tr.appendChild(cell(formatDate(account.created_at)));
      var td = document.createElement("td");
      var actions = document.createElement("div");
      actions.className = "row-actions";
      td.appendChild(actions);
      if (!account.active) {
        actions.appendChild(actionButton("Aktifkan lagi", "enable", account));
      } else {
        actions.appendChild(actionButton("Ganti kata sandi", "password", account));
        if (account.id !== answer.me) {
          actions.appendChild(actionButton(account.role === "admin" ? "Jadikan petugas loket" : "Jadikan admin",
                                           "role", account));
          if (account.sessions > 0) actions.appendChild(actionButton("Akhiri sesi", "end-sessions", account));
          actions.appendChild(actionButton("Nonaktifkan", "disable", account, "danger"));
        } else {
          var note = document.createElement("span");
          note.className = "hint";
          note.textContent = "(akun Anda)";
          actions.appendChild(note);
        }
      }
      tr.appendChild(td);
      return tr;
    }));
  }

  var CHANGE_TEXT = {created: "Dibuat", disabled: "Dinonaktifkan", enabled: "Diaktifkan lagi", role: "Peran diubah"};
  function renderChanges(answer) {
    replaceRows($("staff-changes-body"), answer.changes.map(function (change) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(formatDate(change.at) + " " + formatTime(change.at)));
      tr.appendChild(cell(change.account));
      var what = CHANGE_TEXT[change.change] || change.change;
      if (change.detail) what += ": " + (ROLE_TEXT[change.detail] || change.detail);
      tr.appendChild(cell(what));
      tr.appendChild(cell(change.by === "command line" ? "perintah kiosk user" : change.by));
      return tr;
    }));
  }

  function loadStaff() {
    api("GET", "/api/admin/staff-changes").then(renderChanges, function () {});
    return api("GET", "/api/admin/staff").then(renderStaff, function (error) {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  // One dialog asks before every change to an account; a password reset asks for the new password in it.
  var pending = null;
  function ask(options) {
    pending = options;
    $("confirm-title").textContent = options.title;
    $("confirm-text").textContent = options.text;
    $("confirm-ok").textContent = options.ok;
    $("confirm-password-label").hidden = !options.password;
    $("confirm-password").value = "";
    $("confirm-username").value = options.username || "";  // password managers file the new password under it
    $("confirm-password").required = !!options.password;
    $("confirm-error").hidden = true;
    $("confirm").showModal();
    if (options.password) $("confirm-password").focus(); else $("confirm-cancel").focus();
  }

  $("confirm-cancel").addEventListener("click", function () { pending = null; $("confirm").close(); });
  $("confirm-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pending) return;
    var options = pending;
    var body = options.password ? {password: $("confirm-password").value} : options.body;
    $("confirm-ok").disabled = true;
    api(options.method || "POST", options.path, body).then(function (answer) {
      pending = null;
      $("confirm").close();
      say(options.done(answer), "ok");
      if (!options.method) loadStaff();
    }, function (error) {
      $("confirm-error").textContent = error.message;
      $("confirm-error").hidden = false;
    }).then(function () { $("confirm-ok").disabled = false; });
  });

  function sessionsText(answer) {
    return answer.ended_sessions ? " " + answer.ended_sessions + " sesi diakhiri." : "";
  }

  var ACTIONS = {
    disable: function (account) {
      return {title: "Nonaktifkan " + account.username + "?",
              text: "Akun ini tidak dapat masuk lagi dan sesinya yang terbuka langsung berakhir.",
              ok: "Ya, nonaktifkan", path: "/api/admin/staff/" + account.id + "/disable", body: {},
              done: function (answer) { return "Akun " + account.username + " dinonaktifkan." + sessionsText(answer); }};
    },
    password: function (account) {
      return {title: "Ganti kata sandi " + account.username,
              text: "Semua sesi akun ini berakhir; petugas masuk lagi dengan kata sandi baru.",
              ok: "Simpan kata sandi", path: "/api/admin/staff/" + account.id + "/password", password: true,
              username: account.username,
              done: function (answer) {
                return "Kata sandi " + account.username + " diganti." + sessionsText(answer);
              }};
    },
    role: function (account) {
      var role = account.role === "admin" ? "counter" : "admin";
      return {title: "Ubah peran " + account.username + "?",
              text: "Peran baru: " + ROLE_TEXT[role] + ". Sesi akun ini berakhir; petugas perlu masuk lagi.",
              ok: "Ya, ubah peran", path: "/api/admin/staff/" + account.id + "/role", body: {role: role},
              done: function (answer) {
                return "Peran " + account.username + " sekarang " + ROLE_TEXT[role] + "." + sessionsText(answer);
              }};
    },
    enable: function (account) {
      return {title: "Aktifkan lagi " + account.username + "?",
              text: "Akun ini dapat masuk lagi dengan kata sandinya yang lama. Ganti kata sandinya bila perlu.",
              ok: "Ya, aktifkan", path: "/api/admin/staff/" + account.id + "/enable", body: {},
              done: function () { return "Akun " + account.username + " aktif lagi."; }};
    },
    "end-sessions": function (account) {
      return {title: "Akhiri sesi " + account.username + "?",
              text: "Semua layar yang masuk dengan akun ini kembali ke halaman masuk.",
              ok: "Ya, akhiri sesi", path: "/api/admin/staff/" + account.id + "/end-sessions", body: {},
              done: function (answer) { return "Sesi " + account.username + " diakhiri (" + answer.ended_sessions + ")."; }};
    }
  };

  $("staff-body").addEventListener("click", function (event) {
    var button = event.target.closest("[data-staff-action]");
    if (!button) return;
    var account = accounts[button.getAttribute("data-staff-id")];
    var make = ACTIONS[button.getAttribute("data-staff-action")];
    if (account && make) ask(make(account));
  });

  $("add-staff").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var body = {username: form.username.value.trim(), role: form.role.value, password: form.password.value};
    form.querySelector("button").disabled = true;
    api("POST", "/api/admin/staff", body).then(function (answer) {
      say("Akun " + answer.staff.username + " (" + ROLE_TEXT[answer.staff.role] + ") ditambahkan.", "ok");
      form.reset();
      loadStaff();
    }, function (error) {
      say(error.message, "error");
    }).then(function () { form.querySelector("button").disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    api("POST", "/api/logout").then(toLogin, toLogin);
  });

  // ------------------------------------------------------------ start

  window.Live.connect("/api/events?screen=counter", {
    heartbeatSeconds: CONFIG.heartbeatSeconds,
    on: {
      queue: refreshSoon,
      call: refreshSoon,
      printer: function (data) { renderPrinter(data.state); refreshSoon(); }
    },
    onOpen: function (reconnected) { if (reconnected) refreshSoon(); },
    onStatus: function (online) { $("connection-banner").hidden = online; },
    poll: refreshSoon,
    pollSeconds: 5
  });

  setInterval(refreshSoon, 30000);  // printed jobs send no event: catch up now and then

  loadSession().then(function () {
    loadToday();
    loadClosedDates();
    loadStaff();
  }, function (error) {
    if (error.status !== 401) say(error.message, "error");
  });
})();
