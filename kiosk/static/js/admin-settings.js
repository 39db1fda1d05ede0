/* Admin settings screen: GET /api/admin/settings into forms, each form PATCHes its own tables.
 *
 * The server checks every value with the configuration file's own loader: a refusal shows its message
 * (the line the file would get) under the form, and the field it names is marked.
 */
import { staffApi } from "./lib/api.js";
import { $, clear, el, sayIn } from "./lib/dom.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_TEXT = {mon: "Sen", tue: "Sel", wed: "Rab", thu: "Kam", fri: "Jum", sat: "Sab", sun: "Min"};
const DAY_NAME = {mon: "Senin", tue: "Selasa", wed: "Rabu", thu: "Kamis", fri: "Jumat", sat: "Sabtu", sun: "Minggu"};
const PRINTER_LABEL = {
  type: "Jenis sambungan", host: "Alamat IP (network)", port: "Port (network)", vendor_id: "Vendor ID (USB)",
  product_id: "Product ID (USB)", in_ep: "Endpoint masuk (USB)", out_ep: "Endpoint keluar (USB)",
  device: "Perangkat (serial)", baudrate: "Baudrate (serial)", profile: "Profil printer",
  paper_width_mm: "Lebar kertas (mm)", timeout: "Batas waktu (detik)", path: "Berkas (file)"
};
const PRINTER_TYPES = ["usb", "serial", "network", "file", "none"];
const KIOSK_LABEL = {voice_volume: "Volume suara panduan (0,0 - 1,0)", voice_output: "Keluaran suara",
                   addresses: "Alamat IP PC kiosk (pisahkan dengan koma)"};
const TABLE_NAME = {office: "kantor", services: "layanan", counters: "loket", printer: "printer", kiosk: "kiosk"};

let doc = null;

const client = staffApi({returnTo: "/admin/settings"});
const api = client.call;

// The settings screen's message line keeps the role its markup gives it.
const say = (text, kind) => sayIn($("message"), "admin-message", text, kind, { role: false });

function number(text) {
  const value = String(text).trim().replace(",", ".");
  if (value === "") return null;
  if (/^0x[0-9a-f]+$/i.test(value)) return parseInt(value, 16);
  const parsed = Number(value);
  return isNaN(parsed) ? value : parsed;  // not a number: the server names the key and the value
}

// ------------------------------------------------------------ office

function renderOffice() {
  const form = $("office-form"), office = doc.office;
  ["name", "dukcapil_address", "running_text"].forEach((key) => { form.elements[key].value = office[key] || ""; });
  form.elements.observe_national_holidays.checked = office.observe_national_holidays;
  const grid = $("office-hours");
  clear(grid);
  DAYS.forEach((day) => {
    grid.appendChild(el("label", {}, [document.createTextNode(`${DAY_NAME[day]} `),
      el("input", {name: `hours-${day}`, value: office.hours[day], placeholder: "tutup", maxlength: "11",
                   "data-key": `office.hours.${day}`})]));
  });
}

function officePatch() {
  const form = $("office-form"), hours = {};
  DAYS.forEach((day) => { hours[day] = form.elements[`hours-${day}`].value.trim(); });
  return {office: {name: form.elements.name.value, dukcapil_address: form.elements.dukcapil_address.value,
                   running_text: form.elements.running_text.value,
                   observe_national_holidays: form.elements.observe_national_holidays.checked, hours}};
}

// ------------------------------------------------------------ services and counters

