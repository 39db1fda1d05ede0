/* Kiosk accessibility, large text ("Aa"): every text of the kiosk at TEXT_SCALE times its normal size,
   below display size. onChange() hears each switch (kiosk-voice.js re-arms its idle timer). */

// Type this big (the number, the clock, the service letters) is read from metres away as it is and
// would not fit the screen at 1.5x: large text leaves it alone.
const DISPLAY_VMIN = 7;

export function createLargeText({ app, onChange }) {
  const root = document.documentElement;
  const TEXT_SCALE = parseFloat(getComputedStyle(root).getPropertyValue("--k-text-scale")) || 1.5;

  // Every text of the kiosk at TEXT_SCALE times its normal size (below display size), whatever screen or
  // stylesheet made it: each element's normal computed size is read first, then all are set at once.
  let large = false;

  function clearLarge() {
    for (const node of [app, ...app.querySelectorAll("[data-k-large]")]) {
      node.style.removeProperty("font-size");
      delete node.dataset.kLarge;
    }
  }

  function applyLarge() {
    observer.disconnect();
    clearLarge();
    if (large) {
      const nodes = [app, ...app.querySelectorAll("*")];
      const sizes = nodes.map((node) => parseFloat(getComputedStyle(node).fontSize));
      const display = Math.min(innerWidth, innerHeight) * DISPLAY_VMIN / 100;
      nodes.forEach((node, index) => {
        if (!sizes[index] || sizes[index] >= display - 0.5) return;  // display-size type is big enough already
        node.style.setProperty("font-size", `${sizes[index] * TEXT_SCALE}px`);
        node.dataset.kLarge = "";
      });
    }
    observer.observe(app, { childList: true, subtree: true });
    document.dispatchEvent(new CustomEvent("kiosk:layout"));  // sizes changed: kiosk.js updates its scroll cues
  }

  // New elements (the service list is redrawn every few seconds) get the large size too.
  const observer = new MutationObserver((records) => {
    if (large && records.some((record) => [...record.addedNodes].some((node) => node.nodeType === 1))) applyLarge();
  });

  function setLarge(on) {
    if (on === large) return;
    large = on;
    root.classList.toggle("k-large", on);
    onChange();
    const button = document.getElementById("large-text");
    if (button) button.setAttribute("aria-pressed", String(on));
    applyLarge();
  }

  const largeButton = document.getElementById("large-text");
  if (largeButton) largeButton.addEventListener("click", () => setLarge(!large));
  window.addEventListener("resize", () => { if (large) applyLarge(); });

  return { set: setLarge, active: () => large };
}
