/* Backups screen: GET /api/admin/backups (schedule, latest outcome, copies), "back up now" and downloads. */
(function () {
  "use strict";

  var STATE_TEXT = {ok: "Berhasil", failed: "Gagal", none: "Belum ada salinan", off: "Tidak aktif"};
  var $ = function (id) { return document.getElementById(id); };
  var csrfToken = "";

  function api(method, path) {
    var headers = {"Accept": "application/json"};
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    return fetch(path, {method: method, headers: headers, credentials: "same-origin", cache: "no-store"})
      .catch(function () { throw new Error("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi."); })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.status === 401) location.assign("/login?next=" + encodeURIComponent("/admin/backups"));
          if (!response.ok) throw new Error((answer.error && answer.error.message) || "Permintaan gagal.");
          return answer;
        });
      });
  }

  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.className = "admin-message " + (kind || "ok");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.hidden = !text;
  }

  function size(bytes) {
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + " KB";
    return (bytes / 1024 / 1024).toFixed(1).replace(".", ",") + " MB";
  }

  function when(iso) {
    return iso ? iso.replace("T", " ").slice(0, 16) : "\u2013";
  }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(answer) {
    var schedule = answer.schedule, latest = answer.latest;
    $("schedule-state").textContent = schedule.enabled ? "Aktif" : "Tidak aktif (isi [backup] dir)";
    $("schedule-dir").textContent = schedule.dir || "\u2013";
    $("schedule-time").textContent = schedule.enabled ? "Setiap hari setelah " + schedule.time : "\u2013";
    $("schedule-keep").textContent = schedule.keep + " salinan terbaru";
    $("latest-state").setAttribute("data-state", latest.state);
    $("latest-state").textContent = (STATE_TEXT[latest.state] || latest.state) +
      (latest.last_at ? " \u00b7 " + when(latest.last_at) : "") + (latest.error ? " \u00b7 " + latest.error : "");
    $("back-up-now").disabled = !schedule.enabled;
    var body = $("copies-body");
    while (body.firstChild) body.removeChild(body.firstChild);
    answer.backups.forEach(function (copy) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-file", copy.file);
      tr.appendChild(cell(copy.file));
      tr.appendChild(cell(when(copy.taken_at)));
      tr.appendChild(cell(size(copy.size), "num"));
      tr.appendChild(cell(STATE_TEXT[copy.outcome] || copy.outcome, copy.outcome === "ok" ? "open" : "closed"));
      var link = document.createElement("a");
      link.href = "/api/admin/backups/" + encodeURIComponent(copy.file);
      link.textContent = "Unduh";
      link.setAttribute("download", copy.file);
      link.setAttribute("aria-label", "Unduh " + copy.file);
      var td = document.createElement("td");
      td.appendChild(link);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    $("copies-empty").hidden = answer.backups.length > 0;
    $("copies-table").hidden = answer.backups.length === 0;
    if (answer.backups.length) $("restore-command").textContent = answer.backups[0].restore;
  }

  function load() { return api("GET", "/api/admin/backups").then(render); }

  $("back-up-now").addEventListener("click", function () {
    var button = $("back-up-now");
    button.disabled = true;
    say("Mencadangkan\u2026", "ok");
    api("POST", "/api/admin/backups").then(function (answer) {
      say("Salinan " + answer.backup.file + " (" + size(answer.backup.size) + ") dibuat.", "ok");
      return load();
    }).catch(function (error) {
      say(error.message, "error");
      return load();
    }).then(function () { button.disabled = false; });
  });

  api("GET", "/api/session").then(function (session) {
    csrfToken = session.csrf_token;
    return load();
  }).catch(function (error) { say(error.message, "error"); });
})();