function serviceRow(service, index, isNew) {
  const tr = el("tr", {"data-service": service.code || "", "data-index": String(index)});
  const label = service.code || "baru";
  tr.appendChild(el("td", {}, [el("input", {"data-field": "code", value: service.code, size: "8",
    "aria-label": `Kode layanan ${label}`, readonly: isNew ? null : "readonly"})]));
  if (!isNew) tr.querySelector("[data-field=code]").readOnly = true;
  else tr.querySelector("[data-field=code]").removeAttribute("readonly");
  tr.appendChild(el("td", {}, [el("input", {"data-field": "name", value: service.name, "aria-label": `Nama layanan ${label}`})]));
  tr.appendChild(el("td", {}, [el("input", {"data-field": "name_en", value: service.name_en,
    "aria-label": `Nama layanan ${label} dalam bahasa Inggris`})]));
  tr.appendChild(el("td", {}, [el("input", {"data-field": "prefix", value: service.prefix, size: "2", maxlength: "1",
    "aria-label": `Huruf nomor antrean ${label}`})]));
  tr.appendChild(el("td", {}, [el("input", {"data-field": "daily_quota", value: service.daily_quota, size: "5",
    inputmode: "numeric", placeholder: "tanpa", "aria-label": `Kuota harian ${label}`})]));
  const days = el("td", {class: "days"});
  DAYS.forEach((day) => {
    const open = !service.hours || service.hours[day] !== "";
    days.appendChild(el("label", {class: "day", title: DAY_NAME[day]}, [
      el("input", {type: "checkbox", "data-day": day, checked: open, "aria-label": `${DAY_NAME[day]}, ${label}`}),
      el("span", {text: DAY_TEXT[day], "aria-hidden": "true"})]));
  });
  tr.appendChild(days);
  tr.appendChild(el("td", {}, [el("button", {type: "button", class: "row-action danger", "data-remove": "service",
    text: "Hapus", "aria-label": `Hapus layanan ${label}`})]));
  tr._hours = service.hours || null;
  return tr;
}

function counterRow(counter, codes) {
  const tr = el("tr", {"data-counter": String(counter.id || "")});
  const label = counter.name || "baru";
  tr.appendChild(el("td", {}, [el("input", {"data-field": "id", value: counter.id, size: "3", inputmode: "numeric",
    "aria-label": `Nomor loket ${label}`})]));
  tr.appendChild(el("td", {}, [el("input", {"data-field": "name", value: counter.name, "aria-label": `Nama loket ${label}`})]));
  const served = el("td", {class: "served"});
  codes.forEach((code) => {
    served.appendChild(el("label", {class: "day"}, [
      el("input", {type: "checkbox", "data-code": code, checked: counter.services.indexOf(code) >= 0,
                   "aria-label": `${code} di ${label}`}),
      el("span", {text: code, "aria-hidden": "true"})]));
  });
  tr.appendChild(served);
  tr.appendChild(el("td", {}, [el("button", {type: "button", class: "row-action danger", "data-remove": "counter",
    text: "Hapus", "aria-label": `Hapus ${label}`})]));
  return tr;
}

function serviceCodes() {
  return Array.prototype.map.call($("services-body").querySelectorAll("[data-field=code]"), (input) => {
    return input.value.trim();
  }).filter(Boolean);
}

function renderServices() {
  const body = $("services-body");
  clear(body);
  doc.services.forEach((service, index) => { body.appendChild(serviceRow(service, index, false)); });
  renderCounters(doc.counters);
}

function currentCounters() {
  return Array.prototype.map.call($("counters-body").rows, (tr) => {
    return {id: number(tr.querySelector("[data-field=id]").value),
            name: tr.querySelector("[data-field=name]").value,
            services: Array.prototype.filter.call(tr.querySelectorAll("[data-code]"), (box) => {
              return box.checked; }).map((box) => { return box.getAttribute("data-code"); })};
  });
}

function renderCounters(counters) {
  const body = $("counters-body"), codes = serviceCodes();
  clear(body);
  counters.forEach((counter) => { body.appendChild(counterRow(counter, codes)); });
}

function servicesPatch() {
  const office = currentOfficeHours();
  const services = Array.prototype.map.call($("services-body").rows, (tr) => {
    const value = (field) => { return tr.querySelector(`[data-field=${field}]`).value; };
    let hours = null, allOpen = true;
    const own = tr._hours;
    DAYS.forEach((day) => { if (!tr.querySelector(`[data-day=${day}]`).checked) allOpen = false; });
    if (!(allOpen && !own)) {
      hours = {};
      DAYS.forEach((day) => {
        const open = tr.querySelector(`[data-day=${day}]`).checked;
        hours[day] = !open ? "" : (own && own[day]) || office[day] || "";
      });
    }
    const nameEn = value("name_en").trim();
    return {code: value("code").trim(), name: value("name"), name_en: nameEn || null,
            prefix: value("prefix").trim().toUpperCase(), daily_quota: number(value("daily_quota")), hours};
  });
  return {services, counters: currentCounters()};
}

