/* Admin page: the one dialog that asks before a change (closing a service, removing a closed date,
 * every change to an account); a password reset asks for the new password in it. The request is sent
 * from the dialog, and its refusal is shown there. A change without its own method is an account change:
 * afterStaffChange() then reloads the accounts. */
import { $ } from "../lib/dom.js";

export function setupDialog({api, say, afterStaffChange}) {
  // One dialog asks before every change to an account; a password reset asks for the new password in it.
  let pending = null;
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

  $("confirm-cancel").addEventListener("click", () => { pending = null; $("confirm").close(); });
  $("confirm-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!pending) return;
    const options = pending;
    const body = options.password ? {password: $("confirm-password").value} : options.body;
    $("confirm-ok").disabled = true;
    api(options.method || "POST", options.path, body).then((answer) => {
      pending = null;
      $("confirm").close();
      say(options.done(answer), "ok");
      if (!options.method) afterStaffChange();
    }, (error) => {
      $("confirm-error").textContent = error.message;
      $("confirm-error").hidden = false;
    }).then(() => { $("confirm-ok").disabled = false; });
  });

  return ask;
}
