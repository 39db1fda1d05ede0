/* Small DOM helpers shared by the screens. */

export const $ = (id) => document.getElementById(id);

// A table cell with its text (never HTML) and an optional class.
export function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// An element with attributes ("text" for its text; "checked" and "value" as properties) and children.
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((name) => {
    if (name === "text") node.textContent = attrs[name];
    else if (name === "checked") node.checked = Boolean(attrs[name]);
    else if (name === "value") node.value = attrs[name] === null || attrs[name] === undefined ? "" : String(attrs[name]);
    else node.setAttribute(name, attrs[name]);
  });
  (children || []).forEach((child) => node.appendChild(child));
  return node;
}

// Remove every child.
export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

// A gate for a list drawn from live data: true only when what it would show differs from what it drew last. A list
// read again unchanged (a live event, a poll) is then not drawn again, so a button is never replaced under a
// finger between pressing and releasing it (the press would be lost).
export function changeGate() {
  let drawn = null;
  return (shown) => {
    const key = JSON.stringify(shown);
    if (key === drawn) return false;
    drawn = key;
    return true;
  };
}

// Replace a table body's rows (or any node's children).
export function replaceRows(body, rows) {
  clear(body);
  rows.forEach((row) => body.appendChild(row));
}

// The message line of a staff screen: text, its kind ("ok" or "error") as a class, role alert for errors.
export function sayIn(box, baseClass, text, kind, { role = true } = {}) {
  box.textContent = text;
  box.className = `${baseClass} ${kind || "ok"}`;
  if (role) box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.hidden = !text;
}

// A key press aimed at a form field, not at the page's shortcuts.
export function typing(target) {
  return Boolean(target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)));
}