function currentOfficeHours() { return doc.office.hours; }

// ------------------------------------------------------------ printer and kiosk (generic fields)

function field(table, key, value, labels) {
  const name = `${table}.${key}`;
  let input;
  if (table === "printer" && key === "type") {
    input = el("select", {name: key, "data-key": name}, PRINTER_TYPES.map((type) => {
      return el("option", {value: type, text: type}); }));
    input.value = value;
  } else if (table === "printer" && key === "paper_width_mm") {
    input = el("select", {name: key, "data-key": name}, [el("option", {value: "58", text: "58"}),
                                                         el("option", {value: "80", text: "80"})]);
    input.value = String(value);
  } else if (typeof value === "boolean") {
    return el("label", {class: "check"}, [el("input", {type: "checkbox", name: key, checked: value, "data-key": name,
      "data-kind": "boolean"}), document.createTextNode(` ${labels[key] || key}`)]);
  } else {
    let kind = Array.isArray(value) ? "list" : typeof value === "number" || value === null ? "number" : "text";
    if (table === "printer" && ["host", "device", "profile", "path"].indexOf(key) >= 0) kind = "text";
    let shown = Array.isArray(value) ? value.join(", ") : value;
    if (table === "printer" && (key === "vendor_id" || key === "product_id") && typeof value === "number") {
      shown = `0x${(`0000${value.toString(16)}`).slice(-4)}`;  // as the USB IDs are written (lsusb, the file)
    }
    input = el("input", {name: key, "data-key": name, "data-kind": kind, value: shown});
    if (table === "printer" && key === "path") {
      input.readOnly = true;
      input.setAttribute("aria-describedby", "path-hint");
    }
  }
  const label = el("label", {}, [document.createTextNode(`${labels[key] || key} `), input]);
  if (table === "printer" && key === "path") {
    label.appendChild(el("span", {id: "path-hint", class: "hint", text: "Hanya dari berkas konfigurasi"}));
  }
  return label;
}

function renderGeneric(table, labels) {
  const box = $(`${table}-fields`);
  clear(box);
  Object.keys(doc[table]).forEach((key) => { box.appendChild(field(table, key, doc[table][key], labels)); });
}

function genericPatch(table) {
  const values = {};
  Array.prototype.forEach.call($(`${table}-fields`).querySelectorAll("[data-key]"), (input) => {
    const key = input.name;
    if (input.readOnly) return;
    const kind = input.getAttribute("data-kind");
    if (kind === "boolean") values[key] = input.checked;
    else if (kind === "list") values[key] = input.value.split(",").map((part) => { return part.trim(); })
      .filter(Boolean);
    else if (kind === "number" || key === "paper_width_mm") values[key] = number(input.value);
    else values[key] = input.value;
  });
  const patch = {};
  patch[table] = values;
  return patch;
}

// ------------------------------------------------------------ saving

function markInvalid(form, key) {
  Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), (input) => {
    input.removeAttribute("aria-invalid");
  });
  if (!key) return;
  let target = form.querySelector(`[data-key="${key}"]`);
  const row = /^(services|counters)\[(\d+)\]\.?([a-z_]*)/.exec(key);
  if (row) {
    const tr = $(`${row[1]}-body`).rows[parseInt(row[2], 10)];
    target = tr && (tr.querySelector(`[data-field=${row[3] || "name"}]`) || tr.querySelector("input"));
  } else if (!target && /^office\.[a-z_]+$/.test(key)) {
    target = form.elements[key.split(".")[1]];
  }
  if (target) { target.setAttribute("aria-invalid", "true"); target.focus(); }
}

function save(form, patch) {
  const error = form.querySelector("[data-error]");
  error.hidden = true;
  say("");
  return api("PATCH", "/api/admin/settings", patch).then((answer) => {
    doc = answer;
    render();
    markInvalid(form, null);
    say("Tersimpan. Kios, layar TV dan loket memakai pengaturan baru dalam beberapa detik.", "ok");
    loadHistory();
  }).catch((problem) => {
    error.textContent = problem.message;
    error.hidden = false;
    markInvalid(form, problem.key);
    say(`Belum disimpan: ${problem.message}`, "error");
  });
}

