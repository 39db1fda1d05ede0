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
 *   var live = Live.connect("/api/events", {
 *     heartbeatSeconds: 15,
 *     on: {call: function (data, id) {}, queue: function (data) {}},
 *     poll: function () {}, pollSeconds: 3,
 *     onOpen: function (isReconnect) {}, onStatus: function (online) {}
 *   });
 */
(function () {
  "use strict";

  var BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];

  function connect(baseUrl, options) {
    var handlers = options.on || {};
    var heartbeatMs = Math.max(1000, (options.heartbeatSeconds || 15) * 1000);
    var source = null;
    var lastEventId = 0;
    var failures = 0;
    var opened = 0;           // how many times a stream opened (0 = never)
    var lastHeard = Date.now();
    var retryTimer = null;
    var pollTimer = null;
    var pollMs = Math.max(1000, (options.pollSeconds || 3) * 1000);
    var stopped = false;

    // Poll while there is no stream; stop as soon as one opens.
    function startPolling() {
      if (!options.poll || pollTimer || stopped) return;
      pollTimer = setInterval(function () { if (!source || source.readyState !== 1) options.poll(); }, pollMs);
      options.poll();
    }

    function stopPolling() {
      if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    }

    function url() {
      if (!lastEventId) return baseUrl;
      return baseUrl + (baseUrl.indexOf("?") >= 0 ? "&" : "?") + "last_event_id=" + lastEventId;
    }

    function heard(event) {
      lastHeard = Date.now();
      var id = parseInt(event && event.lastEventId, 10);
      if (id > lastEventId) lastEventId = id;
    }

    function listen(name) {
      source.addEventListener(name, function (event) {
        heard(event);
        var data;
        try { data = JSON.parse(event.data); } catch (err) { return; }
        try { handlers[name](data, parseInt(event.lastEventId, 10) || null); }
        catch (err) { if (window.console) console.error(err); }
      });
    }

    function open() {
      retryTimer = null;
      if (stopped) return;
      source = new EventSource(url());
      source.addEventListener("open", function () {
        heard(null);
        failures = 0;
        opened += 1;
        stopPolling();
        if (options.onStatus) options.onStatus(true);
        if (options.onOpen) options.onOpen(opened > 1);
      });
      source.addEventListener("ping", heard);
      Object.keys(handlers).forEach(listen);
      source.onerror = function () { restart(); };
    }

    function restart() {
      if (source) { source.onerror = null; source.close(); source = null; }
      if (stopped || retryTimer) return;
      if (options.onStatus) options.onStatus(false);
      startPolling();
      var delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
      failures += 1;
      retryTimer = setTimeout(open, delay);
    }

    // One timer for the life of the page: reconnect when the stream fell silent.
    var watchdog = setInterval(function () {
      if (source && Date.now() - lastHeard > heartbeatMs * 2.5) restart();
    }, heartbeatMs);

    open();
    return {
      lastEventId: function () { return lastEventId; },
      polling: function () { return pollTimer !== null; },
      // Raise the resume point (e.g. to the newest call already shown from /api/queue).
      seen: function (id) { if (id > lastEventId) lastEventId = id; },
      reconnect: restart,
      close: function () {
        stopped = true;
        clearInterval(watchdog);
        stopPolling();
        if (retryTimer) clearTimeout(retryTimer);
        if (source) source.close();
      }
    };
  }

  window.Live = {connect: connect};
})();
