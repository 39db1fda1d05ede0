/* Admin page, "Petugas": staff accounts (add, password, role, disable, enable, end sessions) and the
 * record of account changes. Every change is asked first in the page's dialog (dialog.js). */
import { inOrder } from "../lib/api.js";
import { $, cell, replaceRows } from "../lib/dom.js";
import { formatDate, formatTime } from "./format.js";

const ROLE_TEXT = {counter: "Petugas loket", admin: "Admin"};

export function setupStaff({api, say, ask}) {
  function actionButton(label, action, account, className) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `row-action${className ? ` ${className}` : ""}`;
    button.textContent = label;
    button.setAttribute("data-staff-action", action);
    button.setAttribute("data-staff-id", String(account.id));
    return button;
  }

  let accounts = {};
  function renderStaff(answer) {
    accounts = {};
    replaceRows($("staff-body"), answer.staff.map((account) => {
      accounts[account.id] = account;
      const tr = document.createElement("tr");
      tr.setAttribute("data-username", account.username);
      tr.className = account.active ? "" : "disabled";
      tr.appendChild(cell(account.username));
      tr.appendChild(cell(ROLE_TEXT[account.role] || account.role));
      tr.appendChild(cell(account.active ? "Aktif" : "Nonaktif", "state"));
      tr.appendChild(cell(String(account.sessions), "num"));
      tr.appendChild(cell(formatDate(account.created_at)));
      const td = document.createElement("td");
      const actions = document.createElement("div");
      actions.className = "row-actions";
      td.appendChild(actions);
      if (!account.active) {
        actions.appendChild(actionButton("Aktifkan lagi", "enable", account));
      } else {
        actions.appendChild(actionButton("Ganti kata sandi", "password", account));
        if (account.id !== answer.me) {
          actions.appendChild(actionButton(account.role === "admin" ? "Jadikan petugas loket" : "Jadikan admin",
                                           "role", account));
          if (account.sessions > 0) actions.appendChild(actionButton("Akhiri sesi", "end-sessions", account));
          actions.appendChild(actionButton("Nonaktifkan", "disable", account, "danger"));
        } else {
          const note = document.createElement("span");
          note.className = "hint";
          note.textContent = "(akun Anda)";
          actions.appendChild(note);
        }
      }
      tr.appendChild(td);
      return tr;
    }));
  }

  const CHANGE_TEXT = {created: "Dibuat", disabled: "Dinonaktifkan", enabled: "Diaktifkan lagi", role: "Peran diubah"};
  function renderChanges(answer) {
    replaceRows($("staff-changes-body"), answer.changes.map((change) => {
      const tr = document.createElement("tr");
      tr.appendChild(cell(`${formatDate(change.at)} ${formatTime(change.at)}`));
      tr.appendChild(cell(change.account));
      let what = CHANGE_TEXT[change.change] || change.change;
      if (change.detail) what += `: ${ROLE_TEXT[change.detail] || change.detail}`;
      tr.appendChild(cell(what));
      tr.appendChild(cell(change.by === "command line" ? "perintah kiosk user" : change.by));
      return tr;
    }));
  }

  // Loads after one change and the next can overlap: a late answer must not put back a list a newer one replaced.
  const changesInOrder = inOrder();
  const staffInOrder = inOrder();
  function loadStaff() {
    api("GET", "/api/admin/staff-changes").then(changesInOrder(renderChanges), () => {});
    return api("GET", "/api/admin/staff").then(staffInOrder(renderStaff), (error) => {
      if (error.status !== 401) say(error.message, "error");
    });
  }

  function sessionsText(answer) {
    return answer.ended_sessions ? ` ${answer.ended_sessions} sesi diakhiri.` : "";
  }

  const ACTIONS = {
    disable: (account) => {
      return {title: `Nonaktifkan ${account.username}?`,
              text: "Akun ini tidak dapat masuk lagi dan sesinya yang terbuka langsung berakhir.",
              ok: "Ya, nonaktifkan", path: `/api/admin/staff/${account.id}/disable`, body: {},
              done: (answer) => { return `Akun ${account.username} dinonaktifkan.${sessionsText(answer)}`; }};
    },
    password: (account) => {
      return {title: `Ganti kata sandi ${account.username}`,
              text: "Semua sesi akun ini berakhir; petugas masuk lagi dengan kata sandi baru.",
              ok: "Simpan kata sandi", path: `/api/admin/staff/${account.id}/password`, password: true,
              username: account.username,
              done: (answer) => {
                return `Kata sandi ${account.username} diganti.${sessionsText(answer)}`;
              }};
    },
    role: (account) => {
      const role = account.role === "admin" ? "counter" : "admin";
      return {title: `Ubah peran ${account.username}?`,
              text: `Peran baru: ${ROLE_TEXT[role]}. Sesi akun ini berakhir; petugas perlu masuk lagi.`,
              ok: "Ya, ubah peran", path: `/api/admin/staff/${account.id}/role`, body: {role},
              done: (answer) => {
                return `Peran ${account.username} sekarang ${ROLE_TEXT[role]}.${sessionsText(answer)}`;
              }};
    },
    enable: (account) => {
      return {title: `Aktifkan lagi ${account.username}?`,
              text: "Akun ini dapat masuk lagi dengan kata sandinya yang lama. Ganti kata sandinya bila perlu.",
              ok: "Ya, aktifkan", path: `/api/admin/staff/${account.id}/enable`, body: {},
              done: () => { return `Akun ${account.username} aktif lagi.`; }};
    },
    "end-sessions": (account) => {
      return {title: `Akhiri sesi ${account.username}?`,
              text: "Semua layar yang masuk dengan akun ini kembali ke halaman masuk.",
              ok: "Ya, akhiri sesi", path: `/api/admin/staff/${account.id}/end-sessions`, body: {},
              done: (answer) => { return `Sesi ${account.username} diakhiri (${answer.ended_sessions}).`; }};
    }
  };

  $("staff-body").addEventListener("click", (event) => {
    const button = event.target.closest("[data-staff-action]");
    if (!button) return;
    const account = accounts[button.getAttribute("data-staff-id")];
    const make = ACTIONS[button.getAttribute("data-staff-action")];
    if (account && make) ask(make(account));
  });

  $("add-staff").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const body = {username: form.username.value.trim(), role: form.role.value, password: form.password.value};
    form.querySelector("button").disabled = true;
    api("POST", "/api/admin/staff", body).then((answer) => {
      say(`Akun ${answer.staff.username} (${ROLE_TEXT[answer.staff.role]}) ditambahkan.`, "ok");
      form.reset();
      loadStaff();
    }, (error) => {
      say(error.message, "error");
    }).then(() => { form.querySelector("button").disabled = false; });
  });

  return {loadStaff, roleText: ROLE_TEXT};
}