function render() {
  renderOffice();
  renderServices();
  renderGeneric("printer", PRINTER_LABEL);
  renderGeneric("kiosk", KIOSK_LABEL);
  $("office-title").textContent = doc.office.name;
}

function loadHistory() {
  return api("GET", "/api/admin/settings/changes").then((answer) => {
    const body = $("history-body");
    clear(body);
    answer.changes.forEach((change) => {
      const what = Object.keys(change.patch).map((table) => { return TABLE_NAME[table] || table; }).join(", ");
      body.appendChild(el("tr", {}, [el("td", {text: change.changed_at.replace("T", " ").slice(0, 16)}),
                                     el("td", {text: change.changed_by}), el("td", {text: what})]));
    });
    $("history-empty").hidden = answer.changes.length > 0;
  });
}

$("office-form").addEventListener("submit", (event) => {
  event.preventDefault(); save(event.target, officePatch());
});
$("services-form").addEventListener("submit", (event) => {
  event.preventDefault(); save(event.target, servicesPatch());
});
$("printer-form").addEventListener("submit", (event) => {
  event.preventDefault(); save(event.target, genericPatch("printer"));
});
$("kiosk-form").addEventListener("submit", (event) => {
  event.preventDefault(); save(event.target, genericPatch("kiosk"));
});
$("services-form").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.getAttribute("data-remove")) {
    const tr = button.closest("tr");
    tr.parentNode.removeChild(tr);
    if (button.getAttribute("data-remove") === "service") renderCounters(currentCounters());
  } else if (button.id === "add-service") {
    const body = $("services-body");
    const row = serviceRow({code: "", name: "", name_en: null, prefix: "", daily_quota: null, hours: null},
                         body.rows.length, true);
    body.appendChild(row);
    row.querySelector("[data-field=code]").focus();
  } else if (button.id === "add-counter") {
    const counters = currentCounters();
    const next = counters.reduce((top, counter) => { return Math.max(top, counter.id || 0); }, 0) + 1;
    counters.push({id: next, name: `Loket ${next}`, services: []});
    renderCounters(counters);
  }
});
$("services-body").addEventListener("change", (event) => {
  if (event.target.getAttribute("data-field") === "code") renderCounters(currentCounters());
});

// ------------------------------------------------------------ test page

const PRINTER_STATE = {online: "terhubung", offline: "tidak terhubung", paper_out: "kertas habis",
                     unknown: "belum diketahui"};

function showTestPrint(text, kind) {
  const box = $("test-print-result");
  box.textContent = text;
  box.setAttribute("data-state", kind);
  box.hidden = !text;
}

function waitForTestPrint(id, tries) {
  return api("GET", `/api/admin/printer/test/${id}`).then((answer) => {
    const test = answer.test_print, printer = PRINTER_STATE[answer.printer] || answer.printer;
    if (test.status === "pending" && tries > 0) {
      return new Promise((resolve) => { setTimeout(resolve, 500); }).then(() => {
        return waitForTestPrint(id, tries - 1);
      });
    }
    if (test.status === "printed") showTestPrint(`Halaman uji tercetak (printer ${printer}).`, "ok");
    else if (test.status === "failed") showTestPrint(`Cetak uji gagal: ${test.error} (printer ${printer}).`, "error");
    else showTestPrint(`Halaman uji masih menunggu printer (printer ${printer}).`, "error");
  });
}

$("test-print").addEventListener("click", () => {
  const button = $("test-print");
  button.disabled = true;
  showTestPrint("Mengirim halaman uji\u2026", "pending");
  api("POST", "/api/admin/printer/test").then((answer) => {
    return waitForTestPrint(answer.test_print.id, 40);
  }).catch((problem) => { showTestPrint(problem.message, "error"); })
    .then(() => { button.disabled = false; });
});

client.loadSession().then(() => {
  return api("GET", "/api/admin/settings");
}).then((answer) => {
  doc = answer;
  render();
  return loadHistory();
}).catch((problem) => { say(problem.message || "Pengaturan tidak dapat dimuat.", "error"); });
