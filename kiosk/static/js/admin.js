/* Admin page: today's figures (live) and staff accounts, through the admin JSON API.
 *
 * Every write carries the X-CSRF-Token from GET /api/session. A 401 (session ended) sends
 * the page to the login form. Destructive actions ask first in a dialog.
 * Each part of the page lives in admin/: today.js, closed-dates.js, report-form.js, staff.js, dialog.js.
 */
import { staffApi } from "./lib/api.js";
import { $, sayIn } from "./lib/dom.js";
import { pageData } from "./lib/page-data.js";
import { connect } from "./live.js";
import { setupClosedDates } from "./admin/closed-dates.js";
import { setupDialog } from "./admin/dialog.js";
import { setupReportForm } from "./admin/report-form.js";
import { setupStaff } from "./admin/staff.js";
import { setupToday } from "./admin/today.js";

const CONFIG = pageData("admin-config");

const client = staffApi({returnTo: "/admin", onSession: (answer) => { $("admin-name").textContent = answer.user.username; }});
const api = client.call;

const say = (text, kind) => sayIn($("message"), "admin-message", text, kind);

let staff = null;
const ask = setupDialog({api, say, afterStaffChange: () => { staff.loadStaff(); }});
const report = setupReportForm({say, form: $("report-form")});
const today = setupToday({api, say, ask, onDate: report.defaultReportPeriod});
const loadToday = today.loadToday, refreshSoon = today.refreshSoon, renderPrinter = today.renderPrinter;
const closedDates = setupClosedDates({api, say, ask, loadToday});
const loadClosedDates = closedDates.loadClosedDates;
staff = setupStaff({api, say, ask});
const loadStaff = staff.loadStaff;

$("logout").addEventListener("click", () => {
  api("POST", "/api/logout").then(client.toLogin, client.toLogin);
});

// ------------------------------------------------------------ start

connect("/api/events?screen=counter", {
  heartbeatSeconds: CONFIG.heartbeatSeconds,
  on: {
    queue: refreshSoon,
    call: refreshSoon,
    printer: (data) => { renderPrinter(data.state); refreshSoon(); }
  },
  onOpen: (reconnected) => { if (reconnected) refreshSoon(); },
  onStatus: (online) => { $("connection-banner").hidden = online; },
  poll: refreshSoon,
  pollSeconds: 5
});

setInterval(refreshSoon, 30000);  // printed jobs send no event: catch up now and then

client.loadSession().then(() => {
  loadToday();
  loadClosedDates();
  loadStaff();
}, (error) => {
  if (error.status !== 401) say(error.message, "error");
});
