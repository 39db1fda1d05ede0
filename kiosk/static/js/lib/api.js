/* The staff screens' JSON API client (counter, admin, settings, backups).
 *
 * Every write carries the X-CSRF-Token from GET /api/session; a refused token (csrf_failed) fetches the
 * session again and retries once. A 401 (the session ended) sends the page to the login form, which
 * brings the user back to `returnTo`. Any other refusal rejects with an ApiError holding the server's
 * Indonesian message. The client's own words (no network, a refusal without a message, the session ended) are
 * Indonesian unless the page passes its catalogue section as ``words`` (keys ``network_error``,
 * ``request_failed`` with ``{status}``, ``session_ended``).
 *
 *   const api = staffApi({returnTo: "/counter", onSession: (answer) => {...}});
 *   await api.loadSession();
 *   const answer = await api.call("POST", "/api/counters/1/next");   // null for 204 No Content
 */

export class ApiError {
  constructor(status, code, message, key) {
    this.status = status;
    this.code = code;
    this.message = message;
    if (key !== undefined) this.key = key;  // the settings screen's field a refusal names
  }
}

const WORDS = {
  network_error: "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi.",
  request_failed: "Permintaan gagal ({status}).",
  session_ended: "Sesi berakhir.",
};
const CLOCK_SKEW_MS = 30000;

export function staffApi({ returnTo, onSession, words } = {}) {
  const said = (key) => (words && words[key]) || WORDS[key];
  let csrfToken = "";
  let leaving = false;
  let clockOffsetMs = 0;

  function toLogin() {
    if (leaving) return;  // several requests may notice the ended session at once
    leaving = true;
    location.assign(`/login?next=${encodeURIComponent(returnTo || location.pathname)}`);
  }

  function call(method, path, body, retried) {
    const headers = { Accept: "application/json" };
    const form = typeof FormData !== "undefined" && body instanceof FormData;  // an upload: the browser sets the type
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    return fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : (form ? body : JSON.stringify(body)),
    })
      .catch(() => { throw new ApiError(0, "network", said("network_error")); })
      .then((response) => {
        const date = Date.parse(response.headers.get("Date") || "");
        if (!isNaN(date) && Math.abs(date - Date.now()) > CLOCK_SKEW_MS) clockOffsetMs = date - Date.now();
        if (response.status === 204) return null;
        return response.json().catch(() => ({})).then((answer) => {
          if (response.ok) return answer;
          const error = (answer && answer.error) || {};
          if (response.status === 401) { toLogin(); throw new ApiError(401, "login_required", said("session_ended")); }
          if (error.code === "csrf_failed" && !retried) {
            return loadSession().then(() => call(method, path, body, true));
          }
          throw new ApiError(response.status, error.code || "error",
                             error.message || said("request_failed").replace("{status}", response.status), error.key);
        });
      });
  }

  function loadSession() {
    return call("GET", "/api/session").then((answer) => {
      csrfToken = answer.csrf_token;
      if (onSession) onSession(answer);
      return answer;
    });
  }

  // How far the server's clock is ahead of this PC's, when they differ by more than half a minute.
  const clockOffset = () => clockOffsetMs;

  return { call, loadSession, clockOffset, toLogin };
}

/* A view's loads can overlap (a live refresh on its way when a change reloads; a filter switched quickly), and
 * an answer older than one already drawn must not put back what the newer one replaced. Take a wrapper when
 * the request is made; it draws the answer unless a later request's answer has been drawn already:
 *
 *   const inOrderToday = inOrder();
 *   api.call("GET", "/api/admin/today").then(inOrderToday(renderToday));
 *
 * (Only older answers are dropped: a steady stream of overlapping refreshes still draws each in turn.) */
export function inOrder() {
  let asked = 0;
  let drawn = 0;
  return (render) => {
    const load = ++asked;
    return (answer) => {
      if (load < drawn) return undefined;
      drawn = load;
      return render(answer);
    };
  };
}
