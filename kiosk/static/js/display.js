/* Waiting-room display: live calls, waiting counts, clock, and the spoken announcement.
 *
 * Runs for months on a TV nobody touches, so every list here is bounded, the DOM is
 * built once and only its text changes, and there are exactly three timers (clock,
 * resync, the live watchdog). Announcements go through one queue: calls that arrive
 * together are spoken one after another, never over each other.
 */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("display-config").textContent);
  // The screen's words: the "display" part of kiosk/messages/<lang>.json in the language of ?lang=
  // (the page renders the rest). The spoken call stays Indonesian whatever the screen shows.
  var WORDS = CONFIG.words;
  var DAYS = t("days").split(",");
  var MONTHS = t("months").split(",");
  var RECENT_SIZE = 5;
  var QUEUE_LIMIT = 6;          // more pending announcements than this: the oldest are dropped
  var SEEN_LIMIT = 200;         // ids of calls already handled (dedupe replays)
  var LOG_LIMIT = 50;           // window.__announced / window.__received, for tests and support
  var SILENT_SHOW_MS = 2500;    // how long a call is shown when it cannot be spoken
  var CLIP_TIMEOUT_MS = 20000;  // a clip that never ends must not stop the queue
  var RESYNC_MS = 5 * 60 * 1000;
  // The big call stays while its loket still holds that number, at most this long (pages.CALL_SHOW_SECONDS):
  // nobody walking in later is sent to a loket that is no longer calling them.
  var CALL_SHOW_MS = CONFIG.callSeconds * 1000;

  var el = {
    date: document.getElementById("date"),
    clock: document.getElementById("clock"),
    current: document.getElementById("current"),
    number: document.getElementById("current-number"),
    counter: document.getElementById("current-counter"),
    recall: document.getElementById("current-recall"),
    recentBox: document.querySelector(".recent"),
    recentRows: Array.prototype.slice.call(document.querySelectorAll("#recent-list .recent-row")),
    connection: document.getElementById("connection"),
    idleTitle: document.getElementById("idle-title"),
    idleText: document.getElementById("idle-text"),
    prompt: document.getElementById("sound-prompt")
  };
  var loketCells = {};
  Array.prototype.forEach.call(document.querySelectorAll(".loket"), function (item) {
    loketCells[item.getAttribute("data-counter")] = item;
  });
  var countCells = {};
  Array.prototype.forEach.call(document.querySelectorAll(".waiting-item"), function (item) {
    countCells[item.getAttribute("data-service")] = item.querySelector(".count");
  });

  var recent = [];              // newest first, at most RECENT_SIZE, one row per number
  var shown = null;             // the call on the big panel, or null (welcome or "office closed")
  var holding = {};             // counter id -> the number it has called or serves now
  var office = {open: true};    // from /api/queue: open now, and when that changes
  var seen = {};
  var seenOrder = [];
  var pending = [];
  var speaking = false;
  var soundBlocked = false;
  var clockOffsetMs = 0;        // server time minus this PC's time, from the Date header
  var today = "";
  var announced = window.__announced = [];
  var received = window.__received = [];
  window.__displayLoadedAt = Date.now();

  function t(key, values) {
    var text = WORDS[key];
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    return text;
  }

  function bounded(list, item, limit) {
    list.push(item);
    if (list.length > limit) list.splice(0, list.length - limit);
  }

  function markSeen(id) {
    if (!id || seen[id]) return;
    seen[id] = true;
    seenOrder.push(id);
    if (seenOrder.length > SEEN_LIMIT) delete seen[seenOrder.shift()];
  }

  // ------------------------------------------------------------ clock

  var partsFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: CONFIG.timezone, year: "numeric", month: "numeric", day: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23"
  });

  function officeNow() {
    var parts = {};
    partsFormat.formatToParts(new Date(Date.now() + clockOffsetMs)).forEach(function (p) { parts[p.type] = p.value; });
    var year = +parts.year, month = +parts.month, day = +parts.day;
    return {
      iso: year + "-" + month + "-" + day,
      ymd: [year, month - 1, day],
      date: t("date", {weekday: DAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()], day: day,
                       month: MONTHS[month - 1], year: year}),
      time: parts.hour + "." + parts.minute
    };
  }

  function serverNow() { return Date.now() + clockOffsetMs; }

  // Reopening words (opens_day, opens_today, opens_date when a week or more away), in the page language.
  function reopens(iso) {
    var at = Date.parse(iso || "");
    if (isNaN(at)) return null;
    var parts = {};
    partsFormat.formatToParts(new Date(at)).forEach(function (p) { parts[p.type] = p.value; });
    var time = parts.hour + "." + parts.minute;
    var weekday = DAYS[new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day)).getUTCDay()];
    var todayParts = officeNow();
    var days = Math.round((Date.UTC(+parts.year, +parts.month - 1, +parts.day) -
                           Date.UTC.apply(null, todayParts.ymd)) / 86400000);
    if (days <= 0) return t("opens_today", {time: time});
    if (days >= 7) return t("opens_date", {weekday: weekday, day: +parts.day, month: MONTHS[+parts.month - 1],
                                           year: parts.year, time: time});
    return t("opens_day", {weekday: weekday, time: time});
  }

  function renderIdle() {
    var closed = !office.open;
    var title = closed ? t("closed_title") : t("idle_title");
    var when = closed ? reopens(office.opens_at) : null;
    var text = closed ? (when ? t("closed_text", {when: when}) : t("closed_unknown")) : t("idle_text");
    if (el.idleTitle.textContent !== title) el.idleTitle.textContent = title;
    if (el.idleText.textContent !== text) el.idleText.textContent = text;
    el.current.setAttribute("data-office", closed ? "closed" : "open");
  }

  // Is this call still for someone to walk to: its loket holds the number, recently called, office open?
  function stillCalling(call) {
    if (!call) return false;
    if (holding[String(call.counter)] !== call.number) return false;
    var at = Date.parse(call.called_at || "");
    return isNaN(at) || serverNow() - at < CALL_SHOW_MS;
  }

  function reconsider() {
    if (shown && !stillCalling(shown)) showCurrent(null, false);
  }

  function tick() {
    var now = officeNow();
    reconsider();
    var edge = Date.parse((office.open ? office.closes_at : office.opens_at) || "");
    if (!isNaN(edge) && serverNow() >= edge && !fetching) refreshQueue(false);  // opening or closing time
    if (el.clock.textContent !== now.time) el.clock.textContent = now.time;
    if (el.date.textContent !== now.date) el.date.textContent = now.date;
    if (today && today !== now.iso) refreshQueue(true);  // a new office day: numbers start again
    today = now.iso;
  }

  // ------------------------------------------------------------ screen

  // Before the first call of the day: a welcome, not an empty number with a dangling "silakan menuju".
  function showCurrent(call, flash) {
    shown = call || null;
    if (!call) renderIdle();
    el.current.setAttribute("data-state", call ? "call" : "idle");
    el.number.textContent = call ? call.number : "";
    el.counter.textContent = call ? call.counter_name : "";
    el.recall.hidden = !(call && call.recall);
    el.current.setAttribute("data-call-id", call ? String(call.id) : "");
    renderRecent();
    if (flash) {
      el.current.classList.remove("flash");
      void el.current.offsetWidth;  // restart the animation
      el.current.classList.add("flash");
    }
  }

  // The calls before the one the big panel shows (all of them when it shows none).
  function renderRecent() {
    var earlier = recent.filter(function (c) { return !shown || c.number !== shown.number; });
    el.recentBox.hidden = earlier.length === 0;
    el.recentRows.forEach(function (row, index) {
      var call = earlier[index];
      row.hidden = !call;
      row.firstChild.textContent = call ? call.number : "";
      row.lastChild.textContent = call ? call.counter_name : "";
    });
  }

  // What each loket holds now: its called or serving number, or nothing.
  function showLoket(counterId, number) {
    if (number) holding[String(counterId)] = number;
    else delete holding[String(counterId)];
    var cell = loketCells[String(counterId)];
    if (!cell) return;
    var text = number || "\u2013";
    var box = cell.querySelector(".loket-number");
    if (box.textContent !== text) box.textContent = text;
    cell.setAttribute("data-state", number ? "busy" : "free");
  }

  function renderCounters(counters) {
    (counters || []).forEach(function (counter) {
      showLoket(counter.id, counter.ticket ? counter.ticket.number : null);
    });
    if (counters) reconsider();  // the called ticket left its loket (no-show, done, transfer): clear the call
  }

  function addRecent(call) {
    recent = [call].concat(recent.filter(function (c) { return c.number !== call.number; })).slice(0, RECENT_SIZE);
    renderRecent();
    showLoket(call.counter, call.number);
  }

  function renderWaiting(services) {
    (services || []).forEach(function (service) {
      var cell = countCells[service.code];
      if (cell && cell.textContent !== String(service.waiting)) cell.textContent = String(service.waiting);
    });
  }

  el.current.addEventListener("animationend", function () { el.current.classList.remove("flash"); });

  // ------------------------------------------------------------ sound

  var player = new Audio();
  player.preload = "auto";

  // Play one clip to its end; resolve "ok", "blocked" (autoplay refused) or "error" (missing, broken, stuck).
  function playClip(src) {
    return new Promise(function (resolve) {
      var timer = null;
      function finish(result) {
        if (timer === null) return;
        clearTimeout(timer);
        timer = null;
        player.onended = player.onerror = null;
        if (result !== "ok") player.pause();
        resolve(result);
      }
      timer = setTimeout(function () { finish("error"); }, CLIP_TIMEOUT_MS);
      player.onended = function () { finish("ok"); };
      player.onerror = function () { finish("error"); };
      player.src = src;
      var started = player.play();
      if (started && started.catch) {
        started.catch(function (err) { finish(err && err.name === "NotAllowedError" ? "blocked" : "error"); });
      }
    });
  }

  function indonesianVoice() {
    if (!("speechSynthesis" in window)) return null;
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var lang = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (lang === "id-id" || lang === "id" || lang.indexOf("id-") === 0) return voices[i];
    }
    return null;
  }

  // Speak with the browser's own Indonesian voice; resolve true when it spoke.
  function speakInBrowser(text) {
    var voice = indonesianVoice();
    if (!voice || !text) return Promise.resolve(false);
    return new Promise(function (resolve) {
      var utterance = new SpeechSynthesisUtterance(text);
      var timer = setTimeout(function () { window.speechSynthesis.cancel(); resolve(false); }, CLIP_TIMEOUT_MS);
      utterance.voice = voice;
      utterance.lang = "id-ID";
      utterance.rate = 0.9;
      utterance.onend = function () { clearTimeout(timer); resolve(true); };
      utterance.onerror = function () { clearTimeout(timer); resolve(false); };
      window.speechSynthesis.speak(utterance);
    });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function blocked() {
    soundBlocked = true;
    el.prompt.hidden = false;
  }

  el.prompt.addEventListener("click", function () {
    // A tap is the user gesture the browser wants: unlock the player with the chime.
    soundBlocked = false;
    el.prompt.hidden = true;
    player.src = CONFIG.chime;
    var started = player.play();
    if (started && started.catch) started.catch(function () { blocked(); });
  });

  function announce(call) {
    var entry = {id: call.id, number: call.number, counter: call.counter, recall: !!call.recall,
                 at: Date.now(), via: "pending"};
    bounded(announced, entry, LOG_LIMIT);
    document.body.setAttribute("data-announced", String((+document.body.getAttribute("data-announced") || 0) + 1));
    showCurrent(call, true);
    if (soundBlocked) { entry.via = "muted"; return wait(SILENT_SHOW_MS); }
    return playClip(CONFIG.chime).then(function (chime) {
      if (chime === "blocked") { blocked(); entry.via = "muted"; return wait(SILENT_SHOW_MS); }
      return playClip(call.audio_url).then(function (voice) {
        if (voice === "ok") { entry.via = "wav"; return; }
        if (voice === "blocked") { blocked(); entry.via = "muted"; return; }
        return speakInBrowser(call.announcement).then(function (spoke) {
          entry.via = spoke ? "speech" : (chime === "ok" ? "chime" : "none");
          if (!spoke) return wait(SILENT_SHOW_MS);
        });
      });
    }).then(function () { return wait(600); });  // a breath between two calls
  }

  function pump() {
    if (speaking || !pending.length) return;
    var call = pending.shift();
    if (!stillCalling(call)) { pump(); return; }  // it left its loket while waiting its turn: nobody to send
    speaking = true;
    announce(call).catch(function (err) { if (window.console) console.error(err); }).then(function () {
      speaking = false;
      pump();
    });
  }

  // ------------------------------------------------------------ events

  function onCall(call) {
    if (!call || seen[call.id]) return;
    markSeen(call.id);
    live.seen(call.id);
    addRecent(call);
    bounded(received, {id: call.id, number: call.number, recall: !!call.recall,
                       at: performance.timeOrigin + performance.now()}, LOG_LIMIT);
    document.body.setAttribute("data-last-call", String(call.id));
    pending.push(call);
    if (pending.length > QUEUE_LIMIT) pending.splice(0, pending.length - QUEUE_LIMIT);
    pump();
  }

  var fetching = null;
  var synced = false;           // the first /api/queue answer has been shown
  function refreshQueue(reset) {
    if (fetching) return fetching;
    fetching = fetch("/api/queue", {cache: "no-store"}).then(function (response) {
      var date = Date.parse(response.headers.get("Date") || "");
      if (!isNaN(date) && Math.abs(date - Date.now()) > 30000) clockOffsetMs = date - Date.now();
      if (!response.ok) throw new Error("queue " + response.status);
      return response.json();
    }).then(function (queue) {
      if (queue.office) office = queue.office;
      if (!shown) renderIdle();
      renderWaiting(queue.services);
      renderCounters(queue.counters);
      var calls = queue.recent_calls || [];
      var newest = calls.length ? calls[0].id : 0;
      if (reset || !synced) {
        // What was called before this page knew: show it, do not announce it again.
        calls.forEach(function (call) { markSeen(call.id); });
        live.seen(newest);
        var arrivedMeanwhile = reset ? [] : recent.filter(function (c) { return c.id > newest; });
        recent = [];
        calls.slice().reverse().concat(arrivedMeanwhile.reverse()).forEach(function (call) {
          recent = [call].concat(recent.filter(function (c) { return c.number !== call.number; }));
        });
        recent = recent.slice(0, RECENT_SIZE);
        renderRecent();
        if (!speaking) showCurrent(stillCalling(recent[0]) ? recent[0] : null, false);
        synced = true;
      } else {
        // Calls the stream has not brought (it is refused or away, and this is a poll): announce them.
        var lastSeen = live.lastEventId();
        calls.filter(function (call) { return call.id > lastSeen; }).reverse().forEach(onCall);
      }
    }).catch(function () { /* the live stream retries; the next (re)connect fetches again */ })
      .then(function () { fetching = null; });
    return fetching;
  }

  function setOnline(online) {
    el.connection.setAttribute("data-state", online ? "online" : "offline");
    el.connection.textContent = t(online ? "online" : "reconnecting");
  }

  var live = window.Live.connect("/api/events?screen=display", {
    heartbeatSeconds: CONFIG.heartbeatSeconds,
    on: {
      call: onCall,
      queue: function (data) { renderWaiting(data.services); renderCounters(data.counters); },
      settings: function (data) { window.SettingsWatch.changed(data); }  // settings-watch.js reloads the page
    },
    onOpen: function () { refreshQueue(false); },
    onStatus: setOnline,
    poll: function () { refreshQueue(false); },  // no stream (refused or away): keep up by polling
    pollSeconds: 3
  });

  tick();
  setInterval(tick, 1000);
  setInterval(function () { refreshQueue(false); }, RESYNC_MS);
  window.__display = {pending: function () { return pending.length; }, synced: function () { return synced; },
                      live: live};
})();
