/* Dates and times on the admin screens, the Indonesian way: 5 Maret 2026, 09.30. */

const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
              "Oktober", "November", "Desember"];
export function formatDate(iso) {
  const parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!parts) return iso || "";
  return `${parseInt(parts[3], 10)} ${MONTHS[parseInt(parts[2], 10) - 1]} ${parts[1]}`;
}


export function formatTime(iso) {
  const parts = /T(\d{2}):(\d{2})/.exec(iso || "");
  return parts ? `${parts[1]}.${parts[2]}` : "";
}
