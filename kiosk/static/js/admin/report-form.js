/* Admin page, "Laporan": the period form that opens the report page or downloads the same period. */

export function setupReportForm({say, form}) {
  const DAY_MS = 86400000;
  const reportForm = form;
  let reportFormat = "xlsx";
  Array.prototype.forEach.call(reportForm.querySelectorAll("[data-format]"), (button) => {
    button.addEventListener("click", () => { reportFormat = button.getAttribute("data-format"); });
  });
  reportForm.addEventListener("submit", (event) => {
    const first = Date.parse(reportForm.from.value), last = Date.parse(reportForm.to.value);
    if (isNaN(first) || isNaN(last)) { event.preventDefault(); say("Pilih tanggal awal dan akhir.", "error"); return; }
    if (first > last) { event.preventDefault(); say("Tanggal awal tidak boleh sesudah tanggal akhir.", "error"); return; }
    if ((last - first) / DAY_MS + 1 > 366) { event.preventDefault(); say("Rentang laporan paling panjang 366 hari.", "error"); return; }
    // The report page, or a download of the same period
    reportForm.action = reportFormat === "page" ? "/admin/reports" : `/api/reports/range.${reportFormat}`;
    say("", "ok");
  });

  function defaultReportPeriod(today) {
    if (reportForm.from.value || !today) return;
    reportForm.from.value = `${today.slice(0, 8)}01`;  // this month so far
    reportForm.to.value = today;
  }

  return {defaultReportPeriod};
}
