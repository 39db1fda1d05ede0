/* The data a template embeds for its script: <script type="application/json" id="...">{...}</script>
 * (the CSP allows no inline script, so settings and words travel as JSON).
 *
 *   const CONFIG = pageData(document.getElementById("counter-config"));
 *   const words = pageData("display-config");
 */

export function pageData(element) {
  const node = typeof element === "string" ? document.getElementById(element) : element;
  return JSON.parse(node.textContent);
}

// The same, or `fallback` when the page has no such element (an optional part of the page).
export function optionalPageData(id, fallback = null) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
}
