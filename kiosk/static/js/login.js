/* Staff login form: posts to /api/login, then opens the page named by ?next (a path of this server only). */
const MESSAGES = {
  bad_credentials: "Nama pengguna atau kata sandi salah.",
  rate_limited: "Terlalu banyak percobaan masuk. Silakan coba lagi nanti.",
  bad_request: "Isi nama pengguna dan kata sandi."
};
const FALLBACK = "/counter";
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");
const submit = document.getElementById("login-submit");

// Only a path on this server: never send staff on to another site after logging in.
// Browsers drop tabs and newlines inside URLs and read "\" as "/", so "/\t/evil" and "/\evil"
// would leave the origin: refuse any control character, space or backslash, then compare origins.
function nextPage() {
  const next = new URLSearchParams(location.search).get("next") || "";
  if (!/^\/(?![\/\\])/.test(next) || /[\u0000-\u0020\u007f\\]/.test(next)) { return FALLBACK; }
  let target;
  try { target = new URL(next, location.origin); } catch (e) { return FALLBACK; }
  if (target.origin !== location.origin) { return FALLBACK; }
  return target.pathname + target.search + target.hash;
}

function show(message) {
  error.textContent = message;
  error.hidden = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) { show(MESSAGES.bad_request); return; }
  submit.disabled = true;
  error.hidden = true;
  fetch("/api/login", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({username, password}),
    credentials: "same-origin"
  }).then((response) => {
    if (response.ok) { location.assign(nextPage()); return; }
    return response.json().catch(() => { return {}; }).then((body) => {
      const problem = (body && body.error) || {};
      // The server's rate-limit message says how many minutes to wait.
      show(problem.code === "rate_limited" && problem.message ? problem.message
        : MESSAGES[problem.code] || "Gagal masuk. Silakan coba lagi.");
      form.password.value = "";
      form.password.focus();
    });
  }).catch(() => {
    show("Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.");
  }).then(() => { submit.disabled = false; });
});
