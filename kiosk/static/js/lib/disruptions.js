/* Disruptions ("gangguan layanan") as residents see them: the active list of GET /api/disruptions and its
 * plain words. The kiosk and the phone pages follow it by a cheap poll (no stream slot held per phone); the
 * display refreshes it at once on the live stream's `disruption` event.
 *
 *   const watch = follow((list) => render(list), { intervalMs: 1000, active: () => true });
 *   watch.refresh();               // ask now (e.g. on a live event)
 *   const lines = describe(disruption, t, lang, serviceName);
 */

// Ask /api/disruptions every intervalMs while the page is visible and active() holds; call onChange with the
// list whenever it differs from the last one seen (the first answer included).
export function follow(onChange, { intervalMs = 1000, active = () => true } = {}) {
  let last = null;
  let asking = false;

  async function refresh() {
    if (asking) return;
    asking = true;
    try {
      const answer = await fetch("/api/disruptions", { cache: "no-store" });
      if (answer.ok) {
        const list = (await answer.json()).disruptions || [];
        const seen = JSON.stringify(list);
        if (seen !== last) {
          last = seen;
          onChange(list);
        }
      }
    } catch (error) {
      /* the server is away: keep what is shown, ask again at the next tick */
    } finally {
      asking = false;
    }
  }

  setInterval(() => { if (!document.hidden && active()) refresh(); }, intervalMs);
  document.addEventListener("visibilitychange", () => { if (!document.hidden && active()) refresh(); });
  if (active()) refresh();
  return { refresh };
}

// The disruptions that cover a service (all of them when service is null), newest first.
export function covering(list, service) {
  return list.filter((item) => service === null || item.service === null || item.service === service).reverse();
}

// "HH.MM" of an ISO time written in office time (the server writes it with the office's offset).
function clock(iso) {
  return iso ? iso.slice(11, 16).replace(":", ".") : "";
}

// The words of one disruption: {reason, scope, until}. `t(key, values)` reads the page's catalogue part
// (keys disruption_all, disruption_one, disruption_until); serviceName(code) names a service in `lang`.
export function describe(item, t, lang, serviceName) {
  const label = lang === "en" ? item.label_en || item.label : item.label;
  return {
    reason: item.note ? `${label}: ${item.note}` : label,
    scope: item.service === null ? t("disruption_all") : t("disruption_one", { service: serviceName(item.service) }),
    until: item.until ? t("disruption_until", { time: clock(item.until) }) : "",
  };
}
