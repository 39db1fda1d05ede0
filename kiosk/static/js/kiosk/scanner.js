/* A USB barcode scanner at the kiosk types what it reads like a keyboard, then Enter: a booking slip's QR
 * ("http://192.168.1.10:8080/b/<token>") or a ticket's ("…/t/<token>").
 *
 * With no text field focused those keys would reach the screen's own keys (voice mode starts at the first
 * digit, "1"…"9" choose, Enter confirms: a slip scanned on the start screen once chose a service). A scan
 * always starts with a character no kiosk key means (a letter, ":" or "/"), so after such a character,
 * until Enter or a pause no scanner makes, every key of the main keyboard is the scan's and nothing else
 * sees it (the numeric keypad stays voice mode's). What was read goes to the page's handler (the check-in,
 * or the way there); a scan that is no kiosk link is dropped.
 *
 *   import { onScan } from "./kiosk/scanner.js";
 *   onScan((text) => { … });   // the last page module to ask is the one that is told
 */
const PAUSE_MS = 300;  // a scanner types a whole link in well under this between two keys
const STARTS = /^[A-Za-z:/]$/;
let handler = null;
let buffer = null;     // what the scan has typed so far, or null (no scan under way)
let lastKey = 0;

export function onScan(handle) {
  handler = handle;
}

// A scan read on a page that cannot check in goes to the one that can, in this tab's session storage (never
// in the address: the link holds the ticket's or the booking's token).
const HANDED = "kiosk.scanned";

export function handOver(text, url) {
  sessionStorage.setItem(HANDED, text);
  window.location.href = url;
}

export function takeOver() {
  const text = sessionStorage.getItem(HANDED);
  sessionStorage.removeItem(HANDED);
  return text && isKioskLink(text) ? text : null;
}

// A kiosk link a scan read: the slip's or the ticket's QR, whatever the host it names.
export function isKioskLink(text) {
  return /\/[bt]\/[A-Za-z0-9_-]{6,}\/?$/.test(text);
}

function focusedField() {
  const active = document.activeElement;
  return Boolean(active && active.matches("input:not([type]), input[type=text], input[type=search], textarea"));
}

window.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.altKey || event.metaKey || focusedField()) return;  // a field takes a scan as text
  if (/^Numpad/.test(event.code)) return;  // the voice keypad's keys are never a scanner's
  const now = performance.now();
  if (buffer !== null && now - lastKey > PAUSE_MS) buffer = null;
  lastKey = now;
  if (buffer === null) {
    // The first character goes on to the screen: no kiosk key means a letter, ":" or "/", and any key
    // still cuts off what voice mode is saying.
    if (STARTS.test(event.key)) buffer = event.key;
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();  // the window's capture phase: before every listener of the document
  if (event.key === "Enter") {
    const text = buffer;
    buffer = null;
    if (handler && isKioskLink(text)) handler(text);
  } else if (event.key.length === 1) {
    buffer += event.key;
  }
}, true);
