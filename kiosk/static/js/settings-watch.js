/* Reload this page when the office's settings change on the admin screen (docs/contract.md, "Settings from a screen").
 *
 *   <script src="settings-watch.js" data-version="{{ settings_version }}" data-poll-ms="1000"></script>
 *
 * Pages with a live stream call SettingsWatch.changed(data) on its `settings` event; every page also asks
 * /api/settings/version every data-poll-ms. The page reloads when nobody is in the middle of something:
 * the kiosk only on its start screen, other pages while no form field has focus.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var seen = parseInt(script.getAttribute("data-version"), 10) || 0;
  var pollMs = Math.max(500, parseInt(script.getAttribute("data-poll-ms"), 10) || 5000);
  var pending = false;

  function busy() {
    if (window.Kiosk && typeof window.Kiosk.current === "function" && window.Kiosk.current() !== "start") return true;
    var active = document.activeElement;
    return !!(active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) && active.value);
  }

  function reloadWhenFree() {
    if (busy()) { setTimeout(reloadWhenFree, 1000); return; }
    window.location.reload();
  }

  function changed(data) {
    var version = data && typeof data.version === "number" ? data.version : null;
    if (pending || (version !== null && version === seen)) return;
    pending = true;
    reloadWhenFree();
  }

  function poll() {
    fetch("/api/settings/version", {cache: "no-store"})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (body) { if (body && body.version !== seen) changed(body); })
      .catch(function () { /* the server is away: the page's own banner says so */ });
  }

  setInterval(poll, pollMs);
  window.SettingsWatch = {changed: changed, version: function () { return seen; }};
})();
