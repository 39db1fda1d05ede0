/* Staff login form: posts to /api/login, then opens the page named by ?next (a path of this server only). */
(function () {
  "use strict";
  var MESSAGES = {
    bad_credentials: "Nama pengguna atau kata sandi salah.",
    rate_limited: "Terlalu banyak percobaan masuk. Silakan coba lagi nanti.",
    bad_request: "Isi nama pengguna dan kata sandi."
  };
  var FALLBACK = "/counter";
  var form = document.getElementById("login-form");
  var error = document.getElementById("login-error");
  var submit = document.getElementById("login-submit");

  // Only a path on this server: never send staff on to another site after logging in.
  // Browsers drop tabs and newlines inside URLs and read "\" as "/", so "/\t/evil" and "/\evil"
  // would leave the origin: refuse any control character, space or backslash, then compare origins.
  function nextPage() {
    var next = new URLSearchParams(location.search).get("next") || "";
    if (!/^\/(?![\/\\])/.test(next) || /[\u0000-\u0020\u007f\\]/.test(next)) { return FALLBACK; }
    var target;
    try { target = new URL(next, location.origin); } catch (e) { return FALLBACK; }
    if (target.origin !== location.origin) { return FALLBACK; }
    return target.pathname + target.search + target.hash;
  }

  function show(message) {
    error.textContent = message;
    error.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var username = form.username.value.trim();
    var password = form.password.value;
    if (!username || !password) { show(MESSAGES.bad_request); return; }
    submit.disabled = true;
    error.hidden = true;
    fetch("/api/login", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({username: username, password: password}),
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) { location.assign(nextPage()); return; }
      return response.json().catch(function () { return {}; }).then(function (body) {
        var problem = (body && body.error) || {};
        // The server's rate-limit message says how many minutes to wait.
        show(problem.code === "rate_limited" && problem.message ? problem.message
          : MESSAGES[problem.code] || "Gagal masuk. Silakan coba lagi.");
        form.password.value = "";
        form.password.focus();
      });
    }).catch(function () {
      show("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
    }).then(function () { submit.disabled = false; });
  });
})();
