/* Live events for the display and counter screens: one EventSource that comes back by itself.
 *
 * The browser's own EventSource reconnect gives up for good (readyState CLOSED) on an
 * HTTP error and, after a network drop, may sit on a half-open connection forever. So
 * on any error this closes the stream and opens a new one with ?last_event_id=<last id
 * seen> after a growing pause; the server then replays the calls missed in between. A
 * watchdog reconnects when not even the server's heartbeat arrives.
 *
 * While there is no stream (the server refuses more streams with 503 too_many_streams,
 * or it is away) the page's own `poll` runs every `pollSeconds` (e.g. a fetch of
 * /api/queue), and the stream is tried again with a growing pause of up to 30 s.
 *
 *   import { connect, watchSettings } from "./live.js";
 *   const live = connect("/api/events", {
 *     heartbeatSeconds: 15,
 *     on: {call: (data, id) => {}, queue: (data) => {}, settings: settings.changed},
 *     poll: () => {}, pollSeconds: 3,
 *     onOpen: (isReconnect) => {}, onStatus: (online) => {},
 *     after: firstSync    // optional: a promise; the stream opens once it settles (at most AFTER_WAIT_MS)
 *   });
 *
 * `after` lets a page read its snapshot first and then raise the resume point with seen(newest id): the
 * server replays every call made after that snapshot, so none falls between the two.
 *
 * watchSettings() reloads the page when the office's settings change on the admin screen (SPEC "Settings
 * from a screen"). The page's module script names the version it was built with and how often to ask:
 *
 *   <script type="module" src="counter.js" data-settings-version="{{ settings_version }}"
 *           data-settings-poll-ms="5000"></script>
 *
 * Pages with a live stream pass its `settings` events to changed(); every page also asks
 * /api/settings/version every data-settings-poll-ms. The page reloads when nobody is in the middle of
 * something: `busy()` (the kiosk: off its start screen) or a form field with focus and a value.
 */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];
const AFTER_WAIT_MS = 5000;  // a first sync that hangs must not keep the stream closed

export function connect(baseUrl, options) {
  const handlers = options.on || {};
  const heartbeatMs = Math.max(1000, (options.heartbeatSeconds || 15) * 1000);
  let source = null;
  let lastEventId = 0;
  let resumes = false;      // a resume point is known (seen() or an event's id), even 0: the server replays after it
  let failures = 0;
  let opened = 0;           // how many times a stream opened (0 = never)
  let lastHeard = Date.now();
  let retryTimer = null;
  let pollTimer = null;
  const pollMs = Math.max(1000, (options.pollSeconds || 3) * 1000);
  let stopped = false;

  // Poll while there is no stream; stop as soon as one opens.
  function startPolling() {
    if (!options.poll || pollTimer || stopped) return;
    pollTimer = setInterval(() => { if (!source || source.readyState !== 1) options.poll(); }, pollMs);
    options.poll();
  }

  function stopPolling() {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }

  function url() {
    if (!resumes) return baseUrl;
    return `${baseUrl + (baseUrl.indexOf("?") >= 0 ? "&" : "?")}last_event_id=${lastEventId}`;
  }

  function heard(event) {
    lastHeard = Date.now();
    const id = parseInt(event && event.lastEventId, 10);
    if (id > lastEventId) lastEventId = id;
    if (id >= 0) resumes = true;
  }

  function listen(name) {
    source.addEventListener(name, (event) => {
      heard(event);
      let data;
      try { data = JSON.parse(event.data); } catch (err) { return; }
      try { handlers[name](data, parseInt(event.lastEventId, 10) || null); }
      catch (err) { if (window.console) console.error(err); }
    });
  }

  function open() {
    retryTimer = null;
    if (stopped) return;
    source = new EventSource(url());
    source.addEventListener("open", () => {
      heard(null);
      failures = 0;
      opened += 1;
      stopPolling();
      if (options.onStatus) options.onStatus(true);
      if (options.onOpen) options.onOpen(opened > 1);
    });
    source.addEventListener("ping", heard);
    Object.keys(handlers).forEach(listen);
    source.onerror = () => { restart(); };
  }

  function restart() {
    if (source) { source.onerror = null; source.close(); source = null; }
    if (stopped || retryTimer) return;
    if (options.onStatus) options.onStatus(false);
    startPolling();
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
    failures += 1;
    retryTimer = setTimeout(open, delay);
  }

  // One timer for the life of the page: reconnect when the stream fell silent.
  const watchdog = setInterval(() => {
    if (source && Date.now() - lastHeard > heartbeatMs * 2.5) restart();
  }, heartbeatMs);

  if (options.after) {
    let started = false;
    const start = () => { if (!started) { started = true; open(); } };
    options.after.then(start, start);
    setTimeout(start, AFTER_WAIT_MS);
  } else {
    open();
  }
  return {
    lastEventId: () => { return lastEventId; },
    polling: () => { return pollTimer !== null; },
    // Raise the resume point (e.g. to the newest call already shown from /api/queue).
    seen: (id) => { resumes = true; if (id > lastEventId) lastEventId = id; },
    reconnect: restart,
    close: () => {
      stopped = true;
      clearInterval(watchdog);
      stopPolling();
      if (retryTimer) clearTimeout(retryTimer);
      if (source) source.close();
    }
  };
}


// ------------------------------------------------------------ settings from the admin screen

export function watchSettings({ busy } = {}) {
  const script = document.querySelector("script[data-settings-version]");
  const seen = parseInt(script && script.getAttribute("data-settings-version"), 10) || 0;
  const pollMs = Math.max(500, parseInt(script && script.getAttribute("data-settings-poll-ms"), 10) || 5000);
  let pending = false;

  function inUse() {
    if (busy && busy()) return true;
    const active = document.activeElement;
    return Boolean(active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.value);
  }

  function reloadWhenFree() {
    if (inUse()) { setTimeout(reloadWhenFree, 1000); return; }
    window.location.reload();
  }

  function changed(data) {
    const version = data && typeof data.version === "number" ? data.version : null;
    if (pending || (version !== null && version === seen)) return;
    pending = true;
    reloadWhenFree();
  }

  function poll() {
    fetch("/api/settings/version", { cache: "no-store" })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((body) => { if (body && body.version !== seen) changed(body); })
      .catch(() => { /* the server is away: the page's own banner says so */ });
  }

  setInterval(poll, pollMs);
  return { changed, version: () => seen };
}
