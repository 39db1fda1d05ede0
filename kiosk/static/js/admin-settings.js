/* Admin settings screen: GET /api/admin/settings into forms, each form PATCHes its own tables.
 *
 * The server checks every value with the configuration file's own loader: a refusal shows its message
 * (the line the file would get) under the form, and the field it names is marked.
 */
(function () {
  "use strict";

  var DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  var DAY_TEXT = {mon: "Sen", tue: "Sel", wed: "Rab", thu: "Kam", fri: "Jum", sat: "Sab", sun: "Min"};
  var DAY_NAME = {mon: "Senin", tue: "Selasa", wed: "Rabu", thu: "Kamis", fri: "Jumat", sat: "Sabtu", sun: "Minggu"};
  var PRINTER_LABEL = {
    type: "Jenis sambungan", host: "Alamat IP (network)", port: "Port (network)", vendor_id: "Vendor ID (USB)",
    product_id: "Product ID (USB)", in_ep: "Endpoint masuk (USB)", out_ep: "Endpoint keluar (USB)",
    device: "Perangkat (serial)", baudrate: "Baudrate (serial)", profile: "Profil printer",
    paper_width_mm: "Lebar kertas (mm)", timeout: "Batas waktu (detik)", path: "Berkas (file)"
  };
  var PRINTER_TYPES = ["usb", "serial", "network", "file", "none"];
  var KIOSK_LABEL = {voice_volume: "Volume suara panduan (0,0 - 1,0)", voice_output: "Keluaran suara",
                     addresses: "Alamat IP PC kiosk (pisahkan dengan koma)"};
  var TABLE_NAME = {office: "kantor", services: "layanan", counters: "loket", printer: "printer", kiosk: "kiosk"};

  var $ = function (id) { return document.getElementById(id); };
  var csrfToken = "";
  var doc = null;

  function api(method, path, body) {
    var headers = {"Accept": "application/json"};
    if (method !== "GET") { headers["X-CSRF-Token"] = csrfToken; headers["Content-Type"] = "application/json"; }
    return fetch(path, {method: method, headers: headers, credentials: "same-origin", cache: "no-store",
                        body: body === undefined ? undefined : JSON.stringify(body)})
      .catch(function () { throw {status: 0, message: "Server tidak dapat dihubungi. Periksa jaringan lalu coba lagi."}; })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.ok) return answer;
          if (response.status === 401) location.assign("/login?next=" + encodeURIComponent("/admin/settings"));
          var error = (answer && answer.error) || {};
          throw {status: response.status, code: error.code, key: error.key,
                 message: error.message || "Permintaan gagal (" + response.status + ")."};
        });
      });
  }

  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.className = "admin-message " + (kind || "ok");
    box.hidden = !text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "checked") node.checked = !!attrs[name];
      else if (name === "value") node.value = attrs[name] === null || attrs[name] === undefined ? "" : String(attrs[name]);
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function number(text) {
    var value = String(text).trim().replace(",", ".");
    if (value === "") return null;
    if (/^0x[0-9a-f]+$/i.test(value)) return parseInt(value, 16);
    var parsed = Number(value);
    return isNaN(parsed) ? value : parsed;  // not a number: the server names the key and the value
  }

  // ------------------------------------------------------------ office

  function renderOffice() {
    var form = $("office-form"), office = doc.office;
    ["name", "dukcapil_address", "running_text"].forEach(function (key) { form.elements[key].value = office[key] || ""; });
    form.elements.observe_national_holidays.checked = office.observe_national_holidays;
    var grid = $("office-hours");
    clear(grid);
    DAYS.forEach(function (day) {
      grid.appendChild(el("label", {}, [document.createTextNode(DAY_NAME[day] + " "),
        el("input", {name: "hours-" + day, value: office.hours[day], placeholder: "tutup", maxlength: "11",
                     "data-key": "office.hours." + day})]));
    });
  }

  function officePatch() {
    var form = $("office-form"), hours = {};
    DAYS.forEach(function (day) { hours[day] = form.elements["hours-" + day].value.trim(); });
    return {office: {name: form.elements.name.value, dukcapil_address: form.elements.dukcapil_address.value,
                     running_text: form.elements.running_text.value,
                     observe_national_holidays: form.elements.observe_national_holidays.checked, hours: hours}};
  }

  // ------------------------------------------------------------ services and counters

  function serviceRow(service, index, isNew) {
    var tr = el("tr", {"data-service": service.code || "", "data-index": String(index)});
    var label = service.code || "baru";
    tr.appendChild(el("td", {}, [el("input", {"data-field": "code", value: service.code, size: "8",
      "aria-label": "Kode layanan " + label, readonly: isNew ? null : "readonly"})]));
    if (!isNew) tr.querySelector("[data-field=code]").readOnly = true;
    else tr.querySelector("[data-field=code]").removeAttribute("readonly");
    tr.appendChild(el("td", {}, [el("input", {"data-field": "name", value: service.name, "aria-label": "Nama layanan " + label})]));
    tr.appendChild(el("td", {}, [el("input", {"data-field": "name_en", value: service.name_en,
      "aria-label": "Nama layanan " + label + " dalam bahasa Inggris"})]));
    tr.appendChild(el("td", {}, [el("input", {"data-field": "prefix", value: service.prefix, size: "2", maxlength: "1",
      "aria-label": "Huruf nomor antrean " + label})]));
    tr.appendChild(el("td", {}, [el("input", {"data-field": "daily_quota", value: service.daily_quota, size: "5",
      inputmode: "numeric", placeholder: "tanpa", "aria-label": "Kuota harian " + label})]));
    var days = el("td", {class: "days"});
    DAYS.forEach(function (day) {
      var open = !service.hours || service.hours[day] !== "";
      days.appendChild(el("label", {class: "day", title: DAY_NAME[day]}, [
        el("input", {type: "checkbox", "data-day": day, checked: open, "aria-label": DAY_NAME[day] + ", " + label}),
        el("span", {text: DAY_TEXT[day], "aria-hidden": "true"})]));
    });
    tr.appendChild(days);
    tr.appendChild(el("td", {}, [el("button", {type: "button", class: "row-action danger", "data-remove": "service",
      text: "Hapus", "aria-label": "Hapus layanan " + label})]));
    tr._hours = service.hours || null;
    return tr;
  }

  function counterRow(counter, codes) {
    var tr = el("tr", {"data-counter": String(counter.id || "")});
    var label = counter.name || "baru";
    tr.appendChild(el("td", {}, [el("input", {"data-field": "id", value: counter.id, size: "3", inputmode: "numeric",
      "aria-label": "Nomor loket " + label})]));
    tr.appendChild(el("td", {}, [el("input", {"data-field": "name", value: counter.name, "aria-label": "Nama loket " + label})]));
    var served = el("td", {class: "served"});
    codes.forEach(function (code) {
      served.appendChild(el("label", {class: "day"}, [
        el("input", {type: "checkbox", "data-code": code, checked: counter.services.indexOf(code) >= 0,
                     "aria-label": code + " di " + label}),
        el("span", {text: code, "aria-hidden": "true"})]));
    });
    tr.appendChild(served);
    tr.appendChild(el("td", {}, [el("button", {type: "button", class: "row-action danger", "data-remove": "counter",
      text: "Hapus", "aria-label": "Hapus " + label})]));
    return tr;
  }

  function serviceCodes() {
    return Array.prototype.map.call($("services-body").querySelectorAll("[data-field=code]"), function (input) {
      return input.value.trim();
    }).filter(Boolean);
  }

  function renderServices() {
    var body = $("services-body");
    clear(body);
    doc.services.forEach(function (service, index) { body.appendChild(serviceRow(service, index, false)); });
    renderCounters(doc.counters);
  }

  function currentCounters() {
    return Array.prototype.map.call($("counters-body").rows, function (tr) {
      return {id: number(tr.querySelector("[data-field=id]").value),
              name: tr.querySelector("[data-field=name]").value,
              services: Array.prototype.filter.call(tr.querySelectorAll("[data-code]"), function (box) {
                return box.checked; }).map(function (box) { return box.getAttribute("data-code"); })};
    });
  }

  function renderCounters(counters) {
    var body = $("counters-body"), codes = serviceCodes();
    clear(body);
    counters.forEach(function (counter) { body.appendChild(counterRow(counter, codes)); });
  }

  function servicesPatch() {
    var office = currentOfficeHours();
    var services = Array.prototype.map.call($("services-body").rows, function (tr) {
      var value = function (field) { return tr.querySelector("[data-field=" + field + "]").value; };
      var hours = null, allOpen = true, own = tr._hours;
      DAYS.forEach(function (day) { if (!tr.querySelector("[data-day=" + day + "]").checked) allOpen = false; });
      if (!(allOpen && !own)) {
        hours = {};
        DAYS.forEach(function (day) {
          var open = tr.querySelector("[data-day=" + day + "]").checked;
          hours[day] = !open ? "" : (own && own[day]) || office[day] || "";
        });
      }
      var nameEn = value("name_en").trim();
      return {code: value("code").trim(), name: value("name"), name_en: nameEn || null,
              prefix: value("prefix").trim().toUpperCase(), daily_quota: number(value("daily_quota")), hours: hours};
    });
    return {services: services, counters: currentCounters()};
  }

  function currentOfficeHours() { return doc.office.hours; }

  // ------------------------------------------------------------ printer and kiosk (generic fields)

  function field(table, key, value, labels) {
    var name = table + "." + key, input;
    if (table === "printer" && key === "type") {
      input = el("select", {name: key, "data-key": name}, PRINTER_TYPES.map(function (type) {
        return el("option", {value: type, text: type}); }));
      input.value = value;
    } else if (table === "printer" && key === "paper_width_mm") {
      input = el("select", {name: key, "data-key": name}, [el("option", {value: "58", text: "58"}),
                                                           el("option", {value: "80", text: "80"})]);
      input.value = String(value);
    } else if (typeof value === "boolean") {
      return el("label", {class: "check"}, [el("input", {type: "checkbox", name: key, checked: value, "data-key": name,
        "data-kind": "boolean"}), document.createTextNode(" " + (labels[key] || key))]);
    } else {
      var kind = Array.isArray(value) ? "list" : typeof value === "number" || value === null ? "number" : "text";
      if (table === "printer" && ["host", "device", "profile", "path"].indexOf(key) >= 0) kind = "text";
      var shown = Array.isArray(value) ? value.join(", ") : value;
      if (table === "printer" && (key === "vendor_id" || key === "product_id") && typeof value === "number") {
        shown = "0x" + ("0000" + value.toString(16)).slice(-4);  // as the USB IDs are written (lsusb, the file)
      }
      input = el("input", {name: key, "data-key": name, "data-kind": kind, value: shown});
      if (table === "printer" && key === "path") {
        input.readOnly = true;
        input.setAttribute("aria-describedby", "path-hint");
      }
    }
    var label = el("label", {}, [document.createTextNode((labels[key] || key) + " "), input]);
    if (table === "printer" && key === "path") {
      label.appendChild(el("span", {id: "path-hint", class: "hint", text: "Hanya dari berkas konfigurasi"}));
    }
    return label;
  }

  function renderGeneric(table, labels) {
    var box = $(table + "-fields");
    clear(box);
    Object.keys(doc[table]).forEach(function (key) { box.appendChild(field(table, key, doc[table][key], labels)); });
  }

  function genericPatch(table) {
    var values = {};
    Array.prototype.forEach.call($(table + "-fields").querySelectorAll("[data-key]"), function (input) {
      var key = input.name;
      if (input.readOnly) return;
      var kind = input.getAttribute("data-kind");
      if (kind === "boolean") values[key] = input.checked;
      else if (kind === "list") values[key] = input.value.split(",").map(function (part) { return part.trim(); })
        .filter(Boolean);
      else if (kind === "number" || key === "paper_width_mm") values[key] = number(input.value);
      else values[key] = input.value;
    });
    var patch = {};
    patch[table] = values;
    return patch;
  }

  // ------------------------------------------------------------ saving

  function markInvalid(form, key) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
    });
    if (!key) return;
    var target = form.querySelector('[data-key="' + key + '"]');
    var row = /^(services|counters)\[(\d+)\]\.?([a-z_]*)/.exec(key);
    if (row) {
      var tr = $(row[1] + "-body").rows[parseInt(row[2], 10)];
      target = tr && (tr.querySelector("[data-field=" + (row[3] || "name") + "]") || tr.querySelector("input"));
    } else if (!target && /^office\.[a-z_]+$/.test(key)) {
      target = form.elements[key.split(".")[1]];
    }
    if (target) { target.setAttribute("aria-invalid", "true"); target.focus(); }
  }

  function save(form, patch) {
    var error = form.querySelector("[data-error]");
    error.hidden = true;
    say("");
    return api("PATCH", "/api/admin/settings", patch).then(function (answer) {
      doc = answer;
      render();
      markInvalid(form, null);
      say("Tersimpan. Kios, layar TV dan loket memakai pengaturan baru dalam beberapa detik.", "ok");
      loadHistory();
    }).catch(function (problem) {
      error.textContent = problem.message;
      error.hidden = false;
      markInvalid(form, problem.key);
      say("Belum disimpan: " + problem.message, "error");
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
    return api("GET", "/api/admin/settings/changes").then(function (answer) {
      var body = $("history-body");
      clear(body);
      answer.changes.forEach(function (change) {
        var what = Object.keys(change.patch).map(function (table) { return TABLE_NAME[table] || table; }).join(", ");
        body.appendChild(el("tr", {}, [el("td", {text: change.changed_at.replace("T", " ").slice(0, 16)}),
                                       el("td", {text: change.changed_by}), el("td", {text: what})]));
      });
      $("history-empty").hidden = answer.changes.length > 0;
    });
  }

  $("office-form").addEventListener("submit", function (event) {
    event.preventDefault(); save(event.target, officePatch());
  });
  $("services-form").addEventListener("submit", function (event) {
    event.preventDefault(); save(event.target, servicesPatch());
  });
  $("printer-form").addEventListener("submit", function (event) {
    event.preventDefault(); save(event.target, genericPatch("printer"));
  });
  $("kiosk-form").addEventListener("submit", function (event) {
    event.preventDefault(); save(event.target, genericPatch("kiosk"));
  });
  $("services-form").addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.getAttribute("data-remove")) {
      var tr = button.closest("tr");
      tr.parentNode.removeChild(tr);
      if (button.getAttribute("data-remove") === "service") renderCounters(currentCounters());
    } else if (button.id === "add-service") {
      var body = $("services-body");
      var row = serviceRow({code: "", name: "", name_en: null, prefix: "", daily_quota: null, hours: null},
                           body.rows.length, true);
      body.appendChild(row);
      row.querySelector("[data-field=code]").focus();
    } else if (button.id === "add-counter") {
      var counters = currentCounters();
      var next = counters.reduce(function (top, counter) { return Math.max(top, counter.id || 0); }, 0) + 1;
      counters.push({id: next, name: "Loket " + next, services: []});
      renderCounters(counters);
    }
  });
  $("services-body").addEventListener("change", function (event) {
    if (event.target.getAttribute("data-field") === "code") renderCounters(currentCounters());
  });

  // ------------------------------------------------------------ test page

  var PRINTER_STATE = {online: "terhubung", offline: "tidak terhubung", paper_out: "kertas habis",
                       unknown: "belum diketahui"};

  function showTestPrint(text, kind) {
    var box = $("test-print-result");
    box.textContent = text;
    box.setAttribute("data-state", kind);
    box.hidden = !text;
  }

  function waitForTestPrint(id, tries) {
    return api("GET", "/api/admin/printer/test/" + id).then(function (answer) {
      var test = answer.test_print, printer = PRINTER_STATE[answer.printer] || answer.printer;
      if (test.status === "pending" && tries > 0) {
        return new Promise(function (resolve) { setTimeout(resolve, 500); }).then(function () {
          return waitForTestPrint(id, tries - 1);
        });
      }
      if (test.status === "printed") showTestPrint("Halaman uji tercetak (printer " + printer + ").", "ok");
      else if (test.status === "failed") showTestPrint("Cetak uji gagal: " + test.error + " (printer " + printer + ").", "error");
      else showTestPrint("Halaman uji masih menunggu printer (printer " + printer + ").", "error");
    });
  }

  $("test-print").addEventListener("click", function () {
    var button = $("test-print");
    button.disabled = true;
    showTestPrint("Mengirim halaman uji\u2026", "pending");
    api("POST", "/api/admin/printer/test").then(function (answer) {
      return waitForTestPrint(answer.test_print.id, 40);
    }).catch(function (problem) { showTestPrint(problem.message, "error"); })
      .then(function () { button.disabled = false; });
  });

  api("GET", "/api/session").then(function (session) {
    csrfToken = session.csrf_token;
    return api("GET", "/api/admin/settings");
  }).then(function (answer) {
    doc = answer;
    render();
    return loadHistory();
  }).catch(function (problem) { say(problem.message || "Pengaturan tidak dapat dimuat.", "error"); });
})();
